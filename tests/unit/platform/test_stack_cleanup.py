"""Stopping a local Airflow leaves none of its processes behind, orphans included."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import psutil

from local_airflow import AirflowStack, StackConfig

# Retitled like Airflow's task processes ("airflow worker -- <id>").
SLEEP = [sys.executable, "-c", "import time; time.sleep(600)", "airflow", "worker", "--", "ti"]


def test_stop_kills_orphans_in_the_stack_home_and_nothing_else(tmp_path: Path) -> None:
    home = tmp_path / "home"
    stack = AirflowStack(StackConfig(home=home, dags_folder=tmp_path))
    (home / "logs" / "task").mkdir(parents=True)
    # What a killed task leaves: processes of their own session, parent gone, started in the home.
    orphans = [
        subprocess.Popen(SLEEP, cwd=home, start_new_session=True),
        subprocess.Popen(SLEEP, cwd=home / "logs" / "task", start_new_session=True),
    ]
    bystanders = [
        subprocess.Popen(SLEEP, cwd=tmp_path, start_new_session=True),  # outside the home
        subprocess.Popen(["sleep", "600"], cwd=home, start_new_session=True),  # not Airflow
    ]
    try:
        stack.stop()
        for orphan in orphans:
            assert orphan.wait(timeout=10) is not None
        for bystander in bystanders:
            assert psutil.Process(bystander.pid).is_running() and bystander.poll() is None
    finally:
        for process in [*orphans, *bystanders]:
            process.kill()
            process.wait(timeout=10)
