"""All five models, trained on the SSL dataset, beat their stated baselines on the test split."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from mlflow import MlflowClient

from onec_ml import load_specs, prepare_tracking, train

pytestmark = [pytest.mark.corpus, pytest.mark.slow]

SPECS = {spec.name: spec for spec in load_specs()}


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> str:
    uri = f"sqlite:///{tmp_path_factory.mktemp('mlflow') / 'mlflow.db'}"
    prepare_tracking(list(SPECS.values()), uri)
    return uri


def test_the_specs_cover_the_five_model_types() -> None:
    assert sorted(spec.type for spec in SPECS.values()) == [
        "classification", "clustering", "ranking", "recommendation", "regression",
    ]  # fmt: skip


@pytest.mark.parametrize("name", list(SPECS))
def test_model_beats_its_baseline_and_is_tracked(name: str, ssl_ml_dataset: Path, store: str) -> None:
    spec = SPECS[name]
    result = train(spec, ssl_ml_dataset, store)

    print(f"{name}: test {spec.metric} {result['test']:.4f} vs baseline {result['baseline']:.4f}")
    assert result["beats_baseline"] is True
    if spec.greater_is_better:
        assert result["test"] > result["baseline"]
    else:
        assert result["test"] < result["baseline"]
    assert set(result["params"]) <= set(spec.grid)

    client = MlflowClient(tracking_uri=store, registry_uri=store)
    run = client.get_run(result["run_id"])
    assert run.data.metrics[f"test_{spec.metric}"] == pytest.approx(result["test"])
    assert run.data.metrics[f"baseline_{spec.metric}"] == pytest.approx(result["baseline"])
    assert run.data.params["estimator"] == spec.estimator
    version = client.get_model_version(spec.registered_model, result["version"])
    assert version.run_id == result["run_id"]
    reports = {Path(a.path).name for a in client.list_artifacts(result["run_id"], "report")}
    assert "tuning.json" in reports


# The floors are well under what SSL gives (see the README); they catch a model that stopped learning.
FLOORS = {"execution_context": 0.8, "cognitive_complexity": 1.5, "near_duplicates": 0.03,
          "review_priority": 0.65, "call_suggestions": 0.45}  # fmt: skip


def test_models_learn_something_useful(ssl_ml_dataset: Path, store: str) -> None:
    client = MlflowClient(tracking_uri=store, registry_uri=store)
    for name, floor in FLOORS.items():
        spec = SPECS[name]
        versions = client.search_model_versions(f"name='{spec.registered_model}'")
        assert versions, f"{name} was not trained in this module"
        value = client.get_run(versions[0].run_id).data.metrics[f"test_{spec.metric}"]
        assert value < floor if not spec.greater_is_better else value > floor, (name, value)


def test_duplicate_groups_are_listed_for_the_team(ssl_ml_dataset: Path, store: str, tmp_path: Path) -> None:
    spec = SPECS["near_duplicates"]
    client = MlflowClient(tracking_uri=store, registry_uri=store)
    run_id = client.search_model_versions(f"name='{spec.registered_model}'")[0].run_id
    path = client.download_artifacts(run_id, "report/duplicate_groups.csv", str(tmp_path))
    with open(path, encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) > 100
    groups: dict[str, list[dict]] = {}
    for row in rows:
        groups.setdefault(row["group"], []).append(row)
    assert all(len(members) >= 2 for members in groups.values())
    first = groups["1"]
    assert int(first[0]["redundant_ncloc"]) >= int(groups[str(len(groups))][0]["redundant_ncloc"])
    assert all(int(row["ncloc"]) >= 5 for row in rows)
