"""Read 1C:Enterprise configurations (1C:EDT projects and Designer XML dumps) and analyse them.

A plain library: it never imports Airflow, so it runs from the ``edt-analysis`` command, a notebook
or a test; the DAGs in ``dags/`` only call into it.

Importing it turns transparent huge pages off for the process (and the processes it forks), as
mimalloc's ``MIMALLOC_ALLOW_THP=0`` would, but whatever was imported first: Arrow's allocator hands
memory back to the system and takes it again all the time, and with huge pages each time costs
zeroing 2 MB. On the ERP-size copy that was a third of the kernel time of ``best-practices`` and
``dataset`` (system CPU 7.2-8.1 s against 4.4-4.5 s, wall 39-41 s against 36-36.5 s, peak RSS the
same). ``ONEC_ANALYSIS_HUGE_PAGES=1`` leaves the setting alone.
"""

import os
import sys

__version__ = "0.1.0"

_PR_SET_THP_DISABLE = 41  # <linux/prctl.h>


def _no_transparent_huge_pages() -> None:
    if sys.platform != "linux" or os.environ.get("ONEC_ANALYSIS_HUGE_PAGES") == "1":
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)
    except (OSError, AttributeError):  # no prctl: a kernel or libc without it, nothing to turn off
        pass


_no_transparent_huge_pages()
