"""Charts of the architecture report, as SVG and PNG, byte-for-byte reproducible.

Figures are built with the object-oriented matplotlib API (``Figure``, rendered by the Agg canvas):
no pyplot global state and no backend switch, so it is safe in a worker or beside other plotting code.
Reproducible: a fixed ``svg.hashsalt`` for SVG element ids, and no creation date in the metadata.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from matplotlib import rc_context
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

_RC = {"svg.hashsalt": "onec-analysis", "svg.fonttype": "none", "font.family": "DejaVu Sans", "font.size": 9}
_SIDE_COLOURS = {"client": "#4c78a8", "server": "#f58518", "both": "#54a24b", "unknown": "#bab0ac"}
_MAX_BARS = 40


def save(figure: Figure, folder: Path, stem: str) -> list[str]:
    """Write ``stem.svg`` and ``stem.png`` into *folder*; return the file names."""
    with rc_context(_RC):
        figure.savefig(folder / f"{stem}.svg", format="svg", metadata={"Date": None})
        figure.savefig(folder / f"{stem}.png", format="png", dpi=110, metadata={"Software": None})
    return [f"{stem}.svg", f"{stem}.png"]


def _figure(bars: int) -> Figure:
    with rc_context(_RC):
        return Figure(figsize=(8, max(2.5, 0.28 * bars + 1.2)), layout="constrained")


def horizontal_bars(labels: Sequence[str], values: Sequence[float], *, title: str, xlabel: str) -> Figure:
    """Largest first, top to bottom; at most 40 bars (the rest summed into "other")."""
    pairs = list(zip(labels, values, strict=True))
    if len(pairs) > _MAX_BARS:
        rest = sum(value for _, value in pairs[_MAX_BARS - 1 :])
        pairs = pairs[: _MAX_BARS - 1] + [(f"other ({len(pairs) - _MAX_BARS + 1})", rest)]
    figure = _figure(len(pairs))
    with rc_context(_RC):
        axes = figure.add_subplot()
        names = [name for name, _ in reversed(pairs)]
        numbers = [value for _, value in reversed(pairs)]
        axes.barh(range(len(pairs)), numbers, color="#4c78a8")
        axes.set_yticks(range(len(pairs)), names)
        axes.set_title(title)
        axes.set_xlabel(xlabel)
        for index, value in enumerate(numbers):
            axes.annotate(f"{value:,.0f}", (value, index), xytext=(3, 0), textcoords="offset points", va="center",
                          fontsize=7)  # fmt: skip
        axes.margins(x=0.12)
    return figure


def histogram(labels: Sequence[str], counts: Sequence[int], *, title: str, xlabel: str) -> Figure:
    """Bucketed counts as bars, log scale (the rare complex methods matter), each bar labelled."""
    with rc_context(_RC):
        figure = Figure(figsize=(8, 3.6), layout="constrained")
        axes = figure.add_subplot()
        axes.bar(range(len(labels)), counts, color="#4c78a8")
        axes.set_xticks(range(len(labels)), labels, rotation=45, ha="right")
        if any(counts):
            axes.set_yscale("log")
            axes.yaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
            axes.set_ylim(bottom=0.8, top=max(counts) * 2)
        for index, count in enumerate(counts):
            if count:
                axes.annotate(f"{count:,}", (index, count), xytext=(0, 2), textcoords="offset points", ha="center",
                              fontsize=7)  # fmt: skip
        axes.set_title(title)
        axes.set_xlabel(xlabel)
        axes.set_ylabel("methods")
    return figure


def side_split(module_types: Sequence[str], ncloc_by_side: dict[str, Sequence[int]], *, title: str) -> Figure:
    """Stacked horizontal bars: ncloc of each module type split into client / server / both / unknown."""
    figure = _figure(len(module_types))
    with rc_context(_RC):
        axes = figure.add_subplot()
        left = [0] * len(module_types)
        positions = range(len(module_types))
        for side, colour in _SIDE_COLOURS.items():
            values = ncloc_by_side.get(side, [0] * len(module_types))
            axes.barh(positions, values, left=left, color=colour, label=side)
            left = [a + b for a, b in zip(left, values, strict=True)]
        axes.set_yticks(positions, module_types)
        axes.invert_yaxis()
        axes.set_title(title)
        axes.set_xlabel("ncloc of methods")
        axes.set_xlim(left=0)
        figure.legend(loc="outside lower center", ncols=len(_SIDE_COLOURS))
    return figure
