"""The parse pipeline end to end: formats, fidelity on the real corpora, shards, cache, bad input."""

from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from onec_analysis.metadata import NotAConfiguration, files
from onec_analysis.reader.pipeline import ParseOptions, Shard, merge_snapshots, parse_source
from onec_analysis.snapshot.io import SnapshotError, read_summary, read_table
from onec_analysis.snapshot.schema import TABLES
from tests.support.corpus_counts import SSL_EDT_METHODS, SSL_EDT_MODULES, SSL_EDT_OBJECTS_PER_TYPE

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "demo-workspace"


def _tables(folder: Path) -> dict:
    return {name: read_table(folder, name) for name in TABLES}


def _assert_same_tables(left: Path, right: Path) -> None:
    a, b = _tables(left), _tables(right)
    for name in TABLES:
        assert a[name].equals(b[name]), (
            f"table {name} differs ({a[name].num_rows} vs {b[name].num_rows} rows)"
        )


# --- the real corpora ----------------------------------------------------------------------


@pytest.mark.corpus
def test_ssl_edt_is_read_faithfully(ssl_edt_snapshot: Path) -> None:
    summary = read_summary(ssl_edt_snapshot)
    assert summary["format"] == "edt"
    per_type = {
        t: n for t, n in summary["objects_per_type"].items() if t not in ("Configuration", "Language")
    }
    assert per_type == SSL_EDT_OBJECTS_PER_TYPE
    assert summary["counts"]["modules"] == SSL_EDT_MODULES
    assert summary["counts"]["methods"] == SSL_EDT_METHODS
    assert summary["problems_by_kind"] == {}
    objects = read_table(ssl_edt_snapshot, "objects").to_pandas()
    top_level = objects[(objects["type"] == "Subsystem") & objects["parent_id"].isna()]
    assert len(top_level) == 19


@pytest.mark.corpus
def test_ssl_designer_is_read_faithfully(ssl_designer_snapshot: Path, ssl_designer: Path) -> None:
    summary = read_summary(ssl_designer_snapshot)
    assert summary["format"] == "designer"
    assert summary["counts"]["modules"] == 1970
    assert summary["counts"]["methods"] == 32625
    assert summary["problems_by_kind"] == {}
    # Object counts by type equal the XML files of each type folder (nested subsystems included).
    root = next(p.parent for p in ssl_designer.rglob("Configuration.xml"))
    objects = read_table(ssl_designer_snapshot, "objects").to_pandas()
    by_folder = objects[objects["type_folder"].notna()].groupby("type_folder").size().to_dict()
    for folder, count in by_folder.items():
        if folder in ("Configuration", "Languages"):
            continue
        expected = len(list((root / folder).glob("*.xml")))
        if folder == "Subsystems":  # nested ones live in <Parent>/Subsystems/<Child>.xml
            expected = sum(1 for p in (root / folder).rglob("*.xml") if p.parent.name == "Subsystems")
        assert count == expected, folder


# --- sample workspace: formats, extensions -------------------------------------------------


def test_sample_workspace_is_detected_with_its_extension(tmp_path: Path) -> None:
    summary = parse_source(SAMPLE, tmp_path / "snap", ParseOptions(workers=1))
    assert summary["format"] == "edt-workspace"
    roles = {c["name"]: c["role"] for c in summary["configurations"]}
    assert roles == {"DemoConfiguration": "configuration", "DemoExtension": "extension"}
    on_disk = json.loads((tmp_path / "snap" / "summary.json").read_text())
    assert on_disk["counts"] == summary["counts"] and on_disk["timings_seconds"]["total"] > 0
    objects = read_table(tmp_path / "snap", "objects").to_pandas()
    adopted = objects[objects["belonging"] == "Adopted"]
    assert len(adopted) >= 1 and all(adopted["object_id"].str.startswith("DemoExtension:"))


# --- shards and merge ----------------------------------------------------------------------


@pytest.mark.parametrize("workers", [1, 2])
def test_sharded_parse_merges_into_the_single_run(tmp_path: Path, workers: int) -> None:
    single = tmp_path / "single"
    parse_source(SAMPLE, single, ParseOptions(workers=workers))
    parts = []
    for index in range(3):
        part = tmp_path / f"part{index}"
        parse_source(SAMPLE, part, ParseOptions(workers=workers, shard=Shard(index, 3)))
        parts.append(part)
    sizes = [read_summary(p)["units"]["total"] for p in parts]
    assert all(sizes) and sum(sizes) == read_summary(single)["units"]["total"]
    merged = tmp_path / "merged"
    summary = merge_snapshots(parts, merged)
    _assert_same_tables(single, merged)
    assert summary["counts"] == read_summary(single)["counts"]


@pytest.mark.corpus
def test_sharded_parse_of_ssl_designer_merges_into_the_single_run(
    tmp_path: Path, ssl_designer: Path, ssl_designer_snapshot: Path
) -> None:
    parts = [tmp_path / f"part{i}" for i in range(2)]
    for index, part in enumerate(parts):
        parse_source(ssl_designer, part, ParseOptions(shard=Shard(index, 2)))
    merge_snapshots(parts, tmp_path / "merged")
    _assert_same_tables(ssl_designer_snapshot, tmp_path / "merged")


def test_merge_refuses_incomplete_or_mixed_parts(tmp_path: Path) -> None:
    parse_source(SAMPLE, tmp_path / "p1", ParseOptions(workers=1, shard=Shard(0, 2)))
    with pytest.raises(ValueError, match="each of the shards 1..2 exactly once"):
        merge_snapshots([tmp_path / "p1"], tmp_path / "merged")
    parse_source(SAMPLE, tmp_path / "full", ParseOptions(workers=1))
    with pytest.raises(ValueError, match="full snapshot"):
        merge_snapshots([tmp_path / "p1", tmp_path / "full"], tmp_path / "merged")
    assert not (tmp_path / "merged").exists()


def test_shard_spec_is_validated() -> None:
    assert Shard.parse("2/4") == Shard(1, 4)
    for bad in ("0/4", "5/4", "x", "1/0"):
        with pytest.raises(ValueError):
            Shard.parse(bad)


# --- incremental ---------------------------------------------------------------------------


def _copy_sample(tmp_path: Path) -> Path:
    source = tmp_path / "source"
    shutil.copytree(SAMPLE, source)
    return source


def _reparse_as_full(source: Path, cache: Path, tmp_path: Path, new_method: str) -> int:
    """Re-parse with *cache*, check it equals a full parse and holds *new_method*; the units parsed."""
    changed = parse_source(source, tmp_path / "changed", ParseOptions(workers=1, cache_dir=cache))
    parse_source(source, tmp_path / "full", ParseOptions(workers=1))
    _assert_same_tables(tmp_path / "changed", tmp_path / "full")
    names = set(read_table(tmp_path / "changed", "methods", ["name"]).column("name").to_pylist())
    assert new_method in names
    return changed["units"]["parsed"]


def test_incremental_reparse_reads_only_changed_units_and_equals_a_full_parse(tmp_path: Path) -> None:
    source = _copy_sample(tmp_path)
    cache = tmp_path / "cache"
    first = parse_source(source, tmp_path / "first", ParseOptions(workers=1, cache_dir=cache))
    assert first["units"]["from_cache"] == 0
    again = parse_source(source, tmp_path / "again", ParseOptions(workers=1, cache_dir=cache))
    assert again["units"]["parsed"] == 0 and again["units"]["from_cache"] == first["units"]["total"]
    _assert_same_tables(tmp_path / "first", tmp_path / "again")

    module = next(source.rglob("CommonModules/*/Module.bsl"))
    text = module.read_text(encoding="utf-8")
    module.write_text(text + "\nПроцедура ДобавленаПозже() Экспорт\nКонецПроцедуры\n", encoding="utf-8")
    later = time.time() + 5  # a clearly newer mtime, even on coarse file systems
    os.utime(module, (later, later))
    assert _reparse_as_full(source, cache, tmp_path, "ДобавленаПозже") == 1


def test_incremental_reparse_sees_files_added_and_removed_in_remembered_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The cache remembers folder listings (FolderListings); the sample's folders are seconds old, so
    # they count as settled at once here, or nothing would be remembered.
    monkeypatch.setattr(files, "_SETTLED_NS", 0)
    source = _copy_sample(tmp_path)
    cache = tmp_path / "cache"
    parse_source(source, tmp_path / "first", ParseOptions(workers=1, cache_dir=cache))
    assert list((cache / "listings").rglob("*.pickle"))
    catalogs = next(source.rglob("src/Catalogs"))
    manager = catalogs / "Контрагенты" / "ManagerModule.bsl"  # a file new to a remembered folder
    form_module = catalogs / "Номенклатура" / "Forms" / "ФормаЭлемента" / "Module.bsl"  # one gone
    assert not manager.exists() and form_module.exists()
    manager.write_text("Процедура ДобавленВМенеджер() Экспорт\nКонецПроцедуры\n", encoding="utf-8")
    form_module.unlink()
    assert _reparse_as_full(source, cache, tmp_path, "ДобавленВМенеджер") == 2


# --- bad input -----------------------------------------------------------------------------


def _first(source: Path, pattern: str) -> Path:
    return sorted(source.rglob(pattern))[0]


def test_bad_files_become_problems_and_the_rest_is_read(tmp_path: Path) -> None:
    source = _copy_sample(tmp_path)
    clean = parse_source(source, tmp_path / "clean", ParseOptions(workers=1))

    protected = _first(source, "ObjectModule.bsl")
    protected.write_bytes(b"\xff\xff\xff\x7f" + os.urandom(64))
    latin1 = _first(source, "ManagerModule.bsl")
    latin1.write_bytes("Процедура А()\nКонецПроцедуры\n".encode("cp1251"))
    broken_xml = _first(source, "Enums/*/*.mdo")
    broken_xml.write_text("<mdclass:Enum xmlns:mdclass='x'><name>Broken", encoding="utf-8")
    outside = tmp_path / "outside.bsl"
    outside.write_text("Процедура Чужая()\nКонецПроцедуры\n", encoding="utf-8")
    link_folder = _first(source, "CommonModules/*/Module.bsl").parent
    (link_folder / "Module.bsl").unlink()
    (link_folder / "Module.bsl").symlink_to(outside)

    summary = parse_source(source, tmp_path / "bad", ParseOptions(workers=2))
    problems = read_table(tmp_path / "bad", "problems").to_pylist()
    kinds = {p["kind"] for p in problems}
    assert {"protected_module", "not_utf8", "malformed_xml", "symlink_outside"} <= kinds, problems
    by_path = {p["path"]: p for p in problems}
    assert by_path[protected.relative_to(source).as_posix()]["kind"] == "protected_module"
    assert "0x" in by_path[latin1.relative_to(source).as_posix()]["message"]
    assert any(p["path"] == broken_xml.relative_to(source).as_posix() for p in problems)
    # Everything else is still there: the broken enum and the linked module are the only losses.
    assert summary["counts"]["objects"] >= clean["counts"]["objects"] - 1
    assert summary["counts"]["modules"] >= clean["counts"]["modules"] - 1
    modules = read_table(tmp_path / "bad", "modules").to_pandas().set_index("path")
    assert bool(modules.loc[protected.relative_to(source).as_posix(), "protected"]) is True


@pytest.mark.parametrize("make", ["empty", "random_files", "missing"])
def test_a_folder_that_is_no_configuration_is_refused(tmp_path: Path, make: str) -> None:
    source = tmp_path / "src"
    if make != "missing":
        source.mkdir()
    if make == "random_files":
        (source / "notes.txt").write_text("hello")
    with pytest.raises(NotAConfiguration, match=str(source)):
        parse_source(source, tmp_path / "out", ParseOptions(workers=1))
    assert not (tmp_path / "out").exists()


def test_reading_a_missing_or_foreign_snapshot_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(SnapshotError, match="no such snapshot folder"):
        read_summary(tmp_path / "nope")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "summary.json").write_text('{"kind": "something else"}')
    with pytest.raises(SnapshotError, match="not an onec-analysis snapshot"):
        read_summary(tmp_path / "foreign")


def test_tables_follow_the_schema(tmp_path: Path) -> None:
    parse_source(SAMPLE, tmp_path / "snap", ParseOptions(workers=1))
    for name, schema in TABLES.items():
        assert pq.read_schema(tmp_path / "snap" / f"{name}.parquet").equals(schema, check_metadata=False), (
            name
        )


# --- scratch files and interruptions -----------------------------------------------------------


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


@pytest.mark.parametrize("workers", [1, 2])
def test_the_workers_scratch_files_are_gone_after_a_parse(tmp_path: Path, workers: int) -> None:
    summary = parse_source(SAMPLE, tmp_path / "snap", ParseOptions(workers=workers))
    assert summary["counts"]["methods"] > 0
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("workers", [1, 2])
def test_an_interrupted_parse_keeps_the_previous_snapshot_and_leaves_nothing(
    tmp_path: Path, workers: int, monkeypatch
) -> None:
    from onec_analysis.reader import pipeline

    monkeypatch.setattr(pipeline, "_BATCH_UNITS", 2)  # several batches, so the pool is used
    out = tmp_path / "snap"
    parse_source(SAMPLE, out, ParseOptions(workers=1))
    before = _tables(out)

    calls = []

    def interrupt(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:  # after the first batch came back: its scratch files exist by now
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        parse_source(SAMPLE, out, ParseOptions(workers=workers, progress=interrupt))
    assert len(calls) == 2
    assert _leftovers(tmp_path) == []
    after = _tables(out)
    assert all(before[name].equals(after[name]) for name in TABLES)


def test_a_large_table_is_written_in_bounded_row_groups(tmp_path: Path, monkeypatch) -> None:
    from onec_analysis.snapshot import io

    monkeypatch.setattr(io, "ROW_GROUP_BYTES", 4096)
    parse_source(SAMPLE, tmp_path / "snap", ParseOptions(workers=1))
    metadata = pq.ParquetFile(tmp_path / "snap" / "module_texts.parquet").metadata
    assert metadata.num_row_groups > 1
    texts = read_table(tmp_path / "snap", "module_texts")
    ids = texts["module_id"].to_pylist()
    assert ids == sorted(ids)  # sorted across the row groups, not within each
    monkeypatch.undo()
    parse_source(SAMPLE, tmp_path / "default", ParseOptions(workers=1))
    assert pq.ParquetFile(tmp_path / "default" / "module_texts.parquet").metadata.num_row_groups == 1
    _assert_same_tables(tmp_path / "snap", tmp_path / "default")


# --- rows to tables ----------------------------------------------------------------------------


def test_rows_become_tables_of_the_snapshot_schema() -> None:
    # What Table.from_pylist gives: every table's schema even without rows, a missing key as null,
    # an unknown key left out, nested parameters kept.
    import pyarrow as pa

    from onec_analysis.reader.pipeline import _to_table

    for name, schema in TABLES.items():
        assert _to_table(name, []).schema == schema, name
    rows = [
        {"method_id": "M.А", "name": "А", "export": True, "start_line": 3, "extra": "dropped",
         "params": [{"name": "П", "by_value": True, "default": None}, {"name": "Q"}], "directives": []},
        {"method_id": "M.Б", "params": None, "cyclomatic": 7},
    ]  # fmt: skip
    table = _to_table("methods", rows)
    assert table.equals(pa.Table.from_pylist(rows, schema=TABLES["methods"]))
    assert table.schema == TABLES["methods"]
    assert table.column("params").to_pylist()[0] == [
        {"name": "П", "by_value": True, "default": None},
        {"name": "Q", "by_value": None, "default": None},
    ]
    assert table.column("export").to_pylist() == [True, None]


def test_module_texts_table_keeps_the_utf8_bytes_as_text() -> None:
    # The module texts go in as the bytes decode_module checked, viewed as text: the same table
    # Arrow builds from the decoded strings (Cyrillic, an empty text, a 4-byte character).
    import pyarrow as pa

    from onec_analysis.reader.pipeline import _to_table

    texts = ["Процедура А()\nКонецПроцедуры\n", "", 'Сообщить("😀");']
    rows = [{"module_id": f"M{i}", "text": text.encode("utf-8")} for i, text in enumerate(texts)]
    table = _to_table("module_texts", rows)
    assert table.schema == TABLES["module_texts"]
    expected = [{"module_id": f"M{i}", "text": text} for i, text in enumerate(texts)]
    assert table.equals(pa.Table.from_pylist(expected, schema=TABLES["module_texts"]))
    table.validate(full=True)


def test_column_rows_become_the_table_the_dict_rows_give() -> None:
    # parse_module hands methods and calls over as columns; the table is the one its rows make, and
    # columns that do not fit the schema are refused with the table's name.
    import pyarrow as pa

    from onec_analysis.bsl import parse_module
    from onec_analysis.bsl.module import CALL_FIELDS, METHOD_FIELDS
    from onec_analysis.reader.pipeline import ColumnRows, _to_table

    assert METHOD_FIELDS == tuple(TABLES["methods"].names)
    assert CALL_FIELDS == tuple(TABLES["calls"].names)
    text = "Процедура А(Знач Б = 1, В) Экспорт\n  А(1, 2);\n  Модуль.Х();\nКонецПроцедуры\nФункция Г()\nКонецФункции\n"
    parsed = parse_module(text, module_id="M", object_id="O", configuration="C")
    methods, calls = ColumnRows("methods"), ColumnRows("calls")
    for _ in range(2):
        methods.add(parsed.method_columns)
        calls.add(parsed.call_columns)
    calls.extend(())
    assert (len(methods), len(calls)) == (4, 2)
    assert _to_table("methods", methods).equals(
        pa.Table.from_pylist(parsed.methods * 2, schema=TABLES["methods"])
    )
    assert _to_table("calls", calls).equals(pa.Table.from_pylist(parsed.calls * 2, schema=TABLES["calls"]))
    with pytest.raises(ValueError, match="calls: columns"):
        calls.add({"line": [1]})
    uneven = {name: [None] for name in CALL_FIELDS} | {"line": [1, 2]}
    with pytest.raises(ValueError, match="different lengths"):
        calls.add(uneven)


def test_the_pages_of_the_parts_are_released_every_few_row_groups_and_after_the_last(
    tmp_path: Path, monkeypatch
) -> None:
    # write_table hands the pages of the parts back (after_group) once per RELEASE_GROUPS groups and
    # once after the last group, not after each group: every call madvises every file of the parts.
    import pyarrow as pa

    from onec_analysis.snapshot import io

    monkeypatch.setattr(io, "ROW_GROUP_ROWS", 10)
    monkeypatch.setattr(io, "RELEASE_GROUPS", 4)
    ids = [f"M{i:03d}" for i in range(95)]  # 10 groups: released after the 4th, the 8th and the 10th
    part = pa.table({"module_id": ids[::-1], "text": ["x"] * 95}, schema=TABLES["module_texts"])
    calls = []
    path = tmp_path / "t.parquet"
    assert io.write_table("module_texts", [part], path, after_group=lambda: calls.append(1)) == 95
    assert len(calls) == 3
    assert pq.ParquetFile(path).metadata.num_row_groups == 10
    assert pq.read_table(path)["module_id"].to_pylist() == ids
