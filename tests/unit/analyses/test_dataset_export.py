"""ML dataset export on a hand-written snapshot: records, code slices, calls, findings, files and card.

The configuration (fixtures/dataset/small_configuration.json, texts in fixtures/dataset/modules/):
a catalog with an object module and a form, a common module Tools, and a protected common module
Locked without source.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from onec_analysis.analyses import dataset
from onec_analysis.analyses.dataset.records import FINDING, dataset_schema, records
from onec_analysis.analyses.dataset.split import split_of
from onec_analysis.rules.engine import FINDINGS_SCHEMA
from onec_analysis.snapshot.io import SnapshotError
from tests.support.snapshots import make_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "dataset"


def small_snapshot(path: Path, *, without_text: tuple[str, ...] = ()) -> Path:
    rows = json.loads((FIXTURES / "small_configuration.json").read_text(encoding="utf-8"))
    rows.pop("_about")
    texts = []
    for module in rows["modules"]:
        text_file = module.pop("text_file")
        if module["module_id"] not in without_text:
            text = (FIXTURES / text_file).read_text(encoding="utf-8") if text_file else ""
            texts.append({"module_id": module["module_id"], "text": text})
    return make_snapshot(path, configuration="Demo", module_texts=texts, **rows)


def findings_table(rows: list[dict]) -> pa.Table:
    full = [{name: row.get(name) for name in FINDINGS_SCHEMA.names} for row in rows]
    return pa.Table.from_pylist(full, schema=FINDINGS_SCHEMA)


def all_records(snapshot: Path, findings: pa.Table | None = None) -> dict[str, dict]:
    rows = pa.concat_tables(list(records(snapshot, findings))).to_pylist()
    return {row["method_id"]: row for row in rows}


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_snapshot(tmp_path_factory.mktemp("dataset") / "snapshot")


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory, snapshot: Path) -> Path:
    out = tmp_path_factory.mktemp("dataset-out") / "dataset"
    dataset.run(snapshot, out, workers=1)
    return out


def test_code_is_the_method_lines_of_its_module(snapshot: Path) -> None:
    rows = all_records(snapshot)
    assert rows["Catalog.Customers.ObjectModule.Полное"]["code"] == (
        'Функция Полное(Знач Префикс = "") Экспорт\n\tВозврат Префикс + Наименование;\nКонецФункции'
    )
    assert (
        rows["Catalog.Customers.Form.Item.Module.Обновить"]["code"] == "Процедура Обновить()\nКонецПроцедуры"
    )
    before_write = rows["Catalog.Customers.ObjectModule.ПередЗаписью"]["code"].split("\n")
    assert before_write[0] == "Процедура ПередЗаписью(Отказ)" and before_write[-1] == "КонецПроцедуры"
    assert len(before_write) == 6  # lines 4..9, the comment above stays in doc_comment


def test_record_carries_signature_owner_and_metrics(snapshot: Path) -> None:
    row = all_records(snapshot)["CommonModule.Tools.Module.Записать"]
    assert {key: row[key] for key in ("configuration", "object_id", "object_type", "module_id", "module_type",
                                      "name", "kind", "export", "directives", "start_line", "end_line", "ncloc",
                                      "cyclomatic", "cognitive")} == {
        "configuration": "Demo", "object_id": "CommonModule.Tools", "object_type": "CommonModule",
        "module_id": "CommonModule.Tools.Module", "module_type": "CommonModule", "name": "Записать",
        "kind": "Procedure", "export": True, "directives": [], "start_line": 5, "end_line": 7, "ncloc": 3,
        "cyclomatic": 1, "cognitive": 0,
    }  # fmt: skip
    assert row["params"] == [{"name": "Значение", "by_value": False, "default": None}]
    assert row["doc_comment"].startswith("Записывает значение в журнал.")
    form = all_records(snapshot)["Catalog.Customers.Form.Item.Module.ПриОткрытии"]
    assert (form["object_type"], form["module_type"], form["directives"]) == (
        "Catalog",
        "FormModule",
        ["AtClient"],
    )


def test_calls_out_are_listed_in_line_order(snapshot: Path) -> None:
    rows = all_records(snapshot)
    opening = rows["Catalog.Customers.Form.Item.Module.ПриОткрытии"]
    assert opening["calls_out"] == [
        "Catalog.Customers.Обновить",  # line 3 (local)
        "CommonModule.Tools.Сообщить",  # line 4
        "CommonModule.Tools.Сообщить",  # line 5
    ]
    assert opening["calls_out_count"] == 3
    assert rows["Catalog.Customers.ObjectModule.ПередЗаписью"]["calls_out"] == ["CommonModule.Tools.Записать"]
    assert (rows["CommonModule.Tools.Module.Сообщить"]["calls_out"], rows["CommonModule.Tools.Module.Сообщить"][
        "calls_out_count"]) == ([], 0)  # fmt: skip


def test_findings_are_grouped_per_method_and_module_level_ones_left_out(snapshot: Path) -> None:
    findings = findings_table(
        [
            {"rule": "B", "severity": "MAJOR", "type": "CODE_SMELL", "module_id": "CommonModule.Tools.Module",
             "method_id": "CommonModule.Tools.Module.Сообщить", "line": 12, "column": 2, "message": "second"},
            {"rule": "A", "severity": "INFO", "type": "CODE_SMELL", "module_id": "CommonModule.Tools.Module",
             "method_id": "CommonModule.Tools.Module.Сообщить", "line": 10, "column": 2, "end_line": 10,
             "message": "first"},
            {"rule": "C", "severity": "INFO", "type": "CODE_SMELL", "module_id": "CommonModule.Tools.Module",
             "method_id": None, "line": 1, "column": 1, "message": "module body"},
        ]
    )  # fmt: skip
    rows = all_records(snapshot, findings)
    said = rows["CommonModule.Tools.Module.Сообщить"]
    assert [(f["rule"], f["line"], f["message"]) for f in said["findings"]] == [(
        "A", 10, "first"), ("B", 12, "second")]  # fmt: skip
    assert said["findings"][0] == {"rule": "A", "severity": "INFO", "type": "CODE_SMELL", "line": 10, "column": 2,
                                   "end_line": 10, "message": "first"}  # fmt: skip
    assert said["findings_count"] == 2
    assert sum(row["findings_count"] for row in rows.values()) == 2
    assert all(
        row["findings"] == [] for key, row in rows.items() if key != "CommonModule.Tools.Module.Сообщить"
    )


def test_without_findings_the_columns_are_absent(snapshot: Path) -> None:
    batch = next(records(snapshot))
    assert "findings" not in batch.column_names
    assert batch.schema.equals(dataset_schema(with_findings=False))
    assert dataset_schema(with_findings=True).field("findings").type == pa.list_(FINDING)


def test_a_module_without_text_gives_null_code_but_keeps_its_methods(tmp_path: Path) -> None:
    snapshot = small_snapshot(tmp_path / "snapshot", without_text=("CommonModule.Tools.Module",))
    rows = all_records(snapshot)
    assert len(rows) == 6
    assert rows["CommonModule.Tools.Module.Записать"]["code"] is None
    assert rows["Catalog.Customers.ObjectModule.Полное"]["code"] is not None


def test_files_hold_every_method_in_its_split(export: Path) -> None:
    frame = pd.read_parquet(export / "data")
    assert len(frame) == 6
    assert all(frame["split"] == frame["method_id"].map(split_of))
    for split in ("train", "validation", "test"):
        path = export / "data" / f"{split}-00000-of-00001.parquet"
        expected = int((frame["split"] == split).sum())
        # a split without methods gets no file (Hugging Face `datasets` refuses empty splits)
        assert path.is_file() == (expected > 0)
        if expected:
            table = pq.read_table(path)
            assert table.num_rows == expected and set(table["split"].to_pylist()) == {split}


def test_dataset_json_and_card_report_the_real_counts(export: Path) -> None:
    info = json.loads((export / "dataset.json").read_text(encoding="utf-8"))
    frame = pd.read_parquet(export / "data")
    assert (
        info["total"] == 6
        and info["exported"] == 3
        and info["with_code"] == 6
        and info["with_doc_comment"] == 2
    )
    assert info["with_calls"] == 2
    assert {s["name"]: s["rows"] for s in info["splits"]} == frame["split"].value_counts().reindex(
        ["train", "validation", "test"], fill_value=0).to_dict()  # fmt: skip
    assert info["problems"] == {"protected_module": 1}
    assert info["findings"]["total"] == int(frame["findings_count"].sum())
    listed = {entry["file"] for entry in info["outputs"]}
    assert listed == {str(p.relative_to(export)) for p in export.rglob("*") if p.is_file()}

    card = (export / "README.md").read_text(encoding="utf-8")
    header = yaml.safe_load(card.split("---\n")[1])
    assert header["license"] == "other"
    assert [f["split"] for f in header["configs"][0]["data_files"]] == info["split_files"]
    assert "| all | 6 |" in card
    assert "the code of the configuration that was analysed" in card
    assert "protected_module: 1" in card
    for field in dataset_schema(with_findings=True).names:
        assert f"| `{field}` |" in card


def test_findings_match_the_rule_engine(export: Path, snapshot: Path) -> None:
    from onec_analysis.rules import check_snapshot

    engine = check_snapshot(snapshot, workers=1).to_pandas()
    frame = pd.read_parquet(export / "data")
    per_method = engine[engine["method_id"].notna()].groupby("method_id").size()
    assert frame.set_index("method_id")["findings_count"].to_dict() == {
        method_id: int(per_method.get(method_id, 0)) for method_id in frame["method_id"]
    }


def test_findings_can_come_from_a_best_practice_output(tmp_path: Path, snapshot: Path) -> None:
    best_practices = tmp_path / "best_practices"
    best_practices.mkdir()
    pq.write_table(
        findings_table(
            [{"rule": "UsingGoto", "severity": "MAJOR", "type": "CODE_SMELL", "module_id": "CommonModule.Tools.Module",
              "method_id": "CommonModule.Tools.Module.Записать", "line": 6, "column": 2, "message": "goto"}]
        ),
        best_practices / "findings.parquet",
    )  # fmt: skip
    dataset.run(snapshot, tmp_path / "ds", findings_from=best_practices)
    frame = pd.read_parquet(tmp_path / "ds" / "data").set_index("method_id")
    assert frame["findings_count"].to_dict() == {
        method_id: int(method_id == "CommonModule.Tools.Module.Записать") for method_id in frame.index
    }
    assert f"read from {best_practices}" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")

    (tmp_path / "not_findings.parquet").write_bytes(b"not parquet")
    with pytest.raises(SnapshotError, match="not_findings.parquet: cannot read best-practice findings"):
        dataset.run(snapshot, tmp_path / "ds2", findings_from=tmp_path / "not_findings.parquet")
    pq.write_table(pa.table({"rule": ["X"]}), tmp_path / "other.parquet")
    with pytest.raises(SnapshotError, match="other.parquet: not a best-practice findings table"):
        dataset.run(snapshot, tmp_path / "ds2", findings_from=tmp_path / "other.parquet")


def test_loadable_by_pandas_and_duckdb(export: Path) -> None:
    frame = pd.read_parquet(export / "data", filters=[("split", "==", "train")])
    assert set(frame["split"]) == {"train"}
    counts = duckdb.sql(
        f"SELECT split, count(*) FROM read_parquet('{export}/data/*.parquet') GROUP BY split ORDER BY split"
    ).fetchall()
    assert sum(n for _, n in counts) == 6


def test_loadable_by_hugging_face_datasets_offline(export: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("HF_DATASETS_OFFLINE", "1")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf-home"))
    import datasets

    # the library reads the variables at import; an earlier import in this session would miss them
    monkeypatch.setattr(datasets.config, "HF_DATASETS_OFFLINE", True, raising=False)
    monkeypatch.setattr(datasets.config, "HF_HUB_OFFLINE", True, raising=False)
    datasets.disable_progress_bars()
    by_dir = datasets.load_dataset("parquet", data_dir=str(export / "data"), cache_dir=str(tmp_path / "a"))
    by_card = datasets.load_dataset(str(export), cache_dir=str(tmp_path / "b"))
    frame = pd.read_parquet(export / "data")
    expected = frame["split"].value_counts().to_dict()
    for loaded in (by_dir, by_card):
        assert {name: split.num_rows for name, split in loaded.items()} == expected
    train = by_card["train"]
    assert train.features["code"].dtype == "large_string"
    assert set(train["method_id"]) == set(frame.loc[frame["split"] == "train", "method_id"])


def test_missing_snapshot_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such snapshot folder"):
        dataset.run(tmp_path / "absent", tmp_path / "out", findings=False)
    assert not (tmp_path / "out").exists()


def test_subcommand_without_findings(
    tmp_path: Path, snapshot: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="edt-analysis")
    dataset.add_parser(parser.add_subparsers(dest="command"))
    args = parser.parse_args(["dataset", str(snapshot), "--out", str(tmp_path / "ds"), "--no-findings"])
    assert args.func(args) == 0
    assert "dataset: 6 methods" in capsys.readouterr().out
    table = pq.read_table(next((tmp_path / "ds" / "data").glob("train-*.parquet")))
    assert "findings" not in table.column_names
    assert "without the best-practice rules" in (tmp_path / "ds" / "README.md").read_text(encoding="utf-8")
