"""A model whose data is empty or broken fails alone, with a message naming the model, file and problem."""

from __future__ import annotations

import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from onec_ml import DatasetError, load_specs
from onec_ml.data import split_file
from onec_ml.training import prepare

pytestmark = [pytest.mark.corpus]

SPECS = {spec.name: spec for spec in load_specs()}


def _copy(dataset: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "dataset"
    shutil.copytree(dataset, copy)
    return copy


def _rewrite(path: Path, change) -> None:
    table = pq.read_table(path)
    pq.write_table(change(table), path)


def test_no_compilation_directive_fails_the_classification_alone(
    ssl_ml_dataset: Path, tmp_path: Path
) -> None:
    dataset = _copy(ssl_ml_dataset, tmp_path)
    train_file = split_file(dataset, "train")
    _rewrite(
        train_file,
        lambda t: t.set_column(
            t.schema.get_field_index("directives"),
            t.schema.field("directives"),
            pa.array([[] for _ in range(t.num_rows)], t.schema.field("directives").type),
        ),
    )
    with pytest.raises(DatasetError) as error:
        prepare(SPECS["execution_context"], dataset)
    message = str(error.value)
    assert "classification model 'execution_context'" in message
    assert str(train_file) in message
    assert "compilation directive" in message
    for name in ("cognitive_complexity", "near_duplicates", "review_priority", "call_suggestions"):
        assert prepare(SPECS[name], dataset) is not None, name


def test_a_truncated_split_file_is_named(ssl_ml_dataset: Path, tmp_path: Path) -> None:
    dataset = _copy(ssl_ml_dataset, tmp_path)
    test_file = split_file(dataset, "test")
    test_file.write_bytes(test_file.read_bytes()[:1000])
    with pytest.raises(
        DatasetError,
        match=r"regression model 'cognitive_complexity': .*test-00000-of-00001\.parquet: not a readable Parquet file",
    ):
        prepare(SPECS["cognitive_complexity"], dataset)


def test_an_empty_split_is_named(ssl_ml_dataset: Path, tmp_path: Path) -> None:
    dataset = _copy(ssl_ml_dataset, tmp_path)
    _rewrite(split_file(dataset, "validation"), lambda t: t.slice(0, 0))
    with pytest.raises(
        DatasetError, match=r"validation-00000-of-00001\.parquet: the validation split has no rows"
    ):
        prepare(SPECS["call_suggestions"], dataset)


def test_a_missing_column_is_named(ssl_ml_dataset: Path, tmp_path: Path) -> None:
    dataset = _copy(ssl_ml_dataset, tmp_path)
    _rewrite(split_file(dataset, "train"), lambda t: t.drop_columns(["findings", "findings_count"]))
    with pytest.raises(
        DatasetError,
        match=r"ranking model 'review_priority': .*train-00000-of-00001\.parquet: missing column\(s\) findings",
    ):
        prepare(SPECS["review_priority"], dataset)
    assert prepare(SPECS["execution_context"], dataset) is not None


def test_no_common_module_calls_fails_the_recommendation(ssl_ml_dataset: Path, tmp_path: Path) -> None:
    dataset = _copy(ssl_ml_dataset, tmp_path)
    _rewrite(
        split_file(dataset, "train"),
        lambda t: t.filter(pc.equal(t["calls_out_count"], 0)),
    )
    with pytest.raises(DatasetError, match=r"no method calling a common module"):
        prepare(SPECS["call_suggestions"], dataset)


def test_not_a_dataset_folder(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"clustering model 'near_duplicates': .*train split is missing"):
        prepare(SPECS["near_duplicates"], tmp_path)
