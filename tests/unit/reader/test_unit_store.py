"""The incremental parse's store: edits, removals, several sources, damaged and unwritable caches.

Every test compares the cached parse with a full parse of the same files: whatever the cache held,
the snapshot must be the one a full parse gives.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
from pathlib import Path

import pyarrow as pa
import pytest

from onec_analysis.reader.pipeline import ParseOptions, Shard, parse_source
from onec_analysis.reader.unit_store import Batch, Generation, keep_mask, reusable
from onec_analysis.snapshot.io import read_table
from onec_analysis.snapshot.schema import TABLES

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "demo-workspace"


def _copy(tmp_path: Path, name: str = "source") -> Path:
    source = tmp_path / name
    shutil.copytree(SAMPLE, source)
    return source


def _parse(source: Path, out: Path, cache: Path | None, shard: Shard | None = None) -> dict:
    return parse_source(source, out, ParseOptions(workers=1, cache_dir=cache, shard=shard))


def _assert_same(left: Path, right: Path) -> None:
    for name in TABLES:
        a, b = read_table(left, name), read_table(right, name)
        assert a.equals(b), f"table {name} differs ({a.num_rows} vs {b.num_rows} rows)"


def _touch(path: Path, text: str) -> None:
    path.write_text(text, encoding="utf-8")
    later = time.time() + 5  # a clearly newer mtime, even on coarse file systems
    os.utime(path, (later, later))


def _store_folders(cache: Path) -> list[Path]:
    return sorted((cache / "parse").iterdir())


def test_a_removed_object_leaves_no_rows_and_an_edit_is_read_again(tmp_path: Path) -> None:
    source, cache = _copy(tmp_path), tmp_path / "cache"
    first = _parse(source, tmp_path / "first", cache)
    catalogs = sorted(p for p in source.rglob("src/Catalogs/*") if p.is_dir())
    removed = catalogs[0]
    shutil.rmtree(removed)
    module = next(source.rglob("CommonModules/*/Module.bsl"))
    _touch(module, module.read_text(encoding="utf-8") + "\nПроцедура Новая() Экспорт\nКонецПроцедуры\n")

    again = _parse(source, tmp_path / "again", cache)
    assert again["units"] == {
        "total": first["units"]["total"] - 1,
        "from_cache": first["units"]["total"] - 2,
        "parsed": 1,
        "modules_reused": 0,  # a common module has one module, the one edited
    }
    _parse(source, tmp_path / "full", None)
    _assert_same(tmp_path / "again", tmp_path / "full")
    objects = read_table(tmp_path / "again", "objects", ["object_id"]).column("object_id").to_pylist()
    assert not any(o.endswith(f"Catalog.{removed.name}") for o in objects)

    # and the store left by that parse serves the next one whole
    third = _parse(source, tmp_path / "third", cache)
    assert third["units"]["parsed"] == 0
    _assert_same(tmp_path / "third", tmp_path / "full")
    assert len(list(next(iter(_store_folders(cache))).glob("g-*"))) == 1  # older generations removed


def test_two_sources_and_two_shards_keep_their_own_stores(tmp_path: Path) -> None:
    one, two, cache = _copy(tmp_path, "one"), _copy(tmp_path, "two"), tmp_path / "cache"
    _parse(one, tmp_path / "one-1", cache)
    _parse(two, tmp_path / "two-1", cache)
    halves = [Shard(0, 2), Shard(1, 2)]
    for shard in halves:
        _parse(one, tmp_path / f"one-part{shard.index}", cache, shard)
    assert len(_store_folders(cache)) == 4
    assert _parse(one, tmp_path / "one-2", cache)["units"]["parsed"] == 0
    for shard in halves:
        assert _parse(one, tmp_path / f"one-again{shard.index}", cache, shard)["units"]["parsed"] == 0
        _assert_same(tmp_path / f"one-part{shard.index}", tmp_path / f"one-again{shard.index}")
    _assert_same(tmp_path / "one-1", tmp_path / "one-2")


@pytest.mark.parametrize("damage", ["truncated table", "current names nothing", "foreign columns"])
def test_a_damaged_store_is_no_store(tmp_path: Path, damage: str, caplog) -> None:
    source, cache = _copy(tmp_path), tmp_path / "cache"
    _parse(source, tmp_path / "first", cache)
    (store,) = _store_folders(cache)
    (generation,) = store.glob("g-*")
    if damage == "truncated table":
        path = next(generation.glob("methods-*.arrow"))
        path.write_bytes(path.read_bytes()[:100])
    elif damage == "current names nothing":
        (store / "CURRENT").write_text("g-nothing\n", encoding="utf-8")
    else:
        table = pa.table({"something": ["else"]})
        with (
            pa.OSFile(str(next(generation.glob("objects-*.arrow"))), "wb") as sink,
            pa.ipc.new_file(sink, table.schema) as w,
        ):
            w.write_table(table)
    with caplog.at_level(logging.WARNING):
        again = _parse(source, tmp_path / "again", cache)
    assert again["units"]["from_cache"] == 0
    assert "parsing everything" in caplog.text
    _assert_same(tmp_path / "first", tmp_path / "again")
    assert _parse(source, tmp_path / "third", cache)["units"]["parsed"] == 0  # a good store again


def test_a_cache_that_cannot_be_written_costs_speed_not_the_snapshot(tmp_path: Path, caplog) -> None:
    source, cache = _copy(tmp_path), tmp_path / "cache"
    cache.mkdir()
    (cache / "parse").write_text("a file where the store's folder should be", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        summary = _parse(source, tmp_path / "out", cache)
    assert summary["units"]["parsed"] == summary["units"]["total"]
    assert "cannot store this parse" in caplog.text
    _parse(source, tmp_path / "full", None)
    _assert_same(tmp_path / "out", tmp_path / "full")


def test_a_store_written_meanwhile_by_another_parse_is_left_for_the_newest(tmp_path: Path) -> None:
    # A writer that crashed (or is still writing) leaves a generation that CURRENT does not name.
    source, cache = _copy(tmp_path), tmp_path / "cache"
    _parse(source, tmp_path / "first", cache)
    (store,) = _store_folders(cache)
    (store / "g-crashed").mkdir()
    (store / "g-crashed" / "methods-0.arrow").write_bytes(b"half")
    assert _parse(source, tmp_path / "again", cache)["units"]["parsed"] == 0
    assert [p.name for p in store.glob("g-*")] != ["g-crashed"] and not (store / "g-crashed").exists()


def test_a_batch_is_kept_while_half_its_units_are_unchanged() -> None:
    rows = {name: [0, 0, 0, 0] for name in TABLES}
    rows["methods"] = [2, 0, 3, 1]
    first = Batch({"methods": "methods-1.arrow"}, ["a", "b", "c", "d"], ["ta", "tb", "tc", "td"], rows)
    second = Batch({}, ["c", "e", "f"], ["tc", "te", "tf"], {name: [0, 0, 0] for name in TABLES})
    previous = Generation(Path("unused"), [first, second])
    # "c" is provided once, by the first batch; the second keeps only "e" of three: not kept
    assert reusable(previous, {"a", "c", "d", "e"}) == [(0, {"a", "c", "d"})]
    assert reusable(previous, {"a", "e", "f"}) == [(1, {"e", "f"})]  # first: 1 of 4
    assert reusable(None, {"a"}) == []
    assert keep_mask(first, "methods", {"a", "d"}).tolist() == [True, True, False, False, False, True]
    assert keep_mask(first, "objects", {"a"}).tolist() == []


def test_a_batch_mostly_changed_is_parsed_again_whole(tmp_path: Path) -> None:
    source, cache = _copy(tmp_path), tmp_path / "cache"
    first = _parse(source, tmp_path / "first", cache)  # one worker: the sample is one batch
    mdo = sorted(source.rglob("*.mdo"))
    for path in mdo[: len(mdo) * 2 // 3]:
        _touch(path, path.read_text(encoding="utf-8"))
    again = _parse(source, tmp_path / "again", cache)
    assert 0 < len(mdo) * 2 // 3 < first["units"]["total"]
    assert again["units"]["from_cache"] == 0  # the unchanged third was read again with the rest
    _assert_same(tmp_path / "first", tmp_path / "again")


def test_the_unchanged_modules_of_an_edited_object_keep_their_rows(tmp_path: Path) -> None:
    source, cache = _copy(tmp_path), tmp_path / "cache"
    _parse(source, tmp_path / "first", cache)
    catalog = source / "DemoConfiguration" / "src" / "Catalogs" / "Номенклатура"
    assert len(list(catalog.rglob("*.bsl"))) == 4
    module = catalog / "ManagerModule.bsl"
    _touch(
        module,
        module.read_text(encoding="utf-8")
        + "\nФункция ДобавленаПозже(Знач А) Экспорт\n\tВозврат А;\nКонецФункции\n",
    )
    (catalog / "Номенклатура.mdo").touch()  # the metadata file too: read again, same rows

    again = _parse(source, tmp_path / "again", cache)
    assert again["units"]["parsed"] == 1 and again["units"]["modules_reused"] == 3
    _parse(source, tmp_path / "full", None)
    _assert_same(tmp_path / "again", tmp_path / "full")
    methods = read_table(tmp_path / "again", "methods", ["method_id", "params"]).to_pylist()
    added = [m for m in methods if m["method_id"].endswith("ManagerModule.ДобавленаПозже")]
    assert added == [
        {"method_id": added[0]["method_id"], "params": [{"name": "А", "by_value": True, "default": None}]}
    ]


def test_a_kept_form_module_links_its_handlers_as_a_full_parse_does(tmp_path: Path) -> None:
    # A handler names a method; of two methods of that name, a parse links the last in the text.
    # Their ids carry their lines (#7, #101), which sort the other way round: the rows kept of an
    # unchanged form module must be linked in text order, not in their stored (sorted) order.
    source, cache = _copy(tmp_path), tmp_path / "cache"
    catalog = source / "DemoConfiguration" / "src" / "Catalogs" / "Номенклатура"
    form = catalog / "Forms" / "ФормаЭлемента" / "Module.bsl"
    text = form.read_text(encoding="utf-8")
    padding = "\n" * (100 - text.count("\n"))
    _touch(form, text + padding + "Процедура ЭтоУслугаПриИзменении(Элемент)\nКонецПроцедуры\n")
    _parse(source, tmp_path / "first", cache)
    module = catalog / "ManagerModule.bsl"
    _touch(module, module.read_text(encoding="utf-8") + "\n// изменён\n")

    again = _parse(source, tmp_path / "again", cache)
    assert again["units"]["parsed"] == 1 and again["units"]["modules_reused"] == 3
    _parse(source, tmp_path / "full", None)
    _assert_same(tmp_path / "again", tmp_path / "full")
    handlers = read_table(tmp_path / "again", "form_handlers", ["method_name", "method_id"]).to_pylist()
    linked = [h["method_id"] for h in handlers if h["method_name"] == "ЭтоУслугаПриИзменении"]
    assert linked and all(method_id.endswith("ЭтоУслугаПриИзменении#101") for method_id in linked)


def test_a_new_common_module_makes_every_module_parsed_again(tmp_path: Path) -> None:
    # Calls are resolved against the common modules' names: a new one changes what earlier rows meant.
    source, cache = _copy(tmp_path) / "DemoConfiguration", tmp_path / "cache"  # the configuration alone
    first = _parse(source, tmp_path / "first", cache)
    existing = next(p for p in source.rglob("src/CommonModules/*") if p.is_dir())
    shutil.copytree(existing, existing.with_name("ОбщийМодульНовый"))
    mdo = existing.with_name("ОбщийМодульНовый") / f"{existing.name}.mdo"
    mdo.rename(mdo.with_name("ОбщийМодульНовый.mdo"))
    again = _parse(source, tmp_path / "again", cache)
    assert again["units"]["from_cache"] < first["units"]["total"] - 2
    assert again["units"]["modules_reused"] == 0
    _parse(source, tmp_path / "full", None)
    _assert_same(tmp_path / "again", tmp_path / "full")
