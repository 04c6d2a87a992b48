"""Exact results of the dependencies analysis on a small hand-written trade configuration.

The snapshot is ``fixtures/dependencies/trade.json`` (plus two .bsl module texts): subsystems НСИ,
Продажи (with the nested Скидки) and Склад; common modules А → В → Б → А calling each other in a
cycle; Продажи and Склад depending on each other; one exported method per way of being called.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import networkx as nx
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses.dependencies import add_parser, run
from onec_analysis.analyses.dependencies.report import OUTPUTS
from onec_analysis.snapshot.io import SnapshotError
from tests.support.snapshots import make_snapshot

FIXTURES = Path(__file__).parent / "fixtures" / "dependencies"


def trade_snapshot(path: Path, **changes: list[dict]) -> Path:
    rows = json.loads((FIXTURES / "trade.json").read_text(encoding="utf-8"))
    rows.pop("_comment")
    rows["module_texts"] = [
        {"module_id": row["module_id"], "text": (FIXTURES / row["text_file"]).read_text(encoding="utf-8")}
        for row in rows["module_texts"]
    ]
    rows.update(changes)
    return make_snapshot(path, **rows)


@pytest.fixture(scope="module")
def trade(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    base = tmp_path_factory.mktemp("trade")
    out = base / "dependencies"
    return run(trade_snapshot(base / "snapshot"), out), out


def _edges(out: Path) -> set[tuple[str, str, str, int]]:
    table = pq.read_table(out / "edges.parquet")
    return set(zip(*(table[c].to_pylist() for c in ("source", "target", "kind", "weight")), strict=True))


def test_every_edge_kind_with_its_weight(trade):
    _, out = trade
    assert _edges(out) == {
        ("Document.Заказ", "Catalog.Склады", "attribute_type", 1),
        ("Document.Заказ", "Catalog.Товары", "attribute_type", 1),
        ("Document.Отгрузка", "Document.Заказ", "based_on", 1),
        ("Document.Отгрузка", "AccumulationRegister.Остатки", "register_records", 1),
        ("EventSubscription.ПриЗаписиЗаказа", "Document.Заказ", "event_subscription_source", 1),
        ("EventSubscription.ПриЗаписиЗаказа", "CommonModule.А", "event_subscription", 1),
        ("ScheduledJob.Обновление", "CommonModule.Б", "scheduled_job", 1),
        ("CommonModule.Б", "CommonModule.А", "call", 2),  # two call sites, one edge
        ("CommonModule.В", "CommonModule.Б", "call", 1),  # through ОбщийМодуль("Б")
        ("CommonModule.А", "CommonModule.В", "call", 1),
        ("Document.Заказ", "Catalog.Товары", "call", 1),  # manager call
        ("Document.Заказ", "CommonModule.А", "call", 1),
        ("Document.Заказ", "InformationRegister.Цены", "query", 2),
        ("Document.Заказ", "AccumulationRegister.Остатки", "query", 1),
        ("Document.Заказ.Form.ФормаДокумента", "Document.Заказ", "form_handler", 2),
    }


def test_summary_counts_edges_per_kind(trade):
    summary, out = trade
    assert summary == json.loads((out / "dependencies.json").read_text(encoding="utf-8"))
    assert summary["graph"]["edges_by_kind"] == {
        "attribute_type": 2,
        "based_on": 1,
        "call": 5,
        "event_subscription": 1,
        "event_subscription_source": 1,
        "form_handler": 1,
        "query": 2,
        "register_records": 1,
        "scheduled_job": 1,
    }
    assert summary["graph"]["weight_by_kind"]["call"] == 6
    assert summary["snapshot_problems"] == 1  # a snapshot with problems still gives the full output
    assert sorted(summary["outputs"]) == sorted(OUTPUTS)
    assert sorted(p.name for p in out.iterdir()) == sorted(OUTPUTS)


def test_fan_in_and_fan_out(trade):
    summary, out = trade
    fan = {row["node"]: row for row in pq.read_table(out / "fan.parquet").to_pylist()}
    order = fan["Document.Заказ"]
    assert (order["fan_in"], order["fan_out"], order["weight_out"]) == (3, 5, 7)
    assert order["subsystems"] == ["Subsystem.Продажи"]
    module_a = fan["CommonModule.А"]
    assert (module_a["fan_in"], module_a["call_fan_in"], module_a["calls_in"], module_a["fan_out"]) == (
        3,
        2,
        3,
        1,
    )
    assert fan["Subsystem.НСИ"]["fan_in"] == 0  # isolated objects are still listed
    assert summary["fan"]["top_fan_out"][0]["node"] == "Document.Заказ"
    assert [row["node"] for row in summary["fan"]["top_common_modules_fan_in"][:2]] == [
        "CommonModule.А",
        "CommonModule.Б",
    ]


def test_three_common_modules_calling_in_a_circle_are_one_component(trade):
    summary, out = trade
    assert summary["cycles"]["common_modules"] == [
        {
            "size": 3,
            "example_cycle": ["CommonModule.А", "CommonModule.В", "CommonModule.Б", "CommonModule.А"],
            "members": ["CommonModule.А", "CommonModule.Б", "CommonModule.В"],
            "members_listed": 3,
            "edges": 3,
        }
    ]
    rows = pq.read_table(out / "cycles.parquet").to_pylist()
    assert [(r["graph"], r["component"], r["size"], r["weight"]) for r in rows] == [
        ("common_modules", 1, 3, 4),
        ("subsystems", 1, 2, 3),
    ]


def test_subsystems_depending_on_each_other_are_a_cycle(trade):
    summary, _ = trade
    assert summary["cycles"]["subsystems"] == [
        {
            "size": 2,
            "example_cycle": ["Subsystem.Продажи", "Subsystem.Склад", "Subsystem.Продажи"],
            "members": ["Subsystem.Продажи", "Subsystem.Склад"],
            "members_listed": 2,
            "edges": 2,
        }
    ]


def test_edges_across_subsystem_boundaries(trade):
    summary, out = trade
    rows = pq.read_table(out / "cross_subsystem.parquet").to_pylist()
    assert [
        (r["source_subsystem"], r["target_subsystem"], r["kind"], r["edges"], r["weight"]) for r in rows
    ] == [
        ("Subsystem.Продажи", "Subsystem.НСИ", "attribute_type", 1, 1),
        ("Subsystem.Продажи", "Subsystem.НСИ", "call", 2, 2),
        ("Subsystem.Продажи", "Subsystem.Склад", "attribute_type", 1, 1),
        ("Subsystem.Продажи", "Subsystem.Склад", "query", 1, 1),
        ("Subsystem.Склад", "Subsystem.Продажи", "based_on", 1, 1),
    ]
    assert rows[1]["sample_edges"] == ["Document.Заказ -> Catalog.Товары", "Document.Заказ -> CommonModule.А"]
    cross = summary["cross_subsystem"]
    assert cross["edges_by_kind"] == {"attribute_type": 2, "based_on": 1, "call": 2, "query": 1}
    # The subscription and the job belong to no subsystem: counted apart, not guessed.
    assert cross["unassigned_edges_by_kind"] == {
        "event_subscription": 1,
        "event_subscription_source": 1,
        "scheduled_job": 1,
    }
    assert cross["subsystems"] == {
        "Subsystem.НСИ": 4,
        "Subsystem.Продажи": 3,  # Заказ, its form, and Цены of the nested Скидки
        "Subsystem.Склад": 3,
    }


def test_nested_subsystem_level(tmp_path):
    summary = run(trade_snapshot(tmp_path / "snapshot"), tmp_path / "out", subsystem_level=2)
    rows = pq.read_table(tmp_path / "out" / "cross_subsystem.parquet").to_pylist()
    # At level 2 the query of Заказ (in Продажи itself) into Цены (in Продажи.Скидки) crosses a boundary.
    assert ("Subsystem.Продажи", "Subsystem.Продажи.Subsystem.Скидки", "query", 1) in [
        (r["source_subsystem"], r["target_subsystem"], r["kind"], r["edges"]) for r in rows
    ]
    assert summary["cross_subsystem"]["edges_by_kind"]["query"] == 2


def test_an_edge_between_objects_sharing_a_subsystem_is_internal(tmp_path):
    rows = json.loads((FIXTURES / "trade.json").read_text(encoding="utf-8"))["references"]
    # Склады also in НСИ: Заказ -> Склады still crosses (Заказ is in neither); Товары also in Продажи: internal now.
    rows += [
        {
            "source_id": "Subsystem.НСИ",
            "target_id": "Catalog.Склады",
            "kind": "subsystem_content",
            "via": "content",
        },
        {
            "source_id": "Subsystem.Продажи",
            "target_id": "Catalog.Товары",
            "kind": "subsystem_content",
            "via": "content",
        },
    ]
    run(trade_snapshot(tmp_path / "snapshot", references=rows), tmp_path / "out")
    table = pq.read_table(tmp_path / "out" / "cross_subsystem.parquet").to_pylist()
    crossing = {(r["source_subsystem"], r["target_subsystem"], r["kind"]): r["edges"] for r in table}
    assert (
        crossing[("Subsystem.Продажи", "Subsystem.НСИ", "attribute_type")] == 1
    )  # Склады via НСИ, not Товары
    assert crossing[("Subsystem.Продажи", "Subsystem.Склад", "attribute_type")] == 1
    assert crossing[("Subsystem.Продажи", "Subsystem.НСИ", "call")] == 1  # only CommonModule.А now


def test_unused_exports_of_common_and_manager_modules(trade):
    summary, out = trade
    unused = pq.read_table(out / "unused_exports.parquet").to_pylist()
    assert [row["method_id"] for row in unused] == [
        "Catalog.Товары.ManagerModule.Устаревший",  # only "Товары.Устаревший", and Товары is no common module
        "CommonModule.В.Module.НиктоНеВызывает",  # its notify description's owner is a variable
        "CommonModule.В.Module.Рекурсия",  # calling itself is no caller
        "CommonModule.Общий.Module.ГлобальныйНеиспользуемый",  # only declared, and called on another object
        "Document.Заказ.ManagerModule.ЗапуститьОбновление",
    ]
    assert unused[0]["module_type"] == "ManagerModule" and unused[0]["object_id"] == "Catalog.Товары"
    report = summary["unused_exports"]
    assert (report["examined"], report["unused"]) == (17, 5)
    assert report["by_module_type"] == {"CommonModule": 3, "ManagerModule": 2}
    assert report["saved_by"] == {
        "call": 4,  # А.Вычислить (any case), Б.Посчитать (dynamic), В.Сделать, Товары.Найти (manager)
        "local_call": 1,  # В.ВызовИзМодуля
        "event_subscription": 1,
        "scheduled_job": 1,
        "form_handler": 0,  # form modules are not examined by default
        "string_reference": 2,  # "Клиент.ФоновоеЗадание", "Справочники.Товары.ЗаполнитьЦены"
        "notify_description": 1,  # Клиент.ПослеВопроса: ОписаниеОповещения("ПослеВопроса", Клиент)
        "own_module_literal": 0,
        "global_literal": 1,  # Общий.ОбработчикОжидания: ПодключитьОбработчикОжидания("ОбработчикОжидания", …)
        "global_call": 1,  # Общий.ГлобальныйМетод, called unqualified in Заказ's module text
    }
    assert report["not_visible"]


def test_form_exports_when_asked_for(tmp_path):
    summary = run(
        trade_snapshot(tmp_path / "snapshot"),
        tmp_path / "out",
        export_module_types=("FormModule",),
    )
    unused = pq.read_table(tmp_path / "out" / "unused_exports.parquet")["method_id"].to_pylist()
    assert unused == ["Document.Заказ.Form.ФормаДокумента.Module.ОткрытьИзвне"]
    saved = summary["unused_exports"]["saved_by"]
    # ПриИзменении is bound to an event; ПослеВыбора is named in ОписаниеОповещения("ПослеВыбора", ЭтаФорма).
    assert (saved["form_handler"], saved["own_module_literal"]) == (1, 1)


def test_graphml_loads_back_with_kinds_and_weights(trade):
    _, out = trade
    ElementTree.parse(out / "graph.graphml")  # well-formed XML
    graph = nx.read_graphml(out / "graph.graphml", force_multigraph=True)
    assert isinstance(graph, nx.MultiDiGraph)
    loaded = {(u, v, d["kind"], d["weight"]) for u, v, d in graph.edges(data=True)}
    assert loaded == _edges(out)
    assert graph.nodes["Document.Заказ"]["subsystems"] == "Subsystem.Продажи"
    assert graph.nodes["Document.Заказ.Form.ФормаДокумента"]["type"] == "Form"
    assert graph.nodes["Document.Заказ.Form.ФормаДокумента"]["subsystems"] == "Subsystem.Продажи"  # inherited
    assert graph.number_of_nodes() == 18  # 17 objects and the form


def test_subsystem_svg_is_repeatable(trade, tmp_path):
    _, out = trade
    svg = (out / "subsystems.svg").read_text(encoding="utf-8")
    root = ElementTree.fromstring(svg)
    assert root.tag.endswith("svg")
    assert "Продажи" in svg and "Склад" in svg and "НСИ" in svg
    run(trade_snapshot(tmp_path / "snapshot"), tmp_path / "again")
    assert (tmp_path / "again" / "subsystems.svg").read_text(encoding="utf-8") == svg


def test_missing_snapshot_fails_and_writes_nothing(tmp_path):
    with pytest.raises(SnapshotError, match="no such snapshot folder"):
        run(tmp_path / "absent", tmp_path / "out")
    (tmp_path / "foreign").mkdir()
    (tmp_path / "foreign" / "summary.json").write_text('{"kind": "something else"}', encoding="utf-8")
    with pytest.raises(SnapshotError, match="not an onec-analysis snapshot"):
        run(tmp_path / "foreign", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_a_rerun_replaces_the_output_folder(trade, tmp_path):
    snapshot = trade_snapshot(tmp_path / "snapshot")
    out = tmp_path / "out"
    out.mkdir()
    (out / "stale.txt").write_text("from an older run", encoding="utf-8")
    run(snapshot, out)
    assert not (out / "stale.txt").exists()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_command_line(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="edt-analysis")
    add_parser(parser.add_subparsers(dest="command", required=True))
    snapshot = trade_snapshot(tmp_path / "snapshot")
    args = parser.parse_args(
        ["dependencies", str(snapshot), "--out", str(tmp_path / "out"), "--subsystem-level", "2"]
    )
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "cycles: 1 among common modules, 1 among subsystems" in printed
    assert "unused exports: 5 of 17" in printed
    assert (
        json.loads((tmp_path / "out" / "dependencies.json").read_text(encoding="utf-8"))["options"][
            "subsystem_level"
        ]
        == 2
    )
    with pytest.raises(SystemExit):
        parser.parse_args(
            ["dependencies", str(snapshot), "--out", str(tmp_path / "out"), "--subsystem-level", "0"]
        )


def test_subsystem_svg_draws_only_the_heaviest_links(tmp_path, monkeypatch):
    from onec_analysis.analyses.dependencies import drawing

    graph = nx.DiGraph()
    for i in range(6):
        graph.add_edge(f"Subsystem.A{i}", f"Subsystem.B{i}", weight=i + 1)

    def arrows(limit: int) -> tuple[int, str]:
        monkeypatch.setattr(drawing, "MAX_DRAWN_EDGES", limit)
        drawing.draw_subsystems(graph, {}, set(), tmp_path / "s.svg", level=1)
        svg = (tmp_path / "s.svg").read_text(encoding="utf-8")
        return svg.count('<g id="patch_') - 1, svg  # one patch is the figure's background

    drawn, svg = arrows(4)
    assert drawn == 4
    assert "12 subsystems, 6 directed links (the 4 heaviest drawn)" in svg
    assert "A0" in svg  # every subsystem is still drawn, also those whose links are not
    drawn, svg = arrows(300)
    assert drawn == 6 and "heaviest" not in svg
