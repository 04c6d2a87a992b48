"""Fixtures for tests that start real services."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.redis_servers import single_node


@pytest.fixture
def redis_broker_url(tmp_path: Path) -> Iterator[str]:
    """A redis-server of the test's own on a free port, so the shared one stays untouched."""
    with single_node(tmp_path) as server:
        yield f"redis://127.0.0.1:{server.port}/0"
