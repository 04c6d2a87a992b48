"""The subsystem-level graph as an SVG for the docs, with matplotlib and a networkx layout.

Matplotlib rather than Graphviz: it is already a pinned dependency, so the drawing needs no Debian
package. The output is byte-for-byte repeatable: a fixed layout seed, a fixed ``svg.hashsalt`` and no
creation date, so an unchanged configuration gives an unchanged file in the docs.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the docs are built on workers

import matplotlib.pyplot as plt  # noqa: E402  (after the backend is chosen)
import networkx as nx  # noqa: E402

_CYCLE_COLOUR = "#c0392b"
_NODE_COLOUR = "#2e86c1"
_EDGE_COLOUR = "#7f8c8d"
#: Links drawn at most: the heaviest ones. Beyond a few hundred arrows the picture is a hairball that
#: takes minutes to draw and megabytes to ship (a synthetic ERP-size configuration has 16,900 links);
#: the whole graph is in the GraphML and Parquet outputs.
MAX_DRAWN_EDGES = 300


def _label(subsystem: str) -> str:
    return subsystem.rsplit(".", 1)[-1]


def draw_subsystems(
    graph: nx.DiGraph, sizes: dict[str, int], in_cycles: set[str], path: Path, *, level: int
) -> None:
    """Nodes sized by members, edges as wide as the log of the object edges behind them; subsystems
    on a cycle and the edges between them in red. Of more than ``MAX_DRAWN_EDGES`` links only the
    heaviest are drawn (the title says so)."""
    nodes = sorted(set(graph) | set(sizes))
    links = sorted(graph.edges(data="weight", default=1), key=lambda e: (-e[2], e[0], e[1]))
    shown = links[:MAX_DRAWN_EDGES]
    drawn = nx.DiGraph()
    drawn.add_nodes_from(nodes)
    drawn.add_weighted_edges_from(shown)
    side = max(6.0, min(30.0, 1.2 * math.sqrt(len(nodes)) * 2.5))
    with plt.rc_context(
        {"svg.hashsalt": "onec-analysis-dependencies", "svg.fonttype": "none", "font.size": 8}
    ):
        figure, axes = plt.subplots(figsize=(side, side))
        try:
            if drawn.number_of_nodes() == 0:
                axes.text(0.5, 0.5, "no subsystems in this configuration", ha="center", va="center")
            else:
                positions = nx.spring_layout(
                    drawn, seed=1729, k=2.0 / math.sqrt(max(len(nodes), 1)), iterations=200
                )
                node_size = [150 + 40 * math.sqrt(sizes.get(node, 0)) for node in drawn]
                colours = [_CYCLE_COLOUR if node in in_cycles else _NODE_COLOUR for node in drawn]
                nx.draw_networkx_nodes(
                    drawn, positions, ax=axes, node_size=node_size, node_color=colours, alpha=0.85
                )
                edges = sorted(drawn.edges(data="weight", default=1))
                nx.draw_networkx_edges(
                    drawn,
                    positions,
                    ax=axes,
                    edgelist=[(u, v) for u, v, _ in edges],
                    width=[0.4 + math.log1p(w) * 0.6 for _, _, w in edges],
                    edge_color=[
                        _CYCLE_COLOUR if u in in_cycles and v in in_cycles else _EDGE_COLOUR
                        for u, v, _ in edges
                    ],
                    alpha=0.6,
                    arrows=True,
                    arrowsize=8,
                    connectionstyle="arc3,rad=0.08",
                    node_size=node_size,
                )
                nx.draw_networkx_labels(
                    drawn, positions, labels={n: _label(n) for n in drawn}, ax=axes, font_size=8
                )
            heaviest = f" (the {len(shown)} heaviest drawn)" if len(shown) < len(links) else ""
            axes.set_title(
                f"Dependencies between subsystems (level {level}): {len(nodes)} subsystems, "
                f"{len(links)} directed links{heaviest}; red = on a cycle"
            )
            axes.set_axis_off()
            figure.tight_layout()
            figure.savefig(path, format="svg", metadata={"Date": None})
        finally:
            plt.close(figure)
