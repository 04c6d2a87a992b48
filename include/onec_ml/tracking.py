"""Where runs and models are tracked: MLflow, embedded or served.

The tracking URI is the caller's, else ``MLFLOW_TRACKING_URI``, else an embedded SQLite store
``<project>/var/mlflow/mlflow.db`` (the model registry needs a database; a ``file:`` store has none)
with artifacts beside it in ``var/mlflow/artifacts``. In production ``MLFLOW_TRACKING_URI`` points
to the ``mlflow`` service of docker-compose.yml (PostgreSQL behind it, artifacts proxied to the
shared volume), and an experiment's artifact location is the server's to decide.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlparse

PROJECT = Path(__file__).resolve().parents[2]
DEFAULT_HOME = PROJECT / "var" / "mlflow"
CHAMPION = "champion"


def tracking_uri(uri: str | None = None) -> str:
    return uri or os.environ.get("MLFLOW_TRACKING_URI") or f"sqlite:///{DEFAULT_HOME / 'mlflow.db'}"


def sqlite_path(uri: str) -> Path | None:
    if not uri.startswith("sqlite:///"):
        return None
    return Path(urlparse(uri).path if uri.startswith("sqlite:////") else uri[len("sqlite:///") :])


def artifact_location(uri: str, experiment: str | None = None) -> str | None:
    """``<db folder>/artifacts[/<experiment>]`` for an embedded SQLite store; None lets a tracking
    server decide."""
    path = sqlite_path(uri)
    if path is None:
        return None
    root = path.resolve().parent / "artifacts"
    return (root / experiment.replace("/", "_") if experiment else root).as_uri()


def connect(uri: str | None = None):
    """An ``MlflowClient`` on *uri* (tracking and registry), with the process's fluent API set to it."""
    import mlflow
    from mlflow import MlflowClient

    uri = tracking_uri(uri)
    path = sqlite_path(uri)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
    mlflow.set_tracking_uri(uri)
    mlflow.set_registry_uri(uri)
    return MlflowClient(tracking_uri=uri, registry_uri=uri)


def experiment_id(client, name: str, uri: str) -> str:
    """The id of experiment *name*, created (with the embedded artifact location) when missing."""
    from mlflow.exceptions import MlflowException

    found = client.get_experiment_by_name(name)
    if found is not None:
        return found.experiment_id
    try:
        return client.create_experiment(name, artifact_location=artifact_location(uri, name))
    except MlflowException:  # created meanwhile by a parallel training
        found = client.get_experiment_by_name(name)
        if found is None:
            raise
        return found.experiment_id


def prepare(specs, uri: str | None = None) -> str:
    """Create the store (schema migration), the experiments and registered models before parallel
    trainings start: two processes migrating one new SQLite file at once would collide."""
    from mlflow.exceptions import MlflowException

    uri = tracking_uri(uri)
    client = connect(uri)
    for spec in specs:
        experiment_id(client, spec.experiment, uri)
        try:
            client.get_registered_model(spec.registered_model)
        except MlflowException:
            client.create_registered_model(spec.registered_model, description=spec.description)
    return uri


def champion(client, spec):
    """The model version of *spec* with the ``champion`` alias, or None."""
    from mlflow.exceptions import MlflowException

    try:
        return client.get_model_version_by_alias(spec.registered_model, CHAMPION)
    except MlflowException:
        return None
