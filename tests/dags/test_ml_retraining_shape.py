"""The shape of `ml_retraining`: schedule, timeout, queue, fan-out/fan-in and trigger rules."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def dag():
    from airflow.dag_processing.dagbag import DagBag

    from tests.dags.test_dag_integrity import DAGS

    bag = DagBag(dag_folder=str(DAGS / "ml_retraining.py"))
    assert bag.import_errors == {}
    return bag.dags["ml_retraining"]


def test_nightly_and_on_every_new_dataset(dag) -> None:
    from airflow.sdk import AssetOrTimeSchedule, CronTriggerTimetable

    assert isinstance(dag.timetable, AssetOrTimeSchedule)
    assert isinstance(dag.timetable.timetable, CronTriggerTimetable)
    assert dag.timetable.timetable.expression == "0 2 * * *"
    assert [asset.name for asset in dag.timetable.asset_condition.objects] == ["edt_ml_dataset"]
    assert dag.dagrun_timeout.total_seconds() == 3600
    assert set(dag.params.keys()) == {"dataset"}


def test_fan_out_then_fan_in_on_the_ml_queue(dag) -> None:
    downstream = {task.task_id: sorted(task.downstream_task_ids) for task in dag.tasks}
    assert downstream == {
        "model_specs": ["cleanup_old_experiments", "evaluate_all", "train"],
        "dataset": ["evaluate_all", "train"],
        "train": ["evaluate_all"],
        "evaluate_all": ["cleanup_old_experiments"],
        "cleanup_old_experiments": [],
    }
    assert {task.queue for task in dag.tasks} == {"ml_heavy"}
    assert dag.get_task("train").is_mapped
    rules = {task.task_id: str(task.trigger_rule.value) for task in dag.tasks}
    assert rules["evaluate_all"] == rules["cleanup_old_experiments"] == "none_skipped"
    assert [inlet.name for inlet in dag.get_task("dataset").inlets] == ["edt_ml_dataset"]
