"""`ml_retraining` end to end on a real embedded Airflow (SQLite + LocalExecutor, two task slots).

The DAG file and this repo's plugins run as Airflow runs them: dag-processor, scheduler, task
processes. The run trains the five models on the SSL dataset in parallel, evaluates and promotes
them into an MLflow SQLite store of the test's own, then prunes old runs.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from mlflow import MlflowClient

from local_airflow import AirflowStack, StackConfig
from onec_ml import load_specs

pytestmark = [pytest.mark.integration, pytest.mark.slow, pytest.mark.corpus]

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def ml_dataset(ssl_ml_dataset: Path) -> Path:
    return ssl_ml_dataset


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AirflowStack]:
    tmp = tmp_path_factory.mktemp("ml-airflow")
    dags = tmp / "dags"
    dags.mkdir()
    (dags / "ml_retraining.py").symlink_to(REPO / "dags" / "ml_retraining.py")
    config = StackConfig(
        home=tmp / "home",
        dags_folder=dags,
        plugins_folder=REPO / "plugins",
        parallelism=2,
        extra_env={
            "EDT_ARTIFACTS_URL": f"file://{tmp / 'artifacts'}",
            "MLFLOW_TRACKING_URI": f"sqlite:///{tmp / 'mlflow' / 'mlflow.db'}",
            "MLFLOW_DISABLE_TELEMETRY": "true",
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
        },
    )
    with AirflowStack(config) as running:
        yield running


def test_the_dag_trains_evaluates_and_promotes_all_five(stack: AirflowStack, ml_dataset: Path) -> None:
    with stack.client() as client:
        client.wait_for_dag("ml_retraining", timeout=180)
        client.unpause("ml_retraining")
        run = client.trigger("ml_retraining", conf={"dataset": str(ml_dataset)})
        client.wait_for_run("ml_retraining", run["dag_run_id"], timeout=900)
        tis = client.task_instances("ml_retraining", run["dag_run_id"])

    trains = [ti for ti in tis if ti["task_id"] == "train"]
    assert len(trains) == 5 and all(ti["state"] == "success" for ti in trains)
    assert {ti["rendered_map_index"] for ti in trains} == {spec.name for spec in load_specs()}
    states = {ti["task_id"]: ti["state"] for ti in tis if ti["task_id"] != "train"}
    assert states == {
        "model_specs": "success", "dataset": "success", "evaluate_all": "success",
        "cleanup_old_experiments": "success",
    }  # fmt: skip

    env = stack.env
    artifacts = Path(env["EDT_ARTIFACTS_URL"].removeprefix("file://"))
    (evaluation,) = artifacts.glob("ml_retraining/*/evaluation.json")
    report = json.loads(evaluation.read_text())
    assert sorted(report["promoted"]) == sorted(spec.name for spec in load_specs())
    assert report["failed"] == []

    uri = env["MLFLOW_TRACKING_URI"]
    mlflow_client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    for spec in load_specs():
        champion = mlflow_client.get_model_version_by_alias(spec.registered_model, "champion")
        run_data = mlflow_client.get_run(champion.run_id).data
        assert run_data.tags["airflow_run_id"] == run["dag_run_id"]
        test, baseline = run_data.metrics[f"test_{spec.metric}"], run_data.metrics[f"baseline_{spec.metric}"]
        assert test > baseline if spec.greater_is_better else test < baseline
