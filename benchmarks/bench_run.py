"""Wall time of `edt-analysis run` end to end and of each stage, with peak memory.

    .venv/bin/python benchmarks/bench_run.py SOURCE [--workers N] [--runs 1]

Runs `edt-analysis run SOURCE --out <scratch>` (parse, the four analyses at once, the docs site),
measures the whole command from outside (wall, peak RSS and PSS summed over its process tree, see
measure.py) and prints the stage timings the run records in its ``run.json``. Run it on a quiet
machine; it is not part of CI.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from measure import gib, run_measured  # noqa: E402

CLI = [sys.executable, "-m", "onec_analysis.cli"]
STAGES = ("parse", "architecture", "dependencies", "best_practices", "dataset", "analyses", "docs")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("source", type=Path)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--runs", type=int, default=1)
    args = parser.parse_args()

    walls: list[float] = []
    for round_ in range(args.runs):
        with tempfile.TemporaryDirectory(prefix="bench-run-") as tmp:
            out = Path(tmp) / "run"
            measured = run_measured(
                [*CLI, "run", str(args.source), "--out", str(out), "--workers", str(args.workers)]
            )
            timings = json.loads((out / "run.json").read_text(encoding="utf-8"))["timings_seconds"]
        walls.append(measured.wall)
        stages = ", ".join(f"{name} {timings[name]:.1f}" for name in STAGES if name in timings)
        print(
            f"round {round_ + 1}: wall {measured.wall:.1f} s; peak RSS summed {gib(measured.peak_rss)}, "
            f"PSS summed {gib(measured.peak_pss)}\n  stages (s): {stages}"
        )
    if args.runs > 1:
        print(f"wall median {statistics.median(walls):.1f} s over {args.runs} runs")


if __name__ == "__main__":
    main()
