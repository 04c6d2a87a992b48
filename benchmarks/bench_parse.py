"""Wall time, throughput and peak memory of `edt-analysis parse`, full and incremental.

    .venv/bin/python benchmarks/bench_parse.py SOURCE [--workers N] [--runs 3] [--changed 0.01]

For each of --runs rounds, on a scratch copy of SOURCE:

1. a full parse (no cache): wall time, files/s, MB/s per core, peak memory of the whole process tree
   (the CLI and its pool, sampled every 50 ms: RSS summed and PSS summed, see measure.py);
2. a parse that fills a cache folder, then --changed (1 %) of the BSL modules edited (a comment line
   appended, so sizes and mtimes change), then the incremental re-parse with that cache: its wall
   time as a share of the full parse, and a check that its snapshot equals a full parse's.

Prints each figure's minimum, median and maximum over the rounds. Run it on a quiet machine (the
figures are whole-machine wall times); it is not part of CI.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from measure import run_measured  # noqa: E402

CLI = [sys.executable, "-m", "onec_analysis.cli"]


def source_size(root: Path) -> tuple[int, int]:
    files = size = 0
    for path in root.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size


def edit_modules(root: Path, share: float, seed: int) -> int:
    modules = sorted(root.rglob("*.bsl"))
    chosen = random.Random(seed).sample(modules, max(1, round(len(modules) * share)))
    for path in chosen:
        with path.open("ab") as handle:
            handle.write("\n// изменено бенчмарком\n".encode())
    return len(chosen)


def same_snapshot(left: Path, right: Path) -> bool:
    for table in sorted(p.name for p in left.glob("*.parquet")):
        if not pq.read_table(left / table).equals(pq.read_table(right / table)):
            print(f"  differs: {table}")
            return False
    return True


def summary_line(name: str, values: list[float], unit: str) -> str:
    return (
        f"{name:<34} min {min(values):8.2f}  median {statistics.median(values):8.2f}  "
        f"max {max(values):8.2f} {unit}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--changed", type=float, default=0.01, help="share of BSL modules edited")
    args = parser.parse_args()

    files, size = source_size(args.source)
    print(f"{args.source}: {files} files, {size / 1e6:.0f} MB; {args.workers} workers")
    full, rss, pss, incremental, share = [], [], [], [], []
    with tempfile.TemporaryDirectory(prefix="bench-parse-") as tmp:
        work = Path(tmp)
        source = work / "source"
        shutil.copytree(args.source, source, symlinks=True)
        for round_ in range(args.runs):
            measured = run_measured(
                [*CLI, "parse", str(source), "--out", str(work / "full"), "--workers", str(args.workers)]
            )
            wall = measured.wall
            full.append(wall)
            rss.append(measured.peak_rss / 2**30)
            pss.append(measured.peak_pss / 2**30)
            cache = work / f"cache-{round_}"
            run_measured(
                [
                    *CLI,
                    "parse",
                    str(source),
                    "--out",
                    str(work / "warm"),
                    "--cache",
                    str(cache),
                    "--workers",
                    str(args.workers),
                ]
            )
            edited = edit_modules(source, args.changed, seed=round_)
            wall_inc = run_measured(
                [
                    *CLI,
                    "parse",
                    str(source),
                    "--out",
                    str(work / "incremental"),
                    "--cache",
                    str(cache),
                    "--workers",
                    str(args.workers),
                ]
            ).wall
            run_measured(
                [*CLI, "parse", str(source), "--out", str(work / "reference"), "--workers", str(args.workers)]
            )
            identical = same_snapshot(work / "incremental", work / "reference")
            incremental.append(wall_inc)
            share.append(100 * wall_inc / wall)
            print(
                f"round {round_ + 1}: full {wall:.1f} s, peak RSS {rss[-1]:.2f} GiB, PSS {pss[-1]:.2f} GiB; {edited} modules edited, "
                f"incremental {wall_inc:.1f} s ({100 * wall_inc / wall:.1f} % of full), identical to a full parse: {identical}"
            )
            if not identical:
                sys.exit("incremental snapshot differs from a full parse")
    print()
    print(summary_line("full parse wall", full, "s"))
    print(summary_line("files/s", [files / w for w in full], ""))
    print(summary_line("MB/s per core", [size / 1e6 / w / args.workers for w in full], ""))
    print(summary_line("peak RSS summed (process tree)", rss, "GiB"))
    print(summary_line("peak PSS summed (process tree)", pss, "GiB"))
    print(summary_line("incremental re-parse wall", incremental, "s"))
    print(summary_line("incremental / full", share, "%"))


if __name__ == "__main__":
    main()
