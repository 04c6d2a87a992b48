"""Time the five `ml_retraining` trainings one after another, then on two worker processes.

Two slots are what the `ml_heavy` worker has (`--concurrency 2`); the trainings go to the pool in
the DAG's map order (models.yaml order), each logging to MLflow like the DAG's tasks. Each mode
gets a fresh SQLite store, created before the clock starts, and the pool's processes have imported
the libraries before it starts (as a running worker has).

A slot is one core: OpenMP/BLAS threads are limited to ``--threads`` (1) per training, as on the
ml worker (docker-compose.yml sets OMP_NUM_THREADS=1 there). With ``--threads 0`` the libraries'
own threads are left alone, so a "serial" training already spreads over every core.

    python benchmarks/bench_ml.py DATASET [--slots 2] [--threads 1]
    python benchmarks/bench_ml.py --snapshot SNAPSHOT     # build the dataset first (edt-analysis dataset)

Prints each training's wall time, the total wall time of both modes and the speed-up. Run it on a
quiet machine; it is not part of CI.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(REPO / "include")]
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")
# before numpy/scikit-learn are imported (here and in the spawned workers, which inherit it)
_THREADS = next((a.split("=", 1)[1] for a in sys.argv if a.startswith("--threads=")), None) or (
    sys.argv[sys.argv.index("--threads") + 1] if "--threads" in sys.argv else "1"
)
if _THREADS != "0":
    for _name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[_name] = _THREADS

from onec_ml import load_specs, prepare_tracking, train  # noqa: E402


def _train(spec, dataset: str, uri: str) -> tuple[str, float, dict]:
    started = time.perf_counter()
    result = train(spec, dataset, uri)
    return spec.name, time.perf_counter() - started, result


def _warm_up(_: int) -> int:
    import mlflow.sklearn  # noqa: F401

    import onec_ml.kinds  # noqa: F401

    return os.getpid()


def run(dataset: str, uri: str, slots: int) -> tuple[float, dict[str, float], dict[str, dict]]:
    specs = load_specs()
    prepare_tracking(specs, uri)
    if slots == 1:
        _warm_up(0)
        started = time.perf_counter()
        outcomes = [_train(spec, dataset, uri) for spec in specs]
        wall = time.perf_counter() - started
    else:
        # spawn, like Airflow's task processes start fresh: a fork of this process, which MLflow
        # has already started threads in, can deadlock on a lock held by one of them
        with ProcessPoolExecutor(max_workers=slots, mp_context=multiprocessing.get_context("spawn")) as pool:
            list(pool.map(_warm_up, range(slots * 4)))
            started = time.perf_counter()
            outcomes = list(pool.map(_train, specs, [dataset] * len(specs), [uri] * len(specs)))
            wall = time.perf_counter() - started
    return wall, {name: seconds for name, seconds, _ in outcomes}, {name: r for name, _, r in outcomes}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, help="folder written by `edt-analysis dataset`")
    parser.add_argument("--snapshot", type=Path, help="build the dataset from this snapshot first")
    parser.add_argument("--slots", type=int, default=2)
    parser.add_argument(
        "--threads", type=int, default=1, help="OpenMP/BLAS threads per training; 0: leave alone"
    )
    args = parser.parse_args()
    load = os.getloadavg()[0]
    with tempfile.TemporaryDirectory(prefix="bench-ml-") as tmp_name:
        tmp = Path(tmp_name)
        dataset = args.dataset
        if args.snapshot:
            from onec_analysis.analyses.dataset.report import run as build

            dataset = tmp / "dataset"
            started = time.perf_counter()
            build(args.snapshot, dataset)
            print(f"dataset built in {time.perf_counter() - started:.1f}s")
        if dataset is None:
            parser.error("give DATASET or --snapshot")
        serial, serial_each, results = run(str(dataset), f"sqlite:///{tmp / 'serial' / 'mlflow.db'}", 1)
        parallel, parallel_each, _ = run(
            str(dataset), f"sqlite:///{tmp / 'parallel' / 'mlflow.db'}", args.slots
        )
    print(
        f"{'model':<22} {'metric':<13} {'test':>8} {'baseline':>9} {'serial s':>9} {f'{args.slots} slots s':>10}"
    )
    for name, result in results.items():
        print(
            f"{name:<22} {result['metric']:<13} {result['test']:8.4f} {result['baseline']:9.4f} "
            f"{serial_each[name]:9.1f} {parallel_each[name]:10.1f}"
        )
    print(f"one after another: {serial:.1f}s wall")
    print(f"{args.slots} worker slots:    {parallel:.1f}s wall")
    print(
        f"speed-up: {serial / parallel:.2f}x (cpus: {os.cpu_count()}, threads per training: {args.threads or 'all'}, 1-min load at start: {load:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
