"""Model specs are data: models.yaml is read, checked, and round-trips through JSON (XCom)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from onec_ml import ModelSpec, SpecError, load_specs
from onec_ml.tracking import artifact_location, tracking_uri


def test_every_spec_builds_its_estimator() -> None:
    for spec in load_specs():
        for point in spec.grid_points():
            assert spec.make_estimator(point) is not None
        assert ModelSpec.from_dict(json.loads(json.dumps(spec.to_dict()))) == spec


def test_a_grid_key_the_estimator_does_not_take_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(
        "- {name: x, type: regression, estimator: sklearn.linear_model.Ridge, metric: mae,\n"
        "   greater_is_better: false, baseline: median, grid: {depth: [1, 2]}}\n"
    )
    with pytest.raises(
        SpecError,
        match=r"models.yaml: entry 1 \(x\): depth is neither an argument of sklearn.linear_model.Ridge",
    ):
        load_specs(path)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("- {name: x}\n", r"entry 1: missing type, estimator"),
        (
            "- {name: x, type: forecasting, estimator: sklearn.linear_model.Ridge, metric: mae, greater_is_better: false, baseline: b}\n",
            "type 'forecasting' is not one of",
        ),
        (
            "- {name: x, type: regression, estimator: sklearn.nothing.Here, metric: mae, greater_is_better: false, baseline: b}\n",
            "estimator 'sklearn.nothing.Here'",
        ),
        ("{}\n", "expected a list of model specs"),
    ],
)
def test_bad_specs_say_what_is_wrong(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "models.yaml"
    path.write_text(text)
    with pytest.raises(SpecError, match=message):
        load_specs(path)


def test_embedded_tracking_defaults_to_sqlite_under_var(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    uri = tracking_uri()
    assert uri.startswith("sqlite:///") and uri.endswith("/var/mlflow/mlflow.db")
    assert artifact_location(uri).endswith("/var/mlflow/artifacts")
    assert artifact_location(uri, "onec_ml/near_duplicates").endswith(
        "/var/mlflow/artifacts/onec_ml_near_duplicates"
    )
    monkeypatch.setenv("MLFLOW_TRACKING_URI", "http://mlflow:5000")
    assert tracking_uri() == "http://mlflow:5000" and artifact_location(tracking_uri()) is None
