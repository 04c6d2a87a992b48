"""The steps of the ``ml_retraining`` DAG: dataset location, artifacts and failures around ``onec_ml``.

Each function is one task body and takes and returns small JSON values. Every training writes its
outcome — the result, or the error that stopped it — to ``<run root>/results/<model>.json``, so
``evaluate`` can say which model failed and why even though a failed task leaves no XCom.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path
from typing import Any

from airflow.sdk import ObjectStoragePath
from airflow.sdk.exceptions import AirflowFailException, AirflowSkipException

from edt_platform.artifacts import reading

log = logging.getLogger(__name__)


def specs() -> list[dict[str, Any]]:
    """The model specs as dicts, with the tracking store, experiments and registered models ready."""
    from onec_ml import load_specs, prepare_tracking

    loaded = load_specs()
    uri = prepare_tracking(loaded)
    log.info("tracking at %s; models: %s", uri, ", ".join(spec.name for spec in loaded))
    return [spec.to_dict() for spec in loaded]


def dataset_url(param: str, inlet_events) -> str:
    """The dataset to train on: the ``dataset`` param (path or URL), else the latest ``edt_ml_dataset``
    event's ``url`` (written by edt_analysis's ml_dataset task). A run before any dataset exists
    (the nightly schedule on a fresh installation) is skipped: there is nothing to train on yet."""
    if param:
        url = param if "://" in param else Path(param).resolve().as_uri()
        log.info("dataset from the run's param: %s", url)
        return url
    events = list(inlet_events)
    if not events:
        raise AirflowSkipException(
            "no dataset: edt_analysis has not produced edt_ml_dataset yet; trigger with the `dataset` param"
        )
    latest = events[-1]
    url = (latest.extra or {}).get("url")
    if not url:
        raise AirflowFailException(
            f"the latest edt_ml_dataset event ({latest.timestamp}) has no `url` in its extra"
        )
    log.info("dataset of the latest edt_ml_dataset event (%s): %s", latest.timestamp, url)
    return url


def train(spec: dict[str, Any], dataset: str, root: str, run_id: str) -> dict[str, Any]:
    """Train one model; a dataset it cannot learn from fails at once (no retry), with the reason recorded."""
    from onec_ml import DatasetError, ModelSpec
    from onec_ml import train as train_model

    model = ModelSpec.from_dict(spec)
    try:
        with reading(ObjectStoragePath(dataset)) as folder:
            result = train_model(
                model, folder, run_name=f"{model.name} {run_id}", tags={"airflow_run_id": run_id}
            )
    except DatasetError as exc:
        _record(root, model.name, {"model": model.name, "status": "failed", "error": str(exc)})
        raise AirflowFailException(str(exc)) from None
    except Exception as exc:
        _record(
            root,
            model.name,
            {"model": model.name, "status": "failed", "error": f"{type(exc).__name__}: {exc}"},
        )
        raise
    result["dataset"] = dataset
    _record(root, model.name, result)
    return result


def evaluate(specs: list[dict[str, Any]] | None, dataset: str | None, root: str) -> dict[str, Any]:
    """Promote the better models; fail the run only when no model trained at all."""
    from onec_ml import ModelSpec, evaluate_all

    if not specs or not dataset:
        raise AirflowFailException("nothing to evaluate: model_specs or dataset failed (see their logs)")
    models = [ModelSpec.from_dict(spec) for spec in specs]
    results = [_read(root, model.name) for model in models]
    with reading(ObjectStoragePath(dataset)) as folder:
        report = evaluate_all([r for r in results if r], models, folder)
    (ObjectStoragePath(root) / "evaluation.json").write_text(json.dumps(report, ensure_ascii=False, indent=2))
    if len(report["failed"]) == len(models):
        raise AirflowFailException(f"every model failed: {json.dumps(report['models'], ensure_ascii=False)}")
    if report["failed"]:
        log.warning("failed models: %s (the others were evaluated)", ", ".join(report["failed"]))
    return {key: report[key] for key in ("promoted", "failed", "test_split")}


def cleanup(specs: list[dict[str, Any]] | None, keep: int) -> dict[str, Any]:
    from onec_ml import ModelSpec
    from onec_ml import cleanup as cleanup_runs

    if not specs:
        raise AirflowFailException("no model specs: model_specs failed (see its log)")
    report = cleanup_runs([ModelSpec.from_dict(spec) for spec in specs], keep=keep)
    return {name: len(runs) for name, runs in report["deleted"].items()}


def keep_runs() -> int:
    return int(os.environ.get("ML_KEEP_RUNS", "5"))


def _record(root: str, model: str, outcome: dict[str, Any]) -> None:
    path = ObjectStoragePath(root) / "results" / f"{model}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(outcome, ensure_ascii=False, indent=2))


def _read(root: str, model: str) -> dict[str, Any] | None:
    path = ObjectStoragePath(root) / "results" / f"{model}.json"
    return json.loads(path.read_text()) if path.exists() else None
