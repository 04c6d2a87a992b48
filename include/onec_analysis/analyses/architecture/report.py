"""Run the architecture analysis: snapshot in, ``architecture.json`` + Parquet tables + charts out.

The output folder appears whole or not at all (``atomic_directory``). ``architecture.json`` carries
every aggregate in a human-usable form and an ``outputs`` list describing each file written, which the
documentation generator reads to embed the tables and charts.
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from onec_analysis.snapshot.io import atomic_directory, read_summary

from . import aggregates, plots
from .sides import SIDES
from .tables import connect

DEFAULT_TOP = 25

SUBSYSTEM_NOTE = (
    "Code volume of a subsystem is the code of the objects it lists. An object listed in several "
    "subsystems counts in each of them; *_total columns add nested subsystems, counting each object once."
)
CLIENT_SERVER_NOTE = (
    "A method's side comes from its directives (AtClient, AtServer, AtServerNoContext, AtClientAtServer…); "
    "without directives from its module: common-module flags (server/serverCall/externalConnection → "
    "server, clientManagedApplication → client, both kinds → both; clientOrdinaryApplication alone → client), "
    "form/command/application modules run on the client, object/manager/record-set/session/service modules "
    "on the server. A managed application is assumed; #If branches are not evaluated; module-body code "
    "outside methods is not counted."
)
_PARQUET_OUTPUTS = {
    "per_type.parquet": "Per object type: objects, modules, ncloc, methods, exported methods, protected modules.",
    "per_module_type.parquet": "Per module type: modules, ncloc, methods, exported methods.",
    "per_subsystem.parquet": "Per subsystem: tree position and the code of its objects (own and with nested).",
    "subsystem_members.parquet": "Each subsystem's direct content: (subsystem_id, object_id, object_type).",
    "extension_footprint.parquet": "Per configuration and belonging (Own/Adopted): objects, modules, methods, ncloc.",
    "adopted_per_type.parquet": "Adopted objects per configuration and object type.",
    "client_server.parquet": "Methods and ncloc per module type, side (client/server/both/unknown) and deciding rule.",
    "distributions.parquet": "Histogram buckets of method cyclomatic/cognitive complexity and method/module ncloc.",
    "top_methods.parquet": "Largest and most complex methods (rankings: largest, most_cyclomatic, most_cognitive).",
    "top_modules.parquet": "Largest and most complex modules (rankings: largest, most_complex).",
}


def run(snapshot: Path, out: Path, *, top: int = DEFAULT_TOP) -> dict[str, Any]:
    """Analyse *snapshot* into the folder *out* (replaced atomically); return the summary of the report."""
    started = time.perf_counter()
    snapshot, out = Path(snapshot), Path(out)
    summary = read_summary(snapshot)
    con = connect(snapshot)
    try:
        aggregates.create_subsystem_views(con)
        tables = {
            "per_type.parquet": aggregates.per_type(con),
            "per_module_type.parquet": aggregates.per_module_type(con),
            "per_subsystem.parquet": aggregates.per_subsystem(con),
            "subsystem_members.parquet": aggregates.subsystem_members(con),
            "extension_footprint.parquet": aggregates.extension_footprint(con),
            "adopted_per_type.parquet": aggregates.adopted_per_type(con),
            "client_server.parquet": aggregates.client_server(con),
            "top_methods.parquet": aggregates.top_methods(con, top),
            "top_modules.parquet": aggregates.top_modules(con, top),
        }
        tables["distributions.parquet"], statistics = aggregates.distributions(con)
        outside = aggregates.outside_subsystems(con)
        problems = dict(
            con.execute("SELECT coalesce(kind, ''), count(*) FROM problems GROUP BY 1 ORDER BY 1").fetchall()
        )
    finally:
        con.close()

    report = _report(summary, tables, statistics, outside, problems)
    with atomic_directory(out) as staging:
        outputs = [{"file": "architecture.json", "description": "All aggregates of this report (this file)."}]
        for name, table in tables.items():
            pq.write_table(table, staging / name, compression="zstd")
            outputs.append({"file": name, "description": _PARQUET_OUTPUTS[name]})
        outputs += _write_plots(staging / "plots", tables)
        report["outputs"] = outputs
        (staging / "architecture.json").write_text(
            json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return {
        **report["totals"],
        "problems": report["problems"]["count"],
        "outputs": len(outputs),
        "out": str(out),
        "seconds": round(time.perf_counter() - started, 2),
    }


def _rows(table: pa.Table) -> list[dict[str, Any]]:
    return table.to_pylist()


def _report(
    summary: dict, tables: dict[str, pa.Table], statistics: dict, outside: dict, problems: dict
) -> dict:
    per_type = tables["per_type.parquet"]
    per_subsystem = tables["per_subsystem.parquet"]
    sums = {column: int(sum(per_type[column].to_pylist())) for column in
            ("objects", "modules", "ncloc", "methods", "exported_methods", "protected_modules")}  # fmt: skip
    levels = per_subsystem["level"].to_pylist()
    return {
        "analysis": "architecture",
        "snapshot": {
            "source": summary.get("source"),
            "format": summary.get("format"),
            "configurations": summary.get("configurations", []),
        },
        "totals": {**sums, "subsystems": len(levels), "top_level_subsystems": levels.count(1)},
        "objects_per_type": _rows(per_type),
        "code_per_module_type": _rows(tables["per_module_type.parquet"]),
        "subsystems": {
            "note": SUBSYSTEM_NOTE,
            "outside_subsystems": outside,
            "tree": _subsystem_tree(per_subsystem, tables["subsystem_members.parquet"]),
        },
        "extension_footprint": _footprint(
            summary, tables["extension_footprint.parquet"], tables["adopted_per_type.parquet"]
        ),
        "client_server": _client_server(tables["client_server.parquet"]),
        "complexity": {
            "statistics": statistics,
            "histograms": _histograms(tables["distributions.parquet"]),
        },
        "top_methods": _rankings(tables["top_methods.parquet"]),
        "top_modules": _rankings(tables["top_modules.parquet"]),
        "problems": {"count": sum(problems.values()), "by_kind": problems},
    }


def _subsystem_tree(per_subsystem: pa.Table, members: pa.Table) -> list[dict]:
    objects_of: dict[str, list[str]] = defaultdict(list)
    for subsystem_id, object_id in zip(
        members["subsystem_id"].to_pylist(), members["object_id"].to_pylist(), strict=True
    ):
        objects_of[subsystem_id].append(object_id)
    nodes = {row["subsystem_id"]: {**row, "objects_list": objects_of.get(row["subsystem_id"], []), "children": []}
             for row in per_subsystem.to_pylist()}  # fmt: skip
    roots = []
    for node in nodes.values():  # rows are sorted by id, so children keep a stable order
        parent = nodes.get(node["parent_id"]) if node["parent_id"] else None
        (parent["children"] if parent else roots).append(node)
    return roots


def _footprint(summary: dict, footprint: pa.Table, adopted: pa.Table) -> list[dict]:
    roles = {c.get("name"): c.get("role") for c in summary.get("configurations", [])}
    by_configuration: dict[str, dict] = {}
    for row in footprint.to_pylist():
        name = row.pop("configuration")
        entry = by_configuration.setdefault(
            name, {"configuration": name, "role": roles.get(name), "belonging": {}}
        )
        entry["belonging"][row.pop("belonging")] = row
    for row in adopted.to_pylist():
        entry = by_configuration.setdefault(
            row["configuration"], {"configuration": row["configuration"], "role": None, "belonging": {}}
        )
        entry.setdefault("adopted_per_type", {})[row["object_type"]] = row["objects"]
    return [by_configuration[name] for name in sorted(by_configuration)]


def _client_server(split: pa.Table) -> dict:
    by_side = {side: {"methods": 0, "ncloc": 0} for side in SIDES}
    by_rule: dict[str, dict[str, int]] = defaultdict(lambda: {"methods": 0, "ncloc": 0})
    for row in split.to_pylist():
        for bucket in (by_side[row["side"]], by_rule[row["decided_by"]]):
            bucket["methods"] += row["methods"]
            bucket["ncloc"] += row["ncloc"]
    total = sum(value["ncloc"] for value in by_side.values())
    for value in by_side.values():
        value["ncloc_share"] = round(value["ncloc"] / total, 4) if total else 0.0
    return {"rules": CLIENT_SERVER_NOTE, "by_side": by_side, "by_decided_by": dict(sorted(by_rule.items())),
            "by_module_type": _rows(split)}  # fmt: skip


def _histograms(distributions: pa.Table) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = defaultdict(list)
    for row in distributions.to_pylist():
        result[row.pop("metric")].append(row)
    return dict(result)


def _rankings(table: pa.Table) -> dict[str, list[dict]]:
    result: dict[str, list[dict]] = defaultdict(list)
    for row in table.to_pylist():
        result[row.pop("ranking")].append(row)
    return dict(result)


def _write_plots(folder: Path, tables: dict[str, pa.Table]) -> list[dict[str, str]]:
    folder.mkdir()
    written: list[dict[str, str]] = []

    def emit(figure, stem: str, description: str) -> None:
        for name in plots.save(figure, folder, stem):
            written.append({"file": f"plots/{name}", "description": description})

    per_type = [row for row in tables["per_type.parquet"].to_pylist() if row["objects"]]
    emit(
        plots.horizontal_bars([r["object_type"] for r in per_type], [r["objects"] for r in per_type],
                              title="Metadata objects per type", xlabel="objects"),
        "objects_per_type", "Bar chart: metadata objects per type.",
    )  # fmt: skip
    top_level = sorted(
        (row for row in tables["per_subsystem.parquet"].to_pylist() if row["level"] == 1),
        key=lambda row: (-row["ncloc_total"], row["subsystem_id"]),
    )
    emit(
        plots.horizontal_bars([r["synonym"] or r["name"] for r in top_level], [r["ncloc_total"] for r in top_level],
                              title="Code volume per top-level subsystem (nested included)", xlabel="ncloc"),
        "code_per_subsystem", "Bar chart: ncloc of the objects of each top-level subsystem, nested subsystems included.",
    )  # fmt: skip
    histograms = _histograms(tables["distributions.parquet"])
    for metric, label in (("method_cyclomatic", "cyclomatic"), ("method_cognitive", "cognitive")):
        buckets = histograms[metric]
        emit(
            plots.histogram([b["bucket"] for b in buckets], [b["count"] for b in buckets],
                            title=f"Methods by {label} complexity", xlabel=f"{label} complexity"),
            f"complexity_{label}", f"Histogram: methods by {label} complexity (symmetric log scale).",
        )  # fmt: skip
    split = tables["client_server.parquet"].to_pylist()
    module_types = sorted({row["module_type"] for row in split})
    ncloc = {side: [0] * len(module_types) for side in SIDES}
    for row in split:
        ncloc[row["side"]][module_types.index(row["module_type"])] += row["ncloc"]
    emit(
        plots.side_split(module_types, ncloc, title="Client/server split of method code per module type"),
        "client_server",
        "Stacked bars: ncloc of methods per module type on client, server, both, unknown.",
    )
    return written


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """``edt-analysis architecture SNAPSHOT --out DIR [--top N]``."""
    parser = subparsers.add_parser(
        "architecture",
        help="architecture report: objects per type, subsystems, code volume, client/server, complexity",
        description=__doc__.splitlines()[0],
    )
    parser.add_argument("snapshot", type=Path, help="snapshot folder written by `edt-analysis parse`")
    parser.add_argument(
        "--out", type=Path, required=True, help="report folder to write (replaced atomically)"
    )
    parser.add_argument(
        "--top", type=int, default=DEFAULT_TOP, help=f"rows per top list (default {DEFAULT_TOP})"
    )
    parser.set_defaults(func=_command)
    return parser


def _command(args: argparse.Namespace) -> int:
    result = run(args.snapshot, args.out, top=args.top)
    print(
        f"architecture: {result['objects']} objects, {result['modules']} modules, {result['methods']} methods, "
        f"{result['ncloc']} ncloc, {result['subsystems']} subsystems, {result['problems']} problems "
        f"-> {result['out']} ({result['outputs']} files, {result['seconds']:.1f}s)"
    )
    return 0
