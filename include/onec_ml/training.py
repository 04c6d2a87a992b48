"""Train one model spec: fit on train, tune on validation, score on test, track and register it."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from hashlib import blake2b
from pathlib import Path
from typing import Any

from onec_ml import tracking
from onec_ml.data import load_splits, split_file
from onec_ml.kinds import KINDS
from onec_ml.specs import ModelSpec

log = logging.getLogger(__name__)
PIP_REQUIREMENTS = ["scikit-learn", "pandas", "numpy", "scipy", "networkx", "onec-analysis"]


def prepare(spec: ModelSpec, dataset_dir: Path | str):
    """The spec's features and labels of every split of the dataset (DatasetError when unusable)."""
    kind = KINDS[spec.type]
    return kind.prepare(load_splits(dataset_dir, kind.COLUMNS, spec.label))


def fingerprint(dataset_dir: Path | str) -> str:
    """Identifies the test split's content, so a comparison says which held-out split it used."""
    digest = blake2b(digest_size=8)
    with open(split_file(Path(dataset_dir), "test"), "rb") as file:
        for chunk in iter(lambda: file.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def tune(spec: ModelSpec, prepared) -> tuple[Any, dict[str, Any], float, list[dict[str, Any]]]:
    """Fit every grid point on train, keep the best on validation: (model, point, its score, all points)."""
    kind = KINDS[spec.type]
    best = best_point = best_score = None
    table = []
    for point in spec.grid_points():
        started = time.perf_counter()
        model = kind.fit(spec, point, prepared)
        value = kind.score(model, prepared, "validation")
        table.append(
            {**point, f"validation_{spec.metric}": value, "seconds": round(time.perf_counter() - started, 2)}
        )
        log.info("%s %s: validation %s = %.4f", spec.label, point, spec.metric, value)
        if spec.better(value, best_score):
            best, best_point, best_score = model, point, value
    return best, best_point, best_score, table


def train(
    spec: ModelSpec,
    dataset_dir: Path | str,
    tracking_uri: str | None = None,
    *,
    run_name: str | None = None,
    tags: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Train *spec* on the dataset in *dataset_dir*, log the run and register a model version.

    Returns a small JSON-able result: model, type, metric, test and validation scores, the baseline's
    test score, whether it beats the baseline, the MLflow run id and registered version.
    """
    import mlflow
    import mlflow.sklearn

    started = time.perf_counter()
    kind = KINDS[spec.type]
    prepared = prepare(spec, dataset_dir)
    model, point, validation, table = tune(spec, prepared)
    test = kind.score(model, prepared, "test")
    base = kind.baseline(prepared, "test")
    beats = spec.better(test, base)

    uri = tracking.tracking_uri(tracking_uri)
    client = tracking.connect(uri)
    experiment = tracking.experiment_id(client, spec.experiment, uri)
    with mlflow.start_run(experiment_id=experiment, run_name=run_name or spec.name, tags=tags) as run:
        mlflow.set_tags({"model_type": spec.type, "estimator": spec.estimator, "baseline": spec.baseline})
        mlflow.log_params({"estimator": spec.estimator, **spec.params, **point, "dataset": str(dataset_dir)})
        mlflow.log_param("test_split", fingerprint(dataset_dir))
        with tempfile.TemporaryDirectory(prefix="onec-ml-") as tmp:
            folder = Path(tmp)
            extra = kind.report(model, prepared, folder)
            (folder / "tuning.json").write_text(json.dumps(table, indent=2, ensure_ascii=False) + "\n")
            mlflow.log_artifacts(str(folder), artifact_path="report")
        mlflow.log_metrics(
            {
                f"test_{spec.metric}": test,
                f"validation_{spec.metric}": validation,
                f"baseline_{spec.metric}": base,
                **extra,
            }
        )
        info = mlflow.sklearn.log_model(
            model,
            name="model",
            serialization_format="pickle",
            pip_requirements=PIP_REQUIREMENTS,
            registered_model_name=spec.registered_model,
        )
        seconds = round(time.perf_counter() - started, 2)
        mlflow.log_metric("training_seconds", seconds)
    version = str(info.registered_model_version)
    client.set_model_version_tag(spec.registered_model, version, f"test_{spec.metric}", f"{test:.6f}")
    client.set_model_version_tag(spec.registered_model, version, "test_split", fingerprint(dataset_dir))
    result = {
        "model": spec.name,
        "type": spec.type,
        "status": "trained",
        "metric": spec.metric,
        "greater_is_better": spec.greater_is_better,
        "test": float(test),
        "validation": float(validation),
        "baseline": float(base),
        "beats_baseline": beats,
        "params": point,
        "run_id": run.info.run_id,
        "registered_model": spec.registered_model,
        "version": version,
        "dataset": str(dataset_dir),
        "seconds": seconds,
    }
    log.info(
        "%s: test %s %.4f vs baseline %.4f (%s) in %.1fs -> %s v%s",
        spec.label, spec.metric, test, base, "beats it" if beats else "does NOT beat it", seconds,
        spec.registered_model, version,
    )  # fmt: skip
    return result
