"""The SSL 3.1.9 site in Chromium: the full search index loads and finds ОбщегоНазначения."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from onec_analysis.docs_site import build_site
from tests.browser.conftest import serve

pytestmark = [pytest.mark.integration, pytest.mark.corpus]


@pytest.fixture(scope="module")
def ssl_site_url(ssl_edt_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    site = tmp_path_factory.mktemp("ssl-browser") / "site"
    build_site(ssl_edt_snapshot, None, site, workers=2)
    yield from serve(site)


def test_search_over_the_full_index_opens_the_most_called_common_module(
    browser, ssl_site_url: str, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []
    page.on("console", lambda message: message.type == "error" and problems.append(message.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    try:
        page.goto(ssl_site_url + "index.html")
        page.screenshot(path=tmp_path / "ssl-overview.png", full_page=True)
        page.fill("#search-input", "ОбщегоНазначения")
        first = page.locator("#search-results li a").first
        first.wait_for(timeout=30_000)
        assert first.locator(".hit-name").inner_text() == "ОбщегоНазначения"
        first.click()
        page.wait_for_load_state()
        assert page.url == ssl_site_url + "objects/CommonModule/ObshchegoNaznacheniya.html"
        assert page.title().startswith("Общий модуль ОбщегоНазначения")
        page.screenshot(path=tmp_path / "ssl-common-module.png")
        # An exported method by name, straight to its card.
        page.fill("#search-input", "ОбщийМодуль")
        hit = page.locator("#search-results a", has_text="ОбщегоНазначения.ОбщийМодуль").first
        hit.wait_for()
        hit.click()
        page.wait_for_load_state()
        assert page.locator("article.method:target code.sig").inner_text().startswith("Функция ОбщийМодуль(")
        assert problems == []
        print(f"screenshots in {tmp_path}")
    finally:
        page.close()
