"""``edt-analysis``: the command-line front end of the library.

Exit codes: 0 done (problems found in the configuration are listed in the snapshot, not fatal);
2 bad arguments or a SOURCE that is not a configuration / a folder that is not a snapshot.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from onec_analysis import __version__

log = logging.getLogger("edt-analysis")

#: Sub-command -> module whose ``add_parser(subparsers)`` adds it. Imported only when needed:
#: the analyses pull in matplotlib, networkx … which `parse` has no use for.
_STEP_COMMANDS = {
    "architecture": "onec_analysis.analyses.architecture",
    "dependencies": "onec_analysis.analyses.dependencies",
    "best-practices": "onec_analysis.analyses.best_practices",
    "dataset": "onec_analysis.analyses.dataset",
    "docs": "onec_analysis.docs_site.command",
}


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal; plain log lines (every 10 %) otherwise."""
    if sys.stderr.isatty():
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            transient=True,
        ) as bar:
            task = bar.add_task(label, total=None)

            def update(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            yield update
        return
    last = [-1]

    def report(done: int, total: int) -> None:
        decile = 10 * done // total if total else 10
        if decile != last[0]:
            last[0] = decile
            log.info("%s: %d/%d units (%d%%)", label, done, total, 100 * done // total if total else 100)

    yield report


def _cmd_parse(args: argparse.Namespace) -> int:
    from onec_analysis.reader.pipeline import ParseOptions, Shard, parse_source

    shard = Shard.parse(args.shard) if args.shard else None
    with _progress("parse") as progress:
        summary = parse_source(
            args.source,
            args.out,
            ParseOptions(workers=args.workers, shard=shard, cache_dir=args.cache, progress=progress),
        )
    _print_parse_summary(summary, args.out)
    return 0


def _cmd_merge(args: argparse.Namespace) -> int:
    from onec_analysis.reader.pipeline import merge_snapshots

    summary = merge_snapshots(args.parts, args.out)
    _print_parse_summary(summary, args.out)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from onec_analysis.runner import run_all

    result = run_all(
        args.source, args.out, workers=args.workers, cache_dir=args.cache, rules_config=args.rules_config
    )
    counts = result["counts"]
    print(f"{counts['objects']} objects, {counts['modules']} modules, {counts['methods']} methods")
    for step, seconds in result["timings_seconds"].items():
        print(f"  {step:<15} {seconds:7.1f}s")
    print(f"documentation site: {result['site']}")
    return 0


def _print_parse_summary(summary: dict, out: Path) -> None:
    counts = summary["counts"]
    configurations = ", ".join(f"{c['name']} ({c['role']})" for c in summary["configurations"])
    print(f"{summary['format']}: {configurations}")
    print(
        f"{counts['objects']} objects, {counts['modules']} modules, {counts['methods']} methods, "
        f"{counts['calls']} calls, {counts['references']} references, {counts['problems']} problems"
    )
    for kind, number in summary["problems_by_kind"].items():
        print(f"  problem {kind}: {number}")
    timings = summary.get("timings_seconds", {})
    if "total" in timings:
        print(f"parsed in {timings['total']:.1f}s -> {out}")
    else:
        print(f"-> {out}")


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with *command* known, only that step's module is imported."""
    parser = argparse.ArgumentParser(prog="edt-analysis", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    sub = parser.add_subparsers(dest="command", required=True)

    parse = sub.add_parser(
        "parse",
        help="read a configuration (EDT project, EDT workspace or Designer dump) into a snapshot",
    )
    parse.add_argument(
        "source",
        type=Path,
        help="folder with src/Configuration/Configuration.mdo, Configuration.xml, or EDT projects",
    )
    parse.add_argument(
        "--out", type=Path, required=True, help="snapshot folder to write (replaced atomically)"
    )
    parse.add_argument(
        "--workers", type=_positive_int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parse.add_argument(
        "--shard", metavar="I/N", help="read only shard I of N (merge the N parts with `merge`)"
    )
    parse.add_argument("--cache", type=Path, help="cache folder for incremental re-parsing")
    parse.set_defaults(func=_cmd_parse)

    merge = sub.add_parser(
        "merge", help="merge the partial snapshots of `parse --shard I/N` into one snapshot"
    )
    merge.add_argument("parts", type=Path, nargs="+", help="the N partial snapshot folders")
    merge.add_argument("--out", type=Path, required=True)
    merge.set_defaults(func=_cmd_merge)

    for name, module_name in _STEP_COMMANDS.items():
        if command is None or command == name:
            importlib.import_module(module_name).add_parser(sub)

    run = sub.add_parser(
        "run",
        help="parse, then the four analyses in parallel, then the documentation site (no Airflow needed)",
    )
    run.add_argument("source", type=Path, help="the configuration folder, as for `parse`")
    run.add_argument(
        "--out", type=Path, required=True, help="folder for snapshot/, analyses/<name>/ and site/"
    )
    run.add_argument(
        "--workers",
        type=_positive_int,
        default=os.cpu_count() or 1,
        help="parse processes (default: all cores); best-practices and dataset get half each",
    )
    run.add_argument("--cache", type=Path, help="cache folder for incremental re-parsing")
    run.add_argument("--rules-config", type=Path, help="TOML file with best-practice thresholds")
    run.set_defaults(func=_cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    from onec_analysis.metadata import NotAConfiguration
    from onec_analysis.snapshot.io import SnapshotError

    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((arg for arg in argv if not arg.startswith("-")), None)
    known = command in _STEP_COMMANDS or command in ("parse", "merge", "run")
    args = build_parser(command if known else None).parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.INFO,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    try:
        return args.func(args)
    except (NotAConfiguration, SnapshotError, ValueError) as exc:
        print(f"edt-analysis {args.command}: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
