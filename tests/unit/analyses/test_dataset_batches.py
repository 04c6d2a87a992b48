"""Dataset records built a batch of modules at a time: exact rows and order at the batch edges.

The snapshot's tables are rewritten with two rows per row group, so a module's methods, calls and
findings straddle row groups, and the texts are read two modules per batch:

    module_texts  [A, B] [D]          (C has no text row)
    methods       [A.F2, A.P1] [A.P3, B.Q1] [C.R1, D.S1]
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses import dataset
from onec_analysis.analyses.dataset import records as records_module
from onec_analysis.analyses.dataset.lookup import FileLookup, TableLookup, write_sorted
from onec_analysis.analyses.dataset.records import FINDINGS_COLUMNS, records, write_findings
from onec_analysis.rules.engine import FINDINGS_SCHEMA
from onec_analysis.snapshot.io import SnapshotError
from tests.support.snapshots import make_snapshot

TEXTS = {
    "CommonModule.A.Module": "Процедура P1()\nКонецПроцедуры\n\nФункция F2()\n\tВозврат P1();\nКонецФункции\n\n"
    "Процедура P3()\n\tF2(); P1();\nКонецПроцедуры\n",
    "CommonModule.B.Module": "Процедура Q1()\n\tD.S1();\nКонецПроцедуры\n",
    "CommonModule.D.Module": "Процедура S1()\nКонецПроцедуры\n",
}
METHODS = [  # (module, name, start_line, end_line), sorted by method id as a parse writes them
    ("A", "F2", 4, 6), ("A", "P1", 1, 2), ("A", "P3", 8, 10), ("B", "Q1", 1, 3), ("C", "R1", 1, 3), ("D", "S1", 1, 2),
]  # fmt: skip
CALLS = [  # (caller module, caller method, line, callee object, callee method), sorted by module and line
    ("A", "F2", 5, "CommonModule.A", "P1"), ("A", "P3", 9, "CommonModule.A", "F2"),
    ("A", "P3", 9, "CommonModule.A", "P1"), ("B", "Q1", 2, "CommonModule.D", "S1"),
    ("C", "R1", 2, "CommonModule.B", "Q1"),
]  # fmt: skip
FINDINGS = [  # (method, rule, line); a module-level finding (no method) and one of an unknown method
    ("A.Module.P3", "Y", 9), ("A.Module.F2", "X", 5), ("A.Module.F2", "W", 4), (None, "M", 1),
    ("A.Module.Gone", "G", 1), ("C.Module.R1", "Z", 2), ("D.Module.S1", "V", 1),
]  # fmt: skip

# the records in the order they are written: text batches in module_texts order, then C without text
EXPECTED = [
    ("CommonModule.A.Module.F2", "Функция F2()\n\tВозврат P1();\nКонецФункции", ["CommonModule.A.P1"], ["W", "X"]),
    ("CommonModule.A.Module.P1", "Процедура P1()\nКонецПроцедуры", [], []),
    ("CommonModule.A.Module.P3", "Процедура P3()\n\tF2(); P1();\nКонецПроцедуры",
     ["CommonModule.A.F2", "CommonModule.A.P1"], ["Y"]),
    ("CommonModule.B.Module.Q1", "Процедура Q1()\n\tD.S1();\nКонецПроцедуры", ["CommonModule.D.S1"], []),
    ("CommonModule.D.Module.S1", "Процедура S1()\nКонецПроцедуры", [], ["V"]),
    ("CommonModule.C.Module.R1", None, ["CommonModule.B.Q1"], ["Z"]),
]  # fmt: skip


def common_module(name: str) -> str:
    return f"CommonModule.{name}"


def batches_snapshot(path: Path, *, methods: list[tuple] = METHODS, statistics: bool = True) -> Path:
    make_snapshot(
        path,
        objects=[{"object_id": common_module(m), "type": "CommonModule", "name": m} for m in "ABCD"],
        modules=[{"module_id": f"{common_module(m)}.Module", "object_id": common_module(m),
                  "module_type": "CommonModule"} for m in "ABCD"],
        module_texts=[{"module_id": module_id, "text": text} for module_id, text in TEXTS.items()],
        methods=[{"method_id": f"{common_module(m)}.Module.{name}", "module_id": f"{common_module(m)}.Module",
                  "object_id": common_module(m), "name": name, "kind": "Procedure", "start_line": start,
                  "end_line": end} for m, name, start, end in methods],
        calls=[{"caller_module_id": f"{common_module(m)}.Module", "caller_method_id": f"{common_module(m)}.Module.{name}",
                "line": line, "callee_object_id": callee_object, "callee_method": callee}
               for m, name, line, callee_object, callee in CALLS],
    )  # fmt: skip
    for table in ("methods", "calls", "module_texts"):  # two rows per row group
        file = path / f"{table}.parquet"
        pq.write_table(pq.read_table(file), file, row_group_size=2, write_statistics=statistics)
    return path


def findings() -> pa.Table:
    rows = [
        {"rule": rule, "severity": "INFO", "type": "CODE_SMELL", "line": line, "column": 1, "message": rule,
         "method_id": method and f"CommonModule.{method}", "module_id": "CommonModule.A.Module"}
        for method, rule, line in FINDINGS
    ]  # fmt: skip
    return pa.Table.from_pylist(
        [{n: r.get(n) for n in FINDINGS_SCHEMA.names} for r in rows], schema=FINDINGS_SCHEMA
    )


def written(snapshot: Path, findings_table: pa.Table | None = None) -> list[tuple]:
    rows = [row for batch in records(snapshot, findings_table) for row in batch.to_pylist()]
    return [
        (row["method_id"], row["code"], row["calls_out"], [f["rule"] for f in row.get("findings") or []])
        for row in rows
    ]


@pytest.fixture(autouse=True, params=[1, 2, 3, 32], ids=lambda n: f"texts-read-{n}-at-a-time")
def two_modules_per_text_batch(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    # a batch of records is two modules; their texts are read in pieces that may cross batches
    monkeypatch.setattr(records_module, "_TEXT_BATCH_MODULES", 2)
    monkeypatch.setattr(records_module, "_TEXT_READ_MODULES", request.param)


@pytest.mark.parametrize("statistics", [True, False], ids=["with-statistics", "without-statistics"])
def test_methods_calls_and_findings_straddling_row_groups_are_all_found(
    tmp_path: Path, statistics: bool
) -> None:
    snapshot = batches_snapshot(tmp_path / "snapshot", statistics=statistics)
    assert pq.ParquetFile(snapshot / "methods.parquet").num_row_groups == 3
    assert written(snapshot, findings()) == EXPECTED


def test_findings_from_a_file_sorted_by_method_in_small_row_groups(tmp_path: Path) -> None:
    snapshot = batches_snapshot(tmp_path / "snapshot")
    write_sorted(
        findings().select(FINDINGS_COLUMNS), "method_id", tmp_path / "findings.parquet", group_rows=2
    )
    assert (
        pq.ParquetFile(tmp_path / "findings.parquet").metadata.num_rows == 6
    )  # the module-level one left out
    assert written(snapshot, tmp_path / "findings.parquet") == EXPECTED
    assert written(snapshot, write_findings(findings(), tmp_path / "one_group.parquet")) == EXPECTED


def test_the_batches_are_the_text_batches_then_the_methods_without_text(tmp_path: Path) -> None:
    snapshot = batches_snapshot(tmp_path / "snapshot")
    sizes = [batch.num_rows for batch in records(snapshot)]
    assert sizes == [4, 1, 1]  # modules A and B, D, then C (no text) from its row group


def test_methods_in_any_order_in_the_file(tmp_path: Path) -> None:
    # a hand-made snapshot is not sorted: every row group may hold any module
    snapshot = batches_snapshot(tmp_path / "snapshot", methods=list(reversed(METHODS)))
    assert written(snapshot, findings()) == EXPECTED


def test_an_empty_snapshot_gives_an_empty_train_file(tmp_path: Path) -> None:
    snapshot = make_snapshot(tmp_path / "snapshot")
    assert list(records(snapshot, findings().slice(0, 0))) == []
    assert list(records(snapshot, write_findings(findings().slice(0, 0), tmp_path / "none.parquet"))) == []
    dataset.run(snapshot, tmp_path / "ds", findings=False)
    files = sorted(p.name for p in (tmp_path / "ds" / "data").iterdir())
    assert files == ["train-00000-of-00001.parquet"]
    assert pq.read_table(tmp_path / "ds" / "data" / files[0]).num_rows == 0


def test_file_lookup_reads_only_the_row_groups_in_the_key_range(tmp_path: Path) -> None:
    path = tmp_path / "keys.parquet"
    pq.write_table(pa.table({"key": ["a", "b", "b", "c", "d", None], "n": range(6)}), path, row_group_size=2)
    lookup = FileLookup(path, "key", ["key", "n"])
    assert lookup.groups(pa.array(["b"])) == [0, 1]
    assert lookup.groups(pa.array(["c", "d"])) == [1, 2]
    assert lookup.groups(pa.array([None], pa.string())) == []
    assert lookup.rows(pa.array(["d", "b"])).to_pydict() == {"key": ["b", "b", "d"], "n": [1, 2, 4]}
    assert lookup.rows(pa.array(["x"])).num_rows == 0


def test_table_lookup_finds_the_rows_of_the_keys_in_table_order() -> None:
    table = pa.table({"key": ["c", None, "a", "b", "a", "bb"], "n": range(6)})
    lookup = TableLookup(table, "key")
    assert lookup.rows(pa.array(["a", "bb"])).to_pydict() == {"key": ["a", "a", "bb"], "n": [2, 4, 5]}
    assert lookup.rows(pa.array(["c"]))["n"].to_pylist() == [0]
    assert lookup.rows(pa.array(["z", "0"])).num_rows == 0
    assert lookup.rows(pa.array([], pa.string())).num_rows == 0


def test_an_owner_listed_twice_is_one_clear_error(tmp_path: Path) -> None:
    # the facts of a batch are looked up ahead on another thread: its error still reaches the caller
    snapshot = batches_snapshot(tmp_path / "snapshot")
    objects = pq.read_table(snapshot / "objects.parquet")
    pq.write_table(pa.concat_tables([objects, objects.slice(3, 1)]), snapshot / "objects.parquet")  # D twice
    with pytest.raises(SnapshotError, match="object_id or module_id is not unique"):
        list(records(snapshot))
