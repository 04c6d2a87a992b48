"""Fork pools that end: workers leave on ``close`` after the last task, and die on ``terminate``.

The reader, the rules and the docs fork worker processes that inherit the parent's tables. A forked
worker also inherits the parent's Python signal handlers, and a host may have replaced SIGTERM's:
Airflow's task runner installs one that returns at once in any process but the task's own. Such a
worker ignores the SIGTERM that ``Pool.terminate`` (and so ``with Pool(...)``) sends, stays blocked
on the task queue, and the parent waits in ``join`` for ever — a documentation task hung until its
timeout that way. Here each worker puts SIGTERM back to the default action first, and a pool that
finished its work is closed and joined (the workers read the end-of-work sentinel and exit) rather
than terminated.

The cyclic garbage collector is tuned in each worker: what the worker inherited is frozen (it lives
as long as the worker; traversing it touched every inherited page, undoing copy-on-write), and the
youngest generation is collected every 50,000 allocations instead of 700 — the workers allocate
millions of short-lived rows that reference counting frees. Measured on the SSL parse: 0.4 s of
8.6 s in collections before, 0.03 s after.

Each worker runs its loop on a thread of its own, so its tasks start on a fresh Python stack. A
forked worker otherwise keeps every frame its parent had when it forked — inside an Airflow task on
a Celery worker some sixty — and CPython 3.11 keeps frames in 16 KiB chunks that it maps when a call
does not fit the current chunk and unmaps when that call returns. Where the inherited frames put a
chunk boundary under a hot call, every such call costs an ``mmap`` and a ``munmap``: the DAG's
documentation workers made 146,000 of each in 8 s and rendered the ERP-size site in 156 s, against
37 s from the command line. On a fresh stack a task's depth no longer depends on its host.

pyarrow imports pandas on its first conversion of Python values (``pa.array`` of a list: 0.4 s
here). The pool makes that conversion once in the parent before it forks, which every parent here
makes later anyway, so the workers inherit pandas instead of each importing it on its first task
(0.4 s of the 3 s that an incremental ERP-size parse spends parsing).
"""

from __future__ import annotations

import functools
import gc
import multiprocessing
import multiprocessing.pool
import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pyarrow as pa

#: Allocations between two collections of the youngest generation in a worker (CPython: 700).
_YOUNG_THRESHOLD = 50_000


def _on_fresh_stack(target: Callable[..., None], *args: Any) -> None:
    """A worker process's body: *target* (the pool's loop) on a new thread, whose errors are the
    process's. The thread is a daemon, so a worker interrupted while waiting for it exits at once."""
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # only the main thread may set handlers
    failure: list[BaseException] = []

    def loop() -> None:
        try:
            target(*args)
        except BaseException as error:  # noqa: BLE001 - handed to the main thread, raised there
            failure.append(error)

    thread = threading.Thread(target=loop, name="pool-worker", daemon=True)
    thread.start()
    thread.join()
    if failure:
        raise failure[0]


class _Pool(multiprocessing.pool.Pool):
    """A pool whose workers run their loop on a fresh stack (see the module's docstring)."""

    @staticmethod
    def Process(ctx: Any, *args: Any, **kwds: Any) -> Any:  # noqa: N802 - the name Pool calls
        kwds["target"] = functools.partial(_on_fresh_stack, kwds["target"])
        return ctx.Process(*args, **kwds)


def _start_worker(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    gc.freeze()
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def fork_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[multiprocessing.pool.Pool]:
    """A ``fork`` pool of *workers* processes: closed and joined when the block ends normally,
    terminated (the workers killed) and joined when it raises."""
    pa.array([0])  # pyarrow's lazy import of pandas, before the fork (see the module's docstring)
    pool = _Pool(
        workers,
        initializer=_start_worker,
        initargs=(initializer, initargs),
        context=multiprocessing.get_context("fork"),
    )
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
