"""How a collection cycle grows with Redis nodes and Celery workers — measured on real processes.

Redis: clusters of 3, 6 and 12 redis-server nodes. Celery: 1, 4 and 8 real `celery worker` processes
of a minimal app (the same control protocol as `airflow celery worker`, without Airflow's 300 MB per
process, so eight fit on a 2-core CI machine). Commands are counted by the broker itself: MONITOR
sees every command, and the connections the inspector opened are told apart from the workers' ones.

Run with `-s` to see the table the README figures come from.
"""

from __future__ import annotations

import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import pytest

from cluster_health.celery_workers import CeleryInspector, declared_queues, queue_lengths
from cluster_health.redis_nodes import RedisNodeCollector, RedisTarget, default_client_factory
from tests.support.redis_servers import cluster, single_node, wait_until

pytestmark = [pytest.mark.integration, pytest.mark.slow]

BENCH_APP = 'import os\nfrom celery import Celery\napp = Celery("bench", broker=os.environ["BENCH_BROKER"])\n'


def _median_ms(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1000


@pytest.mark.parametrize("primaries,replicas", [(3, 0), (3, 1), (6, 1)])
def test_redis_commands_are_one_plus_two_per_node(tmp_path, primaries, replicas):
    with cluster(tmp_path, primaries=primaries, replicas=replicas) as servers:
        target = RedisTarget("bench", "cluster", (("127.0.0.1", servers[0].port),))
        collector = RedisNodeCollector(target, default_client_factory())
        health = collector.collect()
        assert len(health.nodes) == len(servers) and all(n.up for n in health.nodes)
        assert health.commands == 1 + 2 * len(servers)
        ms = _median_ms(collector.collect)
        print(f"\nREDIS nodes={len(servers)} commands={health.commands} median_ms={ms:.1f}")
        assert ms < 100 * len(servers)  # generous: the CI machine is shared; typical is ~1 ms per node


class _Monitor:
    """Every command the broker executes while running: `redis-cli monitor` into a file."""

    LINE = re.compile(r'^[0-9.]+ \[\d+ ([^\]]+)\] "([^"]+)"(?: "([^"]*)")?')

    def __init__(self, port: int, out: Path) -> None:
        self._out = out
        self._log = open(out, "wb")  # noqa: SIM115 - closed in stop()
        self._process = subprocess.Popen(
            [shutil.which("redis-cli") or "redis-cli", "-p", str(port), "monitor"], stdout=self._log
        )
        time.sleep(0.3)

    def stop(self) -> list[tuple[str, str, str]]:
        """(client address, command name, first argument) for every command seen."""
        time.sleep(0.3)
        self._process.terminate()
        self._process.wait(timeout=10)
        self._log.close()
        seen = []
        for line in self._out.read_text(errors="replace").splitlines():
            if m := self.LINE.match(line):
                seen.append((m.group(1), m.group(2).upper(), m.group(3) or ""))
        return seen


def _one_cycle(url: str, expected=()):
    inspector = CeleryInspector(url, timeout=0.5)
    try:
        return inspector.workers(expected)
    finally:
        inspector.close()


def _start_workers(tmp: Path, broker_url: str, first: int, count: int) -> list[subprocess.Popen]:
    env = {**os.environ, "BENCH_BROKER": broker_url, "PYTHONPATH": str(tmp)}
    return [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "bench_app",
                "worker",
                "--pool",
                "solo",
                "-n",
                f"w{i}@%h",
                "-Q",
                "bench",
                "--without-mingle",
                "--without-gossip",
                "--without-heartbeat",
                "-l",
                "WARNING",
            ],
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for i in range(first, first + count)
    ]


def test_celery_commands_and_time_per_cycle_by_worker_count(tmp_path):
    (tmp_path / "bench_app.py").write_text(BENCH_APP)
    workers: list[subprocess.Popen] = []
    results = {}
    with single_node(tmp_path) as broker:
        url = f"redis://127.0.0.1:{broker.port}/0"
        admin = broker.client()
        try:
            for target in (1, 4, 8):
                workers += _start_workers(tmp_path, url, len(workers), target - len(workers))
                wait_until(lambda n=target: len(_one_cycle(url)) == n, 60, f"{target} workers answering")
                names = [r.name for r in _one_cycle(url)]
                # A fresh throwaway app per cycle, as in the DAG; the workers were up last time.
                ms = _median_ms(lambda n=names: _one_cycle(url, n))
                monitor = _Monitor(broker.port, tmp_path / f"monitor-{target}.txt")
                replies = _one_cycle(url, names)
                lines = monitor.stop()
                assert sorted(r.name for r in replies) == sorted(names)
                # Everything the broker did in the window, less the workers' idle polling of their
                # task queue (BRPOP bench ..., once a second each, cycle or not).
                caused = [c for _, c, arg in lines if not (c == "BRPOP" and arg.startswith("bench"))]
                declared, discovery_cmds = declared_queues(admin)
                queues, lengths_cmds = queue_lengths(admin, declared)
                assert "bench" in queues
                results[target] = (len(caused), ms, discovery_cmds + lengths_cmds)
                print(
                    f"\nCELERY workers={target} broker_commands_per_cycle={len(caused)} "
                    f"queue_commands={discovery_cmds + lengths_cmds} median_ms={ms:.0f}"
                )
        finally:
            for w in workers:
                w.terminate()
            for w in workers:
                try:
                    w.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    w.kill()
    # A constant part (two broadcasts, the reply queue, its polling) plus a few commands per worker
    # (each reply is an LPUSH after an exchange lookup): linear in workers, with a small slope.
    slope = (results[8][0] - results[1][0]) / 7
    print(f"\nCELERY commands per extra worker: {slope:.1f}")
    assert 1 <= slope <= 8, results
    # Wall time is the stats broadcast's timeout (0.5 s) plus the replies; not the number of workers.
    assert results[8][1] < 1000, results
