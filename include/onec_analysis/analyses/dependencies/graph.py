"""The networkx side: the object-level multigraph, fan-in/fan-out, and cycles as strongly connected components."""

from __future__ import annotations

from typing import Any

import duckdb
import networkx as nx
import pyarrow as pa


def object_graph(nodes: pa.Table, edges: pa.Table, membership: dict[str, list[str]]) -> nx.MultiDiGraph:
    """One node per object (or form), one edge per (source, target, kind) keyed by the kind.

    Every attribute is a plain string, number or boolean, so GraphML can carry it; a node's
    subsystems are joined with ``;``.
    """
    graph = nx.MultiDiGraph()
    for node, type_, name, known in zip(
        *(nodes[c].to_pylist() for c in ("node", "type", "name", "known_object")), strict=True
    ):
        graph.add_node(
            node,
            type=type_ or "",
            name=name or "",
            known_object=bool(known),
            subsystems=";".join(membership.get(node, ())),
        )
    columns = (edges[c].to_pylist() for c in ("source", "target", "kind", "weight"))
    graph.add_edges_from(
        (source, target, kind, {"kind": kind, "weight": weight})
        for source, target, kind, weight in zip(*columns, strict=True)
    )
    return graph


def fan_table(connection: duckdb.DuckDBPyConnection) -> pa.Table:
    """Fan-in/fan-out per node: distinct neighbours over all kinds (self-loops aside), summed weights,
    and the calls alone (distinct calling objects, call count)."""
    return connection.sql(
        """
        WITH links AS (SELECT * FROM dep_edges WHERE source <> target),
        fan_in AS (
            SELECT target AS node, count(DISTINCT source) AS fan_in, sum(weight) AS weight_in,
                   count(DISTINCT source) FILTER (WHERE kind = 'call') AS call_fan_in,
                   coalesce(sum(weight) FILTER (WHERE kind = 'call'), 0) AS calls_in
            FROM links GROUP BY target
        ),
        fan_out AS (
            SELECT source AS node, count(DISTINCT target) AS fan_out, sum(weight) AS weight_out
            FROM links GROUP BY source
        ),
        subsystems AS (SELECT node, list(subsystem ORDER BY subsystem) AS subsystems FROM dep_membership GROUP BY node)
        SELECT n.node, n.type, coalesce(s.subsystems, []::VARCHAR[]) AS subsystems,
               coalesce(i.fan_in, 0)::BIGINT AS fan_in, coalesce(o.fan_out, 0)::BIGINT AS fan_out,
               coalesce(i.weight_in, 0)::BIGINT AS weight_in, coalesce(o.weight_out, 0)::BIGINT AS weight_out,
               coalesce(i.call_fan_in, 0)::BIGINT AS call_fan_in, coalesce(i.calls_in, 0)::BIGINT AS calls_in
        FROM dep_nodes n
        LEFT JOIN fan_in i USING (node) LEFT JOIN fan_out o USING (node) LEFT JOIN subsystems s USING (node)
        ORDER BY n.node
        """
    ).to_arrow_table()


def _example_cycle(graph: nx.DiGraph, members: list[str]) -> list[str]:
    """A shortest cycle through the component's first member: one BFS towards it on the reversed graph."""
    component = graph.subgraph(members)
    start = members[0]
    paths_to_start = nx.single_source_shortest_path(component.reverse(copy=False), start)
    best: list[str] | None = None
    for successor in sorted(component.successors(start)):
        if successor == start or successor not in paths_to_start:
            continue
        cycle = [start, *reversed(paths_to_start[successor])]
        if best is None or len(cycle) < len(best):
            best = cycle
    assert best is not None, (
        "a strongly connected component of two or more nodes has a cycle through each node"
    )
    return best


def cycles(graph: nx.DiGraph) -> list[dict[str, Any]]:
    """Non-trivial strongly connected components (two or more nodes), largest first, each with an
    example cycle that starts and ends at its alphabetically first member."""
    found = []
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        members = sorted(component)
        inside = graph.subgraph(members)
        found.append(
            {
                "size": len(members),
                "members": members,
                "example_cycle": _example_cycle(graph, members),
                "edges": inside.number_of_edges() - nx.number_of_selfloops(inside),
                "weight": sum(w for u, v, w in inside.edges(data="weight", default=1) if u != v),
            }
        )
    found.sort(key=lambda c: (-c["size"], c["members"][0]))
    return found
