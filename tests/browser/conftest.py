"""A real headless Chromium (Debian's /usr/bin/chromium, driven by Playwright) and the site to open in it.

The site is served by ``python -m http.server`` — a subprocess started on a free
port and stopped by the fixture — and opened from ``file://`` as well, the two ways people open it.
"""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from local_airflow import free_port
from onec_analysis.docs_site import build_site
from tests.support.chromium import chromium
from tests.unit.docs_site.sample_site import make_sample_analyses, make_sample_snapshot


@pytest.fixture(scope="module")
def browser():
    """One Chromium per test module.

    Module scope, not session: Playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, and tests elsewhere that call ``asyncio.run`` must not find it there.
    """
    with chromium() as launched:
        yield launched


@pytest.fixture(scope="session")
def sample_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("browser-site")
    snapshot = make_sample_snapshot(base / "snapshot")
    analyses = make_sample_analyses(base / "analyses")
    build_site(snapshot, analyses, base / "site", workers=1)
    return base / "site"


def serve(folder: Path) -> Iterator[str]:
    """Serve *folder* with ``python -m http.server`` until the generator is closed."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(folder)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(base + "index.html", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"http.server on port {port} did not start") from None
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="session")
def http_site(sample_site: Path) -> Iterator[str]:
    yield from serve(sample_site)


@pytest.fixture(params=["http", "file"])
def site_url(request: pytest.FixtureRequest, sample_site: Path) -> str:
    """The sample site's root URL, over HTTP and from file:// (each test runs with both)."""
    if request.param == "http":
        return request.getfixturevalue("http_site")
    return sample_site.as_uri() + "/"
