"""Time `edt_analysis` under the CeleryExecutor with real parts, and report the issue's figures.

Starts what the integration tests start (a PostgreSQL database on the local server, a redis-server
of its own, api-server, scheduler, dag-processor, triggerer and `airflow celery worker` processes),
triggers edt_analysis on SOURCE, and prints from the task instances the API serves:

* per task: queued → start → end, duration;
* makespan (first task start → last task end) and the critical path (the longest chain's task
  durations: plan_shards → parse → merge_snapshot → slowest analysis → documentation), and their ratio;
* the four-analysis stage: first analysis start → last analysis end.

    python benchmarks/bench_dag.py SOURCE [--workers 2 --concurrency 1] [--runs 2] [--shards 1] [--keep DIR]

Run it on a quiet machine; it is not part of CI.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO), str(REPO / "include")]

from tests.support.edt_platform import edt_celery_stack  # noqa: E402

ANALYSES = ("architecture", "ml_dataset", "dependencies", "best_practices")
CHAIN = ("plan_shards", "parse", "merge_snapshot", None, "documentation")


def _t(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def measure(client, run_id: str) -> dict:
    tis = client.task_instances("edt_analysis", run_id)
    by_task: dict[str, list[dict]] = {}
    for ti in tis:
        by_task.setdefault(ti["task_id"], []).append(ti)
    span = {
        k: (min(_t(t["start_date"]) for t in v), max(_t(t["end_date"]) for t in v))
        for k, v in by_task.items()
    }
    duration = {k: (end - start).total_seconds() for k, (start, end) in span.items()}
    critical = sum(duration[k] for k in CHAIN if k) + max(duration[a] for a in ANALYSES)
    first = min(start for start, _ in span.values())
    makespan = (max(end for _, end in span.values()) - first).total_seconds()
    stage = (max(span[a][1] for a in ANALYSES) - min(span[a][0] for a in ANALYSES)).total_seconds()
    queued = {
        k: min((_t(t.get("queued_when")) for t in v if t.get("queued_when")), default=None)
        for k, v in by_task.items()
    }
    timeline = {
        k: tuple(
            round((moment - first).total_seconds(), 1) if moment else None
            for moment in (queued[k], span[k][0], span[k][1])
        )
        for k in span
    }
    return {
        "durations": duration,
        "timeline": timeline,
        "makespan": makespan,
        "critical_path": critical,
        "analyses_stage": stage,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    parser.add_argument("--workers", type=int, default=2, help="celery worker processes")
    parser.add_argument("--concurrency", type=int, default=1, help="slots per worker")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--shards", type=int, default=1)
    parser.add_argument(
        "--keep",
        type=Path,
        help="work in this new folder and keep it (Airflow's home with the task logs, the artifacts)",
    )
    args = parser.parse_args()

    with _work_folder(args.keep) as tmp:
        with edt_celery_stack(tmp, db_prefix="onec_bench") as (stack, _):
            with stack.client() as client:
                for number in range(args.workers):
                    stack.start_worker(
                        f"bench{number}", queues=("default", "edt"), concurrency=args.concurrency
                    )
                client.wait_for_dag("edt_analysis", timeout=180)
                client.unpause("edt_analysis")
                results = []
                for _ in range(args.runs):
                    run = client.trigger(
                        "edt_analysis",
                        conf={
                            "source": str(args.source.resolve()),
                            "shards": args.shards,
                            "incremental": False,
                        },
                    )
                    client.wait_for_run("edt_analysis", run["dag_run_id"], timeout=3600)
                    results.append(measure(client, run["dag_run_id"]))

    slots = args.workers * args.concurrency
    print(
        f"source={args.source} workers={args.workers} concurrency={args.concurrency} slots={slots} runs={args.runs}"
    )
    print("  task             duration   queued / start / end (s after the first start, last run)")
    for name in sorted(results[0]["durations"], key=lambda n: results[-1]["timeline"][n][1]):
        values = [r["durations"][name] for r in results]
        queued, start, end = results[-1]["timeline"][name]
        print(f"  {name:<16} {statistics.median(values):7.1f}s   {queued} / {start} / {end}")
    for key in ("makespan", "critical_path", "analyses_stage"):
        values = [r[key] for r in results]
        print(
            f"{key:<16} median {statistics.median(values):8.1f}s  (runs: {', '.join(f'{v:.1f}' for v in values)})"
        )
    ratios = [r["makespan"] / r["critical_path"] for r in results]
    print(f"makespan/critical_path median {statistics.median(ratios):.3f}")
    return 0


@contextmanager
def _work_folder(keep: Path | None) -> Iterator[Path]:
    if keep is None:
        with tempfile.TemporaryDirectory(prefix="bench-dag-") as name:
            yield Path(name)
        return
    keep.mkdir(parents=True)  # a new folder: never mixes two runs' logs
    yield keep.resolve()


if __name__ == "__main__":
    sys.exit(main())
