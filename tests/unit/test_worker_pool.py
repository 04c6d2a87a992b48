"""fork_pool: workers end whether the block finishes or raises, also under a host's SIGTERM handler."""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
import subprocess
import sys

import pytest

from onec_analysis.worker_pool import fork_pool

_PARENT = os.getpid()


def _like_airflow(signum, frame):
    """Like Airflow's task runner's SIGTERM handler: it does nothing in a process other than the task's."""
    if os.getpid() != _PARENT:
        return
    raise SystemExit(128 + signum)  # the test process itself still stops on SIGTERM


@pytest.fixture
def airflow_sigterm_handler():
    previous = signal.signal(signal.SIGTERM, _like_airflow)
    yield
    signal.signal(signal.SIGTERM, previous)


def _square(n: int) -> int:
    return n * n


_state: list[str] = []


def _init(tag: str) -> None:
    _state.append(tag)


def _tag(_: int) -> str:
    return ",".join(_state)


def test_results_then_no_worker_left(airflow_sigterm_handler):
    with fork_pool(2) as pool:
        assert sorted(pool.imap_unordered(_square, range(10))) == [n * n for n in range(10)]
    assert multiprocessing.active_children() == []


def test_initializer_runs_in_each_worker():
    with fork_pool(2, initializer=_init, initargs=("ready",)) as pool:
        assert set(pool.map(_tag, range(4))) == {"ready"}


_HOST = """
import os, signal, time
from onec_analysis.worker_pool import fork_pool

TASK = os.getpid()


def like_airflow(signum, frame):  # Airflow's task runner: nothing happens in a process but the task's
    if os.getpid() != TASK:
        return
    raise SystemExit(128 + signum)


def work(n):
    if n == 0:
        raise ValueError("bad batch")
    time.sleep(60)


signal.signal(signal.SIGTERM, like_airflow)
started = time.monotonic()
try:
    with fork_pool(2) as pool:
        list(pool.imap_unordered(work, [1, 0]))
except ValueError as error:
    print(f"{error} after {time.monotonic() - started:.1f}s")
"""


def test_an_error_ends_the_pool_under_a_host_sigterm_handler(tmp_path):
    # A real process with Airflow's kind of SIGTERM handler: without the reset in the workers, the
    # pool's terminate cannot kill them and its join waits for ever (here: until the timeout).
    script = tmp_path / "host.py"
    script.write_text(_HOST, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=45, check=True
    )
    assert done.stdout.startswith("bad batch after ")
    assert float(done.stdout.split()[-1].rstrip("s")) < 30


def _collector_settings(_: int) -> tuple[int, int]:
    import gc

    return gc.get_threshold()[0], gc.get_freeze_count()


def test_workers_freeze_what_they_inherit_and_collect_less_often() -> None:
    import gc

    inherited = [{"row": n} for n in range(1000)]  # objects the workers get from the parent
    with fork_pool(2) as pool:
        settings = pool.map(_collector_settings, range(2))
    assert all(threshold == 50_000 and frozen >= len(inherited) for threshold, frozen in settings)
    assert gc.get_threshold()[0] != 50_000 and gc.get_freeze_count() == 0  # the parent is untouched


def _stack_depth(_: int) -> int:
    frame, depth = sys._getframe(), 0
    while frame is not None:
        frame, depth = frame.f_back, depth + 1
    return depth


def _leaf(a, b=0, c=0, d=0, e=0, f=0, g=0, h=0, i=0, j=0):  # a frame larger than one of _pool_at's
    return a


def _page_faults_of_calls(_: int) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for n in range(20_000):
        _leaf(n)
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def _pool_at(depth: int, task):
    """Run *task* in a one-worker pool opened *depth* frames deeper than the caller."""
    if depth:
        return _pool_at(depth - 1, task)
    with fork_pool(1) as pool:
        return pool.map(task, [0])[0]


def test_tasks_start_on_a_fresh_stack_whatever_the_depth_of_the_host() -> None:
    shallow, deep = _pool_at(0, _stack_depth), _pool_at(300, _stack_depth)
    assert shallow == deep < 15


def test_no_host_depth_puts_a_stack_chunk_boundary_under_a_hot_call() -> None:
    # CPython 3.11 maps a 16 KiB frame chunk when a call does not fit the current one and unmaps it
    # when the call returns: a hot call right at a boundary faults in a fresh page every time. The
    # host depths below move the boundary by one frame of _pool_at at a time over more than a chunk,
    # and _leaf's frame is larger than that step, so with inherited stacks some depth lands on it.
    faults = {depth: _pool_at(depth, _page_faults_of_calls) for depth in range(180)}
    assert max(faults.values()) < 1_000, {d: f for d, f in faults.items() if f >= 1_000}


_FRESH_HOST = """
import sys
from onec_analysis.worker_pool import fork_pool

def pandas_was_there(_):
    return "pandas" in sys.modules

assert "pandas" not in sys.modules
with fork_pool(2) as pool:
    print(pool.map(pandas_was_there, range(2)))
"""


def test_workers_inherit_what_pyarrow_imports_on_first_use(tmp_path) -> None:
    # In a process of its own: this one imported pandas long ago. Without the conversion made
    # before the fork, each worker imports pandas (0.4 s) on its first list-to-Arrow conversion.
    script = tmp_path / "host.py"
    script.write_text(_FRESH_HOST, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(script)], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "[True, True]"
