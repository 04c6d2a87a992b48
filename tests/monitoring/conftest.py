"""Fixtures for the monitoring tests: real promtool, amtool, Prometheus and Alertmanager binaries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
MONITORING = REPO / "monitoring"


def binary(name: str) -> str:
    """Path of a Debian-packaged tool; `make test-deps` installs them."""
    for candidate in (name, f"prometheus-{name}"):
        found = shutil.which(candidate) or (
            f"/usr/bin/{candidate}" if Path(f"/usr/bin/{candidate}").exists() else None
        )
        if found:
            return found
    pytest.fail(f"{name} is not installed: `make test-deps` installs prometheus and prometheus-alertmanager")


def run(args: list[str], timeout: float = 120, **kwargs) -> subprocess.CompletedProcess:
    """Run a tool, fail the test with its output if it exits non-zero."""
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        pytest.fail(f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


@pytest.fixture(scope="session")
def promtool() -> str:
    return binary("promtool")


@pytest.fixture(scope="session")
def amtool() -> str:
    return binary("amtool")
