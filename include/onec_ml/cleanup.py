"""Keep the last N runs of every model; delete older runs with their artifacts and model versions.

A run whose model version is the ``champion`` is never deleted, whatever its age. Deleting a run
removes its registered model version, its logged model and both artifact folders, then the run
itself; on the embedded SQLite store the run is purged at once (what ``mlflow gc`` does), on a
tracking server it stays in the ``deleted`` stage until the server's ``mlflow gc``.
"""

from __future__ import annotations

import logging
from typing import Any

from onec_ml import tracking
from onec_ml.specs import ModelSpec

log = logging.getLogger(__name__)


def cleanup(specs: list[ModelSpec], keep: int = 5, tracking_uri: str | None = None) -> dict[str, Any]:
    """Delete all but the *keep* most recent runs of each spec's experiment; returns what was deleted."""
    if keep < 1:
        raise ValueError(f"keep must be at least 1, got {keep}")
    uri = tracking.tracking_uri(tracking_uri)
    client = tracking.connect(uri)
    deleted: dict[str, list[str]] = {}
    for spec in specs:
        experiment = client.get_experiment_by_name(spec.experiment)
        if experiment is None:
            deleted[spec.name] = []
            continue
        runs = client.search_runs(
            [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=10_000
        )
        current = tracking.champion(client, spec)
        protected = {current.run_id} if current is not None else set()
        old = [run for run in runs[keep:] if run.info.run_id not in protected]
        for run in old:
            _delete_run(client, uri, spec, run)
        deleted[spec.name] = [run.info.run_id for run in old]
        log.info("%s: kept %d runs, deleted %d", spec.name, len(runs) - len(old), len(old))
    return {"keep": keep, "deleted": deleted}


def _delete_run(client, uri: str, spec: ModelSpec, run) -> None:
    from mlflow.store.artifact.artifact_repository_registry import get_artifact_repository

    run_id = run.info.run_id
    for version in client.search_model_versions(f"name='{spec.registered_model}' and run_id='{run_id}'"):
        client.delete_model_version(spec.registered_model, version.version)
    for model in client.search_logged_models(
        experiment_ids=[run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'"
    ):
        _delete_artifacts(get_artifact_repository, model.artifact_location)
        client.delete_logged_model(model.model_id)
    _delete_artifacts(get_artifact_repository, run.info.artifact_uri)
    client.delete_run(run_id)
    store = _store(uri)
    if hasattr(store, "_hard_delete_run"):
        store._hard_delete_run(run_id)
        for model in client.search_logged_models(
            experiment_ids=[run.info.experiment_id], filter_string=f"source_run_id = '{run_id}'"
        ):
            store._hard_delete_logged_model(model.model_id)


def _delete_artifacts(repository_for, uri: str) -> None:
    try:
        repository_for(uri).delete_artifacts()
    except FileNotFoundError:
        pass


def _store(uri: str):
    from mlflow.tracking._tracking_service.utils import _get_store

    return _get_store(uri)
