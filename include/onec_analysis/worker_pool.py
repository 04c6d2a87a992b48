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

glibc's allocator is tuned too: blocks up to 32 MiB come from the heap and freed memory stays there
for the next block. By default glibc raises its mmap threshold as big blocks are freed, but once
anything in the process sets an allocator option that adaptation stops — as in an Airflow task on a
Celery worker, where every rendered page's strings above 128 KiB got an mmap of their own, freshly
zeroed page by page: the docs' render workers made 18,000 mmap/munmap pairs a second and spent
two thirds of their time in the kernel (the ERP-size site took 156 s there against 37 s from the
command line).
"""

from __future__ import annotations

import ctypes
import gc
import multiprocessing
import multiprocessing.pool
import signal
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

#: Allocations between two collections of the youngest generation in a worker (CPython: 700).
_YOUNG_THRESHOLD = 50_000

# mallopt(3) parameters and the values set in workers (32 MiB is glibc's largest mmap threshold).
_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3
_MMAP_THRESHOLD = 32 * 1024 * 1024
_TRIM_THRESHOLD = 128 * 1024 * 1024


def tune_allocator() -> bool:
    """Set glibc's mmap and trim thresholds (see the module doc); False where there is no glibc."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # musl and other C libraries without mallopt
        return False
    return bool(mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD)) and bool(
        mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    )


def _start_worker(initializer: Callable[..., Any] | None, initargs: tuple[Any, ...]) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    gc.freeze()
    gc.set_threshold(_YOUNG_THRESHOLD, *gc.get_threshold()[1:])
    tune_allocator()
    if initializer is not None:
        initializer(*initargs)


@contextmanager
def fork_pool(
    workers: int, initializer: Callable[..., Any] | None = None, initargs: tuple[Any, ...] = ()
) -> Iterator[multiprocessing.pool.Pool]:
    """A ``fork`` pool of *workers* processes: closed and joined when the block ends normally,
    terminated (the workers killed) and joined when it raises."""
    pool = multiprocessing.get_context("fork").Pool(
        workers, initializer=_start_worker, initargs=(initializer, initargs)
    )
    try:
        yield pool
    except BaseException:
        pool.terminate()
        pool.join()
        raise
    pool.close()
    pool.join()
