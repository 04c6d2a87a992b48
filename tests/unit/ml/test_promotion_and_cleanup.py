"""Promotion to `champion` and pruning of old runs, on a real MLflow SQLite store.

The regression model is the fastest of the five; a version of it crippled to a few boosting
iterations plays the old, worse champion.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlparse

import pytest
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from onec_ml import ModelSpec, cleanup, evaluate_all, load_specs, prepare_tracking, train

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

REGRESSION = next(spec for spec in load_specs() if spec.name == "cognitive_complexity")


def _specs(name: str) -> tuple[ModelSpec, ModelSpec]:
    """A good and a weak variant of the regression model under a registered name of the test's own."""
    good = dataclasses.replace(REGRESSION, name=name, grid={"learning_rate": [0.1], "max_leaf_nodes": [31]})
    return good, dataclasses.replace(good, grid={"max_iter": [3]})


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    """One SQLite store for the module (creating one takes seconds); each test registers its own names."""
    return f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"


def _champion(uri: str, spec: ModelSpec) -> str:
    client = MlflowClient(tracking_uri=uri, registry_uri=uri)
    return str(client.get_model_version_by_alias(spec.registered_model, "champion").version)


def test_only_a_better_model_is_promoted(ssl_ml_dataset: Path, store: str) -> None:
    good, weak = _specs("complexity_promotion")
    tracking_uri = store
    prepare_tracking([good], tracking_uri)
    old = train(weak, ssl_ml_dataset, tracking_uri)
    report = evaluate_all([old], [good], ssl_ml_dataset, tracking_uri)
    assert report["promoted"] == ["complexity_promotion"]
    assert report["models"][0]["reason"] == "no champion yet"
    assert _champion(tracking_uri, good) == old["version"]

    better = train(good, ssl_ml_dataset, tracking_uri)
    report = evaluate_all([better], [good], ssl_ml_dataset, tracking_uri)
    decision = report["models"][0]
    assert decision["decision"] == "promoted", decision
    # the old champion was scored again on this dataset's test split
    assert decision["champion_version"] == old["version"]
    assert decision["champion_test"] == pytest.approx(old["test"])
    assert _champion(tracking_uri, good) == better["version"]

    same = train(good, ssl_ml_dataset, tracking_uri)
    report = evaluate_all([same], [good], ssl_ml_dataset, tracking_uri)
    decision = report["models"][0]
    assert decision["decision"] == "kept" and "not better than champion" in decision["reason"]
    assert report["promoted"] == []
    assert _champion(tracking_uri, good) == better["version"]


def test_failed_and_below_baseline_models_are_reported_not_promoted(ssl_ml_dataset: Path, store: str) -> None:
    good, weak = _specs("complexity_baseline")
    tracking_uri = store
    specs = [good if spec.name == "cognitive_complexity" else spec for spec in load_specs()]
    prepare_tracking(specs, tracking_uri)
    trained = train(weak, ssl_ml_dataset, tracking_uri)
    failed = {
        "model": "near_duplicates",
        "status": "failed",
        "error": "clustering model 'near_duplicates': x.parquet: no rows",
    }
    report = evaluate_all([{**trained, "beats_baseline": False}, failed], specs, ssl_ml_dataset, tracking_uri)
    decisions = {d["model"]: d for d in report["models"]}
    assert decisions["complexity_baseline"]["decision"] == "kept"
    assert "does not beat its baseline" in decisions["complexity_baseline"]["reason"]
    assert decisions["near_duplicates"] == {
        "model": "near_duplicates", "type": "clustering", "decision": "failed", "reason": failed["error"],
    }  # fmt: skip
    assert "did not run" in decisions["call_suggestions"]["reason"]
    assert sorted(report["failed"]) == [
        "call_suggestions",
        "execution_context",
        "near_duplicates",
        "review_priority",
    ]
    with pytest.raises(MlflowException):
        _champion(tracking_uri, good)


def test_cleanup_keeps_the_last_runs_and_the_champion(ssl_ml_dataset: Path, store: str) -> None:
    good, weak = _specs("complexity_cleanup")
    tracking_uri = store
    prepare_tracking([good], tracking_uri)
    runs = [train(weak, ssl_ml_dataset, tracking_uri) for _ in range(4)]
    evaluate_all([runs[0]], [good], ssl_ml_dataset, tracking_uri)  # the oldest becomes champion
    client = MlflowClient(tracking_uri=tracking_uri, registry_uri=tracking_uri)
    artifact_dirs = {
        r["run_id"]: Path(urlparse(client.get_run(r["run_id"]).info.artifact_uri).path) for r in runs
    }
    assert all(path.is_dir() for path in artifact_dirs.values())

    report = cleanup([good], keep=2, tracking_uri=tracking_uri)

    deleted = set(report["deleted"]["complexity_cleanup"])
    assert deleted == {runs[1]["run_id"]}  # runs[3], runs[2] are the last two; runs[0] is the champion
    remaining = {
        run.info.run_id
        for run in client.search_runs([client.get_experiment_by_name(good.experiment).experiment_id])
    }
    assert remaining == {runs[0]["run_id"], runs[2]["run_id"], runs[3]["run_id"]}
    assert not artifact_dirs[runs[1]["run_id"]].exists()
    assert artifact_dirs[runs[0]["run_id"]].is_dir()
    versions = {str(v.version) for v in client.search_model_versions(f"name='{good.registered_model}'")}
    assert runs[1]["version"] not in versions and runs[0]["version"] in versions
    assert _champion(tracking_uri, good) == runs[0]["version"]
    with pytest.raises(MlflowException):
        client.get_run(runs[1]["run_id"])  # purged from the SQLite store, not only marked deleted
