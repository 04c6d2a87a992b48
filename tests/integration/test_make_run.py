"""The README's first command, end to end: `ONCE=1 make run` (scripts/run_sample.py) on the sample.

A real embedded Airflow (SQLite + LocalExecutor; api-server, scheduler, dag-processor, triggerer)
from this repo's dags/ and plugins/ runs edt_analysis on samples/demo-workspace.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from local_airflow import free_port

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


def test_once_run_on_the_sample_succeeds_and_prints_where_everything_is(tmp_path: Path) -> None:
    env = {**os.environ, "ONCE": "1", "EDT_HOME": str(tmp_path / "home"), "EDT_UI_PORT": str(free_port())}
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_sample.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-4000:]
    assert re.search(r"Airflow UI:\s+http://127\.0\.0\.1:\d+\s+\(login: admin / \S+\)", output)
    assert "Run status:          success" in output
    site = re.search(r"Documentation site:\s+file://(\S+)", output)
    assert site, output[-2000:]
    index = Path(site.group(1))
    assert index.is_file() and index.stat().st_size > 0
    run_root = index.parent.parent
    for name in ("architecture", "dependencies", "best_practices", "dataset"):
        assert any((run_root / "analyses" / name).iterdir()), name
    summary = json.loads((run_root / "snapshot" / "summary.json").read_text())
    assert summary["format"] == "edt-workspace" and summary["counts"]["methods"] > 0
    # The password printed is the one kept for the next start.
    assert (tmp_path / "home" / ".admin_password").read_text().strip() in output


def test_once_run_reports_failure_with_a_non_zero_status(tmp_path: Path) -> None:
    not_a_configuration = tmp_path / "empty"
    not_a_configuration.mkdir()
    env = {
        **os.environ,
        "ONCE": "1",
        "EDT_HOME": str(tmp_path / "home"),
        "EDT_UI_PORT": str(free_port()),
        "EDT_SOURCE": str(not_a_configuration),
    }
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "run_sample.py")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 1, result.stdout[-2000:]
    assert "FAILED" in result.stdout and "parse=failed" in result.stdout
