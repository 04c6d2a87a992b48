"""``edt-analysis dependencies SNAPSHOT --out DIR``."""

from __future__ import annotations

import argparse
from pathlib import Path

from .unused import DEFAULT_EXPORT_MODULE_TYPES


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _command(args: argparse.Namespace) -> int:
    from .report import run

    summary = run(
        args.snapshot,
        args.out,
        subsystem_level=args.subsystem_level,
        top=args.top,
        export_module_types=tuple(args.export_module_type or DEFAULT_EXPORT_MODULE_TYPES),
    )
    graph, cycles, unused = summary["graph"], summary["cycles"], summary["unused_exports"]
    print(
        f"{graph['nodes']} nodes, {graph['edges']} edges: "
        + ", ".join(f"{k} {v}" for k, v in graph["edges_by_kind"].items())
    )
    print(
        f"cycles: {len(cycles['common_modules'])} among common modules, {len(cycles['subsystems'])} among subsystems; "
        f"{sum(summary['cross_subsystem']['edges_by_kind'].values())} edges cross subsystems"
    )
    print(f"unused exports: {unused['unused']} of {unused['examined']}")
    print(f"analysed in {summary['timings_seconds']['total']:.1f}s -> {args.out}")
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``dependencies`` command to ``edt-analysis``."""
    parser = subparsers.add_parser(
        "dependencies",
        help="dependency graph of a snapshot: fan-in/fan-out, cycles, cross-subsystem edges, unused exports",
    )
    parser.add_argument("snapshot", type=Path, help="snapshot folder written by `edt-analysis parse`")
    parser.add_argument("--out", type=Path, required=True, help="output folder (replaced atomically)")
    parser.add_argument(
        "--subsystem-level",
        type=_positive_int,
        default=1,
        help="subsystem depth objects are grouped by (1 = top level)",
    )
    parser.add_argument(
        "--top", type=_positive_int, default=20, help="length of the rankings in dependencies.json"
    )
    parser.add_argument(
        "--export-module-type",
        action="append",
        metavar="TYPE",
        help="module type whose exports are checked for callers (repeatable; default: CommonModule, ManagerModule)",
    )
    parser.set_defaults(func=_command)
    return parser
