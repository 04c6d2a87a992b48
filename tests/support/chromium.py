"""Debian's headless Chromium driven by Playwright: the one way our tests open pages.

Playwright only drives the browser installed by apt (``executable_path`` is fixed; no browser is
ever downloaded).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium() -> Iterator:
    """A launched headless Chromium (a Playwright ``Browser``), closed on exit.

    Playwright's sync API keeps an asyncio loop running in the calling thread while it is open, so
    hold it for as short a scope as the tests allow (a module at most).
    """
    if not CHROMIUM.is_file():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
