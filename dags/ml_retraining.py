"""
### Retraining of the five models on the EDT ML dataset

Trains one model per type on the dataset `edt_analysis` writes (one row per BSL method), in parallel,
then promotes the better ones and prunes old experiments:

`model_specs` → `dataset` → `train` (one mapped task per model) → `evaluate_all` → `cleanup_old_experiments`

* **Schedule**: every night at 02:00 UTC, and whenever the Asset `edt_ml_dataset` is updated.
* **Dataset**: the `dataset` param (a folder or URL) when set, else the `url` of the latest
  `edt_ml_dataset` event; a run before any dataset exists is skipped.
* **Models** (specs as data in `include/onec_ml/models.yaml`): execution context (classification,
  macro-F1), cognitive complexity (regression, MAE), near-duplicate methods (clustering,
  silhouette), review priority of common-module methods (ranking, NDCG@10), calls to suggest
  (recommendation, recall@10); each tuned on validation, scored on test against a baseline.
* **Fan-in**: `evaluate_all` scores the current `champion` of each type on the same test split and
  moves the alias only to a better model. A failed model does not stop the others; the report (log
  and `evaluation.json` under the run's artifacts) says which failed and why. The run fails only if
  every model failed.
* `cleanup_old_experiments` keeps the last `ML_KEEP_RUNS` (5) runs per model and deletes the rest
  with their artifacts; the champion's run is always kept.
* Tracking: MLflow at `MLFLOW_TRACKING_URI` (embedded default: `var/mlflow/mlflow.db`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import (
    Asset,
    AssetOrTimeSchedule,
    CronTriggerTimetable,
    Param,
    dag,
    get_current_context,
    task,
)

from edt_platform import ml_steps, steps

# The Asset edt_analysis's ml_dataset task updates (same name and URI: the same Asset).
EDT_DATASET = Asset(name="edt_ml_dataset", uri="edt://datasets/ml_dataset")


@dag(
    dag_id="ml_retraining",
    schedule=AssetOrTimeSchedule(
        timetable=CronTriggerTimetable("0 2 * * *", timezone="UTC"), assets=[EDT_DATASET]
    ),
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(hours=1),
    doc_md=__doc__,
    tags=["ml", "1c"],
    default_args={
        "retries": 1,
        "retry_delay": timedelta(seconds=30),
        "execution_timeout": timedelta(minutes=30),
        "queue": "ml_heavy",
    },
    params={
        "dataset": Param(
            "",
            type="string",
            title="ML dataset",
            description="folder or URL of an `edt-analysis dataset` output; empty: the latest edt_ml_dataset",
        ),
    },
)
def ml_retraining():
    @task
    def model_specs() -> list[dict]:
        return ml_steps.specs()

    @task(inlets=[EDT_DATASET])
    def dataset() -> str:
        context = get_current_context()
        return ml_steps.dataset_url(context["params"]["dataset"], context["inlet_events"][EDT_DATASET])

    @task(map_index_template="{{ task.op_kwargs['spec']['name'] }}")
    def train(spec: dict, dataset: str) -> dict:
        return ml_steps.train(spec, dataset, _root(), get_current_context()["run_id"])

    # none_skipped: runs after failed trainings too, but not when the run had no dataset to train on
    @task(trigger_rule="none_skipped")
    def evaluate_all(specs: list[dict], dataset: str) -> dict:
        return ml_steps.evaluate(specs, dataset, _root())

    @task(trigger_rule="none_skipped")
    def cleanup_old_experiments(specs: list[dict]) -> dict:
        return ml_steps.cleanup(specs, ml_steps.keep_runs())

    specs, data = model_specs(), dataset()
    trained = train.partial(dataset=data).expand(spec=specs)
    evaluated = evaluate_all(specs, data)
    trained >> evaluated >> cleanup_old_experiments(specs)


def _root() -> str:
    context = get_current_context()
    return steps.root_url(None, context["dag"].dag_id, context["run_id"])


ml_retraining()
