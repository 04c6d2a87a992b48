"""Every DAG imports cleanly, touches nothing at parse time, and follows the house rules."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from types import SimpleNamespace
from unittest import mock

import pytest

REPO = Path(__file__).resolve().parents[2]
DAGS = REPO / "dags"
APPROVED_TAGS = {"edt", "1c", "ml", "monitoring", "cluster-health", "nightly"}


@pytest.fixture(scope="module")
def dagbag():
    from airflow.dag_processing.dagbag import DagBag
    from airflow.sdk import BaseHook, Variable

    # Nothing may run at parse time: no connection, no Variable (Airflow's own example-DAG test
    # patches get_connection the same way and asserts it is never called).
    with (
        mock.patch.object(BaseHook, "get_connection") as get_connection,
        mock.patch.object(Variable, "get") as get_var,
    ):
        bag = DagBag(dag_folder=str(DAGS))
    assert get_connection.call_count == 0, "a DAG file opened a connection at parse time"
    assert get_var.call_count == 0, "a DAG file read a Variable at parse time"
    return bag


def test_no_import_errors(dagbag) -> None:
    assert dagbag.import_errors == {}


def test_each_dag_file_holds_the_dag_of_its_name(dagbag) -> None:
    files = {path.stem for path in DAGS.glob("*.py") if not path.name.startswith("_")}
    assert files, "no DAG files found"
    assert files <= set(dagbag.dag_ids), f"files without a DAG of the same id: {files - set(dagbag.dag_ids)}"
    for dag_id, dag in dagbag.dags.items():
        assert Path(dag.fileloc).stem == dag_id


@pytest.mark.parametrize("dag_id", sorted(p.stem for p in DAGS.glob("*.py") if not p.name.startswith("_")))
def test_house_rules(dagbag, dag_id: str) -> None:
    dag = dagbag.dags[dag_id]
    assert dag.tags and set(dag.tags) <= APPROVED_TAGS, f"{dag_id}: tags {dag.tags} not in {APPROVED_TAGS}"
    assert dag.catchup is False, f"{dag_id}: catchup must be off"
    assert isinstance(dag.start_date, datetime) and dag.start_date.year >= 2024, (
        f"{dag_id}: static start_date"
    )
    assert dag.doc_md, f"{dag_id}: doc_md missing"
    for task in dag.tasks:
        assert task.retries >= 1 or task.task_id in _NO_RETRY, f"{dag_id}.{task.task_id}: retries not set"


_NO_RETRY: set[str] = set()


def test_edt_analysis_shape(dagbag) -> None:
    dag = dagbag.dags["edt_analysis"]
    downstream = {task.task_id: sorted(task.downstream_task_ids) for task in dag.tasks}
    assert downstream == {
        "plan_shards": ["parse"],
        "parse": ["merge_snapshot"],
        "merge_snapshot": ["architecture", "best_practices", "dependencies", "ml_dataset"],
        "architecture": ["documentation"],
        "ml_dataset": ["documentation"],
        "dependencies": ["documentation"],
        "best_practices": ["documentation"],
        "documentation": [],
    }
    timeouts = {task.task_id: task.execution_timeout.total_seconds() / 60 for task in dag.tasks}
    assert timeouts["parse"] == 20 and timeouts["documentation"] == 5
    assert {timeouts[t] for t in ("architecture", "ml_dataset", "dependencies", "best_practices")} == {12}
    assert all(task.retry_exponential_backoff for task in dag.tasks)
    assert set(dag.params.keys()) == {"source", "output_base", "shards", "incremental", "rules_config"}
    assert [outlet.name for outlet in dag.get_task("ml_dataset").outlets] == ["edt_ml_dataset"]


def test_the_analyses_are_handed_out_longest_first(dagbag) -> None:
    # They share the rules' cache and split the work only when they run side by side (see the DAG).
    # The weights as the scheduler computes them, from the serialized DAG, by the task's weight rule.
    from airflow.serialization.serialized_objects import DagSerialization

    dag = DagSerialization.from_dict(DagSerialization.to_dict(dagbag.dags["edt_analysis"]))
    weight = {task.task_id: task.weight_rule.get_weight(SimpleNamespace(task=task)) for task in dag.tasks}
    assert min(weight["best_practices"], weight["ml_dataset"]) > weight["dependencies"]
    # Then the longer of the other two, so the short one fills the last gap.
    assert weight["dependencies"] > weight["architecture"]
