"""``run``: read a snapshot, build the dependency graph, write every output into one folder atomically."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import networkx as nx
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis.snapshot.io import atomic_directory, count_by, read_summary

from .drawing import draw_subsystems
from .edges import build_edges
from .graph import cycles, fan_table, object_graph
from .source import connect
from .subsystems import build_membership, cross_subsystem_edges, subsystem_sizes, unassigned_edges
from .unused import DEFAULT_EXPORT_MODULE_TYPES, NOT_VISIBLE, find_unused_exports

SUMMARY_FILE = "dependencies.json"
SUMMARY_KIND = "onec-analysis dependencies"
#: Members of a cycle listed in the JSON summary (the Parquet table has them all).
CYCLE_MEMBERS_IN_SUMMARY = 25

OUTPUTS = {
    SUMMARY_FILE: "summary: edge counts per kind, fan-in/fan-out rankings, cycles, cross-subsystem counts, unused exports",
    "edges.parquet": "object-level edges: source, target, their types, kind, weight (rows behind the edge)",
    "fan.parquet": "per object or form: subsystems, fan-in/fan-out (distinct neighbours), weights, callers and calls",
    "unused_exports.parquet": "exported methods of common and manager modules that nothing visible calls",
    "cycles.parquet": "strongly connected components of the common-module call graph and of the subsystem graph, with an example cycle each",
    "cross_subsystem.parquet": "edges across subsystem boundaries per (source subsystem, target subsystem, kind), with example object edges",
    "graph.graphml": "the object-level multigraph (node type, name, subsystems; edge kind, weight) for Gephi, yEd, networkx",
    "subsystems.svg": "the subsystem-level graph drawn for the docs (red: subsystems on a cycle)",
}

_CYCLES_SCHEMA = pa.schema(
    [
        ("graph", pa.string()),  # common_modules | subsystems
        ("component", pa.int32()),  # 1 = the largest
        ("size", pa.int32()),
        ("members", pa.list_(pa.string())),
        ("example_cycle", pa.list_(pa.string())),  # first node repeated at the end
        ("edges", pa.int64()),
        ("weight", pa.int64()),
    ]
)


def _common_module_graph(connection) -> nx.DiGraph:
    rows = connection.sql(
        """
        SELECT e.source, e.target, sum(e.weight)::BIGINT
        FROM dep_edges e JOIN dep_nodes s ON s.node = e.source JOIN dep_nodes t ON t.node = e.target
        WHERE e.kind = 'call' AND s.type = 'CommonModule' AND t.type = 'CommonModule' AND e.source <> e.target
        GROUP BY ALL ORDER BY 1, 2
        """
    ).fetchall()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(rows)
    return graph


def _subsystem_graph(connection) -> nx.DiGraph:
    """Subsystem -> subsystem, weighted by the object edges that cross between them (all kinds)."""
    rows = connection.sql(
        "SELECT source_subsystem, target_subsystem, count(*)::BIGINT FROM dep_cross GROUP BY ALL ORDER BY 1, 2"
    ).fetchall()
    graph = nx.DiGraph()
    graph.add_weighted_edges_from(rows)
    return graph


def _sum_by_kind(connection, table: str, value: str) -> dict[str, int]:
    return dict(
        connection.sql(
            f"SELECT kind, sum({value})::BIGINT FROM {table} GROUP BY kind ORDER BY kind"
        ).fetchall()
    )


def _cycles_table(found: dict[str, list[dict[str, Any]]]) -> pa.Table:
    rows = [
        {"graph": graph, "component": number, **cycle}
        for graph, listed in found.items()
        for number, cycle in enumerate(listed, start=1)
    ]
    return pa.Table.from_pylist(rows, schema=_CYCLES_SCHEMA)


def _ranking(fan: pa.Table, column: str, top: int, type_: str | None = None) -> list[dict[str, Any]]:
    if type_ is not None:
        fan = fan.filter(pc.equal(fan["type"], type_))
    ranked = fan.sort_by([(column, "descending"), ("node", "ascending")]).slice(0, top)
    keep = ["node", "type", "fan_in", "fan_out", "call_fan_in", "calls_in"]
    return ranked.select(keep).to_pylist()


def _cycle_summary(listed: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "size": c["size"],
            "example_cycle": c["example_cycle"],
            "members": c["members"][:CYCLE_MEMBERS_IN_SUMMARY],
            "members_listed": min(c["size"], CYCLE_MEMBERS_IN_SUMMARY),
            "edges": c["edges"],
        }
        for c in listed
    ]


def run(
    snapshot: Path,
    out: Path,
    *,
    subsystem_level: int = 1,
    top: int = 20,
    export_module_types: tuple[str, ...] = DEFAULT_EXPORT_MODULE_TYPES,
) -> dict[str, Any]:
    """Analyse the dependencies of the snapshot in *snapshot*; write every output into *out*.

    Returns the summary also written to ``dependencies.json``. Raises SnapshotError when *snapshot*
    is not a snapshot folder (nothing is written then).
    """
    snapshot, out = Path(snapshot), Path(out)
    source_summary = read_summary(snapshot)
    if top < 1:
        raise ValueError(f"top must be 1 or more, got {top}")
    timings: dict[str, float] = {}
    started = clock = time.perf_counter()

    def lap(step: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        timings[step] = round(now - clock, 3)
        clock = now

    connection = connect(snapshot)
    try:
        edges, nodes = build_edges(connection)
        build_membership(connection, subsystem_level)
        membership: dict[str, list[str]] = {}
        for node, subsystem in connection.sql(
            "SELECT node, subsystem FROM dep_membership ORDER BY 1, 2"
        ).fetchall():
            membership.setdefault(node, []).append(subsystem)
        fan = fan_table(connection)
        lap("edges")
        cross = cross_subsystem_edges(connection)
        unassigned = unassigned_edges(connection)
        sizes = subsystem_sizes(connection)
        lap("subsystems")
        graph = object_graph(nodes, edges, membership)
        module_graph = _common_module_graph(connection)
        subsystem_graph = _subsystem_graph(connection)
        weight_by_kind = _sum_by_kind(connection, "dep_edges", "weight")
        cross_by_kind = _sum_by_kind(connection, "dep_cross", "1")
        found = {"common_modules": cycles(module_graph), "subsystems": cycles(subsystem_graph)}
        lap("graph")
        unused, saved_by, examined = find_unused_exports(connection, tuple(export_module_types))
        lap("unused_exports")
    finally:
        connection.close()

    top_pairs = sorted(subsystem_graph.edges(data="weight"), key=lambda e: (-e[2], e[0], e[1]))[:top]
    summary: dict[str, Any] = {
        "kind": SUMMARY_KIND,
        "snapshot": str(snapshot),
        "configurations": source_summary.get("configurations", []),
        "snapshot_problems": source_summary.get("counts", {}).get("problems", 0),
        "options": {
            "subsystem_level": subsystem_level,
            "top": top,
            "export_module_types": list(export_module_types),
        },
        "graph": {
            "nodes": graph.number_of_nodes(),
            "edges": graph.number_of_edges(),
            "edges_by_kind": count_by(edges, "kind"),
            "weight_by_kind": weight_by_kind,
        },
        "fan": {
            "top_fan_in": _ranking(fan, "fan_in", top),
            "top_fan_out": _ranking(fan, "fan_out", top),
            "top_common_modules_fan_in": _ranking(fan, "fan_in", top, "CommonModule"),
        },
        "cycles": {
            "common_modules": _cycle_summary(found["common_modules"]),
            "subsystems": _cycle_summary(found["subsystems"]),
        },
        "cross_subsystem": {
            "level": subsystem_level,
            "subsystems": sizes,
            "edges_by_kind": cross_by_kind,
            "top_pairs": [{"source": s, "target": t, "edges": w} for s, t, w in top_pairs],
            "unassigned_edges_by_kind": unassigned,
        },
        "unused_exports": {
            "module_types": list(export_module_types),
            "examined": examined,
            "unused": unused.num_rows,
            "by_module_type": count_by(unused, "module_type"),
            "saved_by": saved_by,
            "not_visible": list(NOT_VISIBLE),
        },
        "outputs": OUTPUTS,
    }

    with atomic_directory(out) as staging:
        pq.write_table(edges, staging / "edges.parquet", compression="zstd")
        pq.write_table(fan, staging / "fan.parquet", compression="zstd")
        pq.write_table(unused, staging / "unused_exports.parquet", compression="zstd")
        pq.write_table(_cycles_table(found), staging / "cycles.parquet", compression="zstd")
        pq.write_table(cross, staging / "cross_subsystem.parquet", compression="zstd")
        nx.write_graphml(graph, staging / "graph.graphml")
        in_cycles = {member for cycle in found["subsystems"] for member in cycle["members"]}
        draw_subsystems(subsystem_graph, sizes, in_cycles, staging / "subsystems.svg", level=subsystem_level)
        lap("write")
        timings["total"] = round(time.perf_counter() - started, 3)
        summary["timings_seconds"] = timings
        (staging / SUMMARY_FILE).write_text(
            json.dumps(summary, ensure_ascii=False, indent=2), encoding="utf-8"
        )
    return summary
