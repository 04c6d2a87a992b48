"""Wall time and peak memory of one command and the processes it starts (shared by the benchmarks).

Memory is sampled over the command's whole process tree, two ways:

* **RSS summed** over the processes: what ``ps`` shows added up. Pages that forked workers share
  copy-on-write with their parent (the Arrow tables a pool inherits) are counted once per process,
  so this overstates what the machine needs.
* **PSS summed** (proportional set size, from ``/proc/PID/smaps_rollup``): each shared page split
  between the processes that map it. Its sum is the physical memory the tree takes, the figure to
  hold against a RAM budget.

RSS is read every 50 ms (cheap: ``statm``); PSS every 0.5 s, because the kernel walks every page
of a process to compute it, which for a process of gigabytes costs enough CPU to slow the command
being measured on two cores.

Before the clock starts, what earlier steps wrote is flushed to disk (``os.sync``): a benchmark's
own set-up (a 3 GB copy of the source, the cache a previous round filled) was otherwise still being
written back while the measured command ran, and took its share of the disk and of the two cores
(bench_parse's full parse: 44 s in its rounds against 38-41 s from a quiet start).
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class Measured:
    wall: float  # seconds
    peak_rss: int  # bytes, summed over the tree (shared pages counted per process)
    peak_pss: int  # bytes, summed over the tree (shared pages split)


def run_measured(args: list[str], *, interval: float = 0.05, pss_every: int = 10) -> Measured:
    """Run *args* to the end; exit with its stderr when it fails.

    stderr goes to a temporary file, not a pipe: a long run's log lines would fill a pipe nobody reads
    while the command runs, and block it.
    """
    log = tempfile.TemporaryFile()
    os.sync()  # the set-up's writes go to disk now, not while the command is timed
    started = time.perf_counter()
    process = psutil.Popen(args, stdout=subprocess.DEVNULL, stderr=log)
    peak_rss = peak_pss = 0
    samples = 0
    while process.poll() is None:
        rss = pss = 0
        with_pss = samples % pss_every == 0
        samples += 1
        try:
            tree = [process, *process.children(recursive=True)]
        except psutil.Error:
            tree = []
        for member in tree:
            try:
                if with_pss:
                    info = member.memory_full_info()
                    pss += info.pss
                else:
                    info = member.memory_info()
            except psutil.Error:  # ended between the listing and the read
                continue
            rss += info.rss
        peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
        time.sleep(interval)
    wall = time.perf_counter() - started
    if process.returncode:
        log.seek(0)
        tail = log.read().decode(errors="replace")[-4000:]
        sys.exit(f"{' '.join(args)} failed (exit {process.returncode}):\n{tail}")
    log.close()
    return Measured(wall, peak_rss, peak_pss)


def gib(value: int) -> str:
    return f"{value / 2**30:.2f} GiB"
