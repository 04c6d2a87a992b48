"""Importing onec_analysis turns transparent huge pages off for the process and its children.

The setting is inherited across fork and exec, and this test process may have imported the library
already: each probe turns huge pages back on first, then reports the setting before and after the import.
"""

from __future__ import annotations

import os
import subprocess
import sys

_PROBE = """
import ctypes, multiprocessing, pyarrow  # pyarrow (mimalloc) first: the setting must not depend on the order

ctypes.CDLL(None).prctl(41, 0, 0, 0, 0)  # PR_SET_THP_DISABLE 0: what this process inherited, undone

def thp(_=None):
    return next(l.split()[1] for l in open("/proc/self/status") if l.startswith("THP_enabled"))

before = thp()
import onec_analysis

with multiprocessing.get_context("fork").Pool(1) as pool:
    print(before, thp(), pool.apply(thp))
"""


def _probe(**env: str) -> list[str]:
    environment = {
        k: v for k, v in os.environ.items() if k not in ("ONEC_ANALYSIS_HUGE_PAGES", "MIMALLOC_ALLOW_THP")
    }
    result = subprocess.run(
        [sys.executable, "-c", _PROBE], env={**environment, **env}, capture_output=True, text=True, check=True
    )
    return result.stdout.split()


def test_huge_pages_are_off_in_the_process_and_its_forked_workers() -> None:
    assert _probe() == ["1", "0", "0"]


def test_the_switch_leaves_them_as_they_were() -> None:
    assert _probe(ONEC_ANALYSIS_HUGE_PAGES="1") == ["1", "1", "1"]
