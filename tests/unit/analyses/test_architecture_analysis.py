"""Architecture report on a hand-written snapshot: every aggregate checked against worked-out numbers.

The configuration (fixtures/architecture/demo_snapshot.json): "Demo" with subsystems Sales (nesting
Orders) and Admin, a catalog, a document, five common modules and a session module, plus an extension
"Ext" adopting the catalog and adding a common module. Catalog.Customers is in Sales, Orders and Admin.
"""

from __future__ import annotations

import argparse
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses import architecture
from onec_analysis.analyses.architecture import aggregates
from onec_analysis.analyses.architecture.tables import connect
from onec_analysis.snapshot.io import SnapshotError
from tests.support.snapshots import make_snapshot

FIXTURE = Path(__file__).parent / "fixtures" / "architecture" / "demo_snapshot.json"


def demo_snapshot(path: Path) -> Path:
    rows = json.loads(FIXTURE.read_text(encoding="utf-8"))
    rows.pop("_about")
    return make_snapshot(path, configuration="Demo", **rows)


@pytest.fixture(scope="module")
def report_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("architecture")
    architecture.run(demo_snapshot(base / "snapshot"), base / "report")
    return base / "report"


@pytest.fixture(scope="module")
def report(report_dir: Path) -> dict:
    return json.loads((report_dir / "architecture.json").read_text(encoding="utf-8"))


def test_objects_per_type_counts_objects_modules_and_code(report_dir: Path) -> None:
    rows = {row.pop("object_type"): row for row in pq.read_table(report_dir / "per_type.parquet").to_pylist()}
    assert rows == {
        "CommonModule": {"type_folder": "CommonModules", "objects": 6, "modules": 6, "ncloc": 94, "methods": 6,
                         "exported_methods": 4, "protected_modules": 1},
        "Subsystem": {"type_folder": "Subsystems", "objects": 3, "modules": 0, "ncloc": 0, "methods": 0,
                      "exported_methods": 0, "protected_modules": 0},
        "Catalog": {"type_folder": "Catalogs", "objects": 2, "modules": 4, "ncloc": 92, "methods": 7,
                    "exported_methods": 2, "protected_modules": 0},
        "Document": {"type_folder": "Documents", "objects": 1, "modules": 3, "ncloc": 165, "methods": 5,
                     "exported_methods": 0, "protected_modules": 0},
        # the session module's owner has no object row: its type comes from the id
        "Configuration": {"type_folder": None, "objects": 0, "modules": 1, "ncloc": 8, "methods": 1,
                          "exported_methods": 0, "protected_modules": 0},
    }  # fmt: skip


def test_totals_and_code_per_module_type(report: dict) -> None:
    assert report["totals"] == {
        "objects": 12, "modules": 14, "ncloc": 359, "methods": 19, "exported_methods": 6, "protected_modules": 1,
        "subsystems": 3, "top_level_subsystems": 2,
    }  # fmt: skip
    per_module_type = {row["module_type"]: (row["modules"], row["ncloc"], row["methods"], row["exported_methods"])
                       for row in report["code_per_module_type"]}  # fmt: skip
    assert per_module_type == {
        "ObjectModule": (3, 142, 4, 1),
        "FormModule": (2, 100, 5, 0),
        "CommonModule": (6, 94, 6, 4),
        "ManagerModule": (1, 10, 1, 1),
        "SessionModule": (1, 8, 1, 0),
        "CommandModule": (1, 5, 2, 0),
    }


def test_subsystem_tree_nests_and_counts_code_of_listed_objects(report: dict) -> None:
    tree = report["subsystems"]["tree"]
    assert [node["subsystem_id"] for node in tree] == ["Subsystem.Admin", "Subsystem.Sales"]
    admin, sales = tree
    (orders,) = sales["children"]
    assert orders["subsystem_id"] == "Subsystem.Sales.Subsystem.Orders" and orders["level"] == 2
    assert admin["objects_list"] == ["Catalog.Customers", "CommonModule.Common"]
    assert orders["objects_list"] == ["Catalog.Customers", "Document.Order"]
    # Customers (80 ncloc, 3 modules, 6 methods) + Common (15, 1, 2)
    assert (admin["objects"], admin["modules"], admin["ncloc"], admin["methods"], admin["exported_methods"]) == (
        2, 4, 95, 8, 3)  # fmt: skip
    # own content: Customers + SalesServer (50, 1 module, 1 exported method)
    assert (sales["objects"], sales["modules"], sales["ncloc"], sales["methods"]) == (2, 4, 130, 7)
    # with Orders: Customers counted once, plus Document.Order (165, 3 modules, 5 methods)
    assert (sales["objects_total"], sales["modules_total"], sales["ncloc_total"], sales["methods_total"]) == (
        3, 7, 295, 12)  # fmt: skip
    assert (orders["ncloc"], orders["ncloc_total"]) == (245, 245)
    assert "counts in each" in report["subsystems"]["note"]


def test_objects_outside_every_subsystem(report: dict) -> None:
    # SalesClient (20), Nowhere (protected, 0), Orphan (3), Ext:Catalog.Customers (12), Ext:ExtTools (6)
    assert report["subsystems"]["outside_subsystems"] == {"objects": 5, "ncloc": 41, "methods": 4}


def test_per_subsystem_table_and_members(report_dir: Path) -> None:
    table = pq.read_table(report_dir / "per_subsystem.parquet")
    assert table["subsystem_id"].to_pylist() == [
        "Subsystem.Admin", "Subsystem.Sales", "Subsystem.Sales.Subsystem.Orders"]  # fmt: skip
    assert table["parent_id"].to_pylist() == [None, None, "Subsystem.Sales"]
    assert table["level"].to_pylist() == [1, 1, 2]
    members = pq.read_table(report_dir / "subsystem_members.parquet").to_pylist()
    assert len(members) == 6
    assert {
        "subsystem_id": "Subsystem.Admin",
        "object_id": "CommonModule.Common",
        "object_type": "CommonModule",
    } in members


def test_extension_footprint_separates_own_and_adopted(report: dict) -> None:
    demo, ext = report["extension_footprint"]
    assert demo == {
        "configuration": "Demo",
        "role": "configuration",
        "belonging": {"Own": {"objects": 10, "modules": 11, "ncloc": 333, "methods": 16, "exported_methods": 5,
                              "annotated_methods": 0}},
    }  # fmt: skip
    assert ext["belonging"] == {
        "Adopted": {
            "objects": 1,
            "modules": 1,
            "ncloc": 12,
            "methods": 1,
            "exported_methods": 0,
            "annotated_methods": 1,
        },
        "Own": {
            "objects": 1,
            "modules": 1,
            "ncloc": 6,
            "methods": 1,
            "exported_methods": 1,
            "annotated_methods": 0,
        },
    }
    assert ext["adopted_per_type"] == {"Catalog": 1}


def test_client_server_split_by_side_and_rule(report: dict) -> None:
    split = report["client_server"]
    assert {side: (v["methods"], v["ncloc"]) for side, v in split["by_side"].items()} == {
        "client": (5, 60),  # Recalc 30, CommandProcessing 4, OnOpen 10, Prepare 1, Notify 15
        "server": (10, 233),
        "both": (3, 17),  # Shared 3 (directive), Format 12 (flags), Mixed 2 (two directives)
        "unknown": (1, 2),  # Orphan: a common module without flags
    }
    assert split["by_side"]["server"]["ncloc_share"] == round(233 / 312, 4)
    assert split["by_decided_by"] == {
        "directive": {"methods": 6, "ncloc": 84},
        "module": {"methods": 13, "ncloc": 228},
    }
    form_rows = [r for r in split["by_module_type"] if r["module_type"] == "FormModule"]
    assert [(r["side"], r["decided_by"], r["methods"], r["ncloc"]) for r in form_rows] == [
        ("both", "directive", 1, 3),
        ("client", "directive", 1, 30),
        ("client", "module", 1, 10),
        ("server", "directive", 2, 45),
    ]


def test_complexity_histograms_and_statistics(report: dict) -> None:
    histograms = report["complexity"]["histograms"]
    cyclomatic = {b["bucket"]: b["count"] for b in histograms["method_cyclomatic"]}
    assert cyclomatic == {"0": 0, "1": 8, "2": 4, "3-4": 3, "5-7": 1, "8-10": 1, "11-15": 1, "16-20": 0,
                          "21-30": 1, "31-50": 0, "51-100": 0, "101+": 0}  # fmt: skip
    cognitive = {b["bucket"]: b["count"] for b in histograms["method_cognitive"]}
    assert cognitive == {"0": 8, "1": 4, "2": 2, "3-4": 0, "5-7": 1, "8-10": 1, "11-15": 1, "16-20": 1,
                         "21-30": 0, "31-50": 1, "51-100": 0, "101+": 0}  # fmt: skip
    statistics = report["complexity"]["statistics"]
    assert statistics["method_cyclomatic"] == {"count": 19, "mean": round(77 / 19, 3), "p50": 2, "p90": 8, "p99": 12,
                                               "max": 25}  # fmt: skip
    # the protected module (no text) is left out of module sizes
    assert statistics["module_ncloc"]["count"] == 13 and statistics["module_ncloc"]["max"] == 100


def test_top_methods_and_modules_rank_with_ties_broken_by_id(report: dict, report_dir: Path) -> None:
    largest = [(m["rank"], m["method_id"], m["ncloc"]) for m in report["top_methods"]["largest"][:4]]
    assert largest == [
        (1, "Document.Order.ObjectModule.Posting", 90),
        (2, "CommonModule.SalesServer.Module.Total", 40),
        (3, "Document.Order.Form.Doc.Module.Recalc", 30),
        (4, "Catalog.Customers.Form.Item.Module.OnCreateAtServer", 25),
    ]
    cognitive = [m["method_id"] for m in report["top_methods"]["most_cognitive"][:3]]
    assert cognitive == ["Document.Order.ObjectModule.Posting", "CommonModule.SalesServer.Module.Total",
                         "Document.Order.Form.Doc.Module.Recalc"]  # fmt: skip
    # 20 ncloc: BeforeWrite and Save tie; the id decides
    ranked = [m["method_id"] for m in report["top_methods"]["largest"]]
    assert ranked.index("Catalog.Customers.ObjectModule.BeforeWrite") < ranked.index(
        "Document.Order.Form.Doc.Module.Save"
    )
    complex_modules = [
        (m["module_id"], m["cognitive_sum"]) for m in report["top_modules"]["most_complex"][:2]
    ]
    assert complex_modules == [("Document.Order.ObjectModule", 40), ("CommonModule.SalesServer.Module", 18)]
    table = pq.read_table(report_dir / "top_methods.parquet")
    assert table.num_rows == 3 * 19  # fewer methods than the default top 25: every method in each ranking


def test_problems_are_counted_by_kind(report: dict) -> None:
    assert report["problems"] == {"count": 2, "by_kind": {"malformed_xml": 1, "protected_module": 1}}


def test_outputs_lists_every_file_written_and_plots_are_valid(report_dir: Path, report: dict) -> None:
    listed = {entry["file"] for entry in report["outputs"]}
    on_disk = {str(p.relative_to(report_dir)) for p in report_dir.rglob("*") if p.is_file()}
    assert listed == on_disk
    assert all(entry["description"] for entry in report["outputs"])
    stems = {
        "objects_per_type",
        "code_per_subsystem",
        "complexity_cyclomatic",
        "complexity_cognitive",
        "client_server",
    }
    for stem in stems:
        root = ET.parse(report_dir / "plots" / f"{stem}.svg").getroot()
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        image = matplotlib.image.imread(report_dir / "plots" / f"{stem}.png")
        assert image.shape[0] > 100 and image.shape[1] > 100


def test_top_option_limits_rankings(report_dir: Path) -> None:
    con = connect(report_dir.parent / "snapshot")
    table = aggregates.top_modules(con, 2)
    assert table["ranking"].to_pylist() == ["largest", "largest", "most_complex", "most_complex"]
    assert table["module_id"].to_pylist()[:2] == [
        "Document.Order.ObjectModule",
        "Document.Order.Form.Doc.Module",
    ]


def test_missing_or_foreign_snapshot_raises_one_line_error_and_keeps_old_output(tmp_path: Path) -> None:
    out = tmp_path / "report"
    out.mkdir()
    (out / "keep.txt").write_text("previous report")
    with pytest.raises(SnapshotError, match="no such snapshot folder"):
        architecture.run(tmp_path / "absent", out)
    (tmp_path / "foreign").mkdir()
    with pytest.raises(SnapshotError, match="not a snapshot"):
        architecture.run(tmp_path / "foreign", out)
    assert (out / "keep.txt").read_text() == "previous report"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_a_table_with_foreign_columns_is_named_in_the_error(tmp_path: Path) -> None:
    snapshot = demo_snapshot(tmp_path / "snapshot")
    pq.write_table(pa.table({"method_id": ["x"], "ncloc": ["not a number"]}), snapshot / "methods.parquet")
    with pytest.raises(SnapshotError, match=r"methods\.parquet: columns do not match the snapshot schema"):
        architecture.run(snapshot, tmp_path / "report")
    assert not (tmp_path / "report").exists()


def test_subcommand_repeats_the_report_byte_for_byte(
    tmp_path: Path, report_dir: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="edt-analysis")
    architecture.add_parser(parser.add_subparsers(dest="command"))
    snapshot = demo_snapshot(tmp_path / "snapshot")
    args = parser.parse_args(["architecture", str(snapshot), "--out", str(tmp_path / "again")])
    assert args.func(args) == 0
    assert (
        "12 objects, 14 modules, 19 methods, 359 ncloc, 3 subsystems, 2 problems" in capsys.readouterr().out
    )
    files = [path for path in report_dir.rglob("*") if path.is_file()]
    assert len(files) == 21
    for path in files:  # same snapshot, same bytes: charts and Parquet included
        assert (tmp_path / "again" / path.relative_to(report_dir)).read_bytes() == path.read_bytes(), path
