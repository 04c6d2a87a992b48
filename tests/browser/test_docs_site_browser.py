"""The documentation site in a real Chromium: pages render, links resolve, search finds objects."""

from __future__ import annotations

import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytestmark = pytest.mark.integration

OBJECT_PAGES = [
    "objects/Catalog/Banki.html",
    "objects/Catalog/Kontragenty.html",
    "objects/CommonModule/RabotaSBankami.html",
    "objects/Document/PostuplenieTovarov.html",
    "objects/Subsystem/Finansy.Subsystem.Bankovskie.html",
]


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.problems = []  # console errors, page errors, failed requests
    opened.on("console", lambda message: message.type == "error" and opened.problems.append(message.text))
    opened.on("pageerror", lambda error: opened.problems.append(str(error)))
    opened.on("requestfailed", lambda request: opened.problems.append(f"failed: {request.url}"))
    opened.on(
        "response",
        lambda response: (
            response.status >= 400 and opened.problems.append(f"{response.status}: {response.url}")
        ),
    )
    try:
        yield opened
    finally:
        context.close()


def resolves(url: str) -> bool:
    """An internal link works: the file exists (file://) or the server answers 200 (http://)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return Path(unquote(parts.path)).is_file()
    with urllib.request.urlopen(url.split("#")[0], timeout=10) as response:
        return response.status == 200


def test_pages_render_with_titles_and_no_errors(page, site_url: str) -> None:
    for path, title in [
        ("index.html", "Обзор — Документация ДемоКонфигурация"),
        ("objects/Catalog/Kontragenty.html", "Справочник Контрагенты — Документация ДемоКонфигурация"),
        (
            "objects/CommonModule/RabotaSBankami.html",
            "Общий модуль РаботаСБанками (Работа с банками) — Документация ДемоКонфигурация",
        ),
        ("dependencies.html", "Зависимости — Документация ДемоКонфигурация"),
    ]:
        page.goto(site_url + path)
        assert page.title() == title
        assert page.locator("h1").first.is_visible()
    # The stylesheet applied (the header is the dark bar), and nothing failed to load.
    assert (
        page.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor") == "rgb(22, 50, 79)"
    )
    assert page.problems == []


def test_every_internal_link_on_the_overview_and_object_pages_resolves(page, site_url: str) -> None:
    checked = set()
    for path in ["index.html", *OBJECT_PAGES]:
        page.goto(site_url + path)
        links = page.eval_on_selector_all(
            "a[href], img[src], link[href], script[src]", "els => els.map(e => e.href || e.src)"
        )
        internal = {link.split("#")[0] for link in links if link.startswith(site_url)}
        assert internal, path
        broken = [link for link in internal - checked if not resolves(link)]
        assert broken == [], f"{path}: {broken}"
        checked |= internal
    assert len(checked) > 20
    assert page.problems == []


def test_clicking_a_cyrillic_object_link_opens_its_page(page, site_url: str) -> None:
    page.goto(site_url + "types/Catalog.html")
    page.get_by_role("link", name="Контрагенты", exact=True).click()
    page.wait_for_load_state()
    assert page.url == site_url + "objects/Catalog/Kontragenty.html"
    assert page.locator("h1").inner_text() == "Контрагенты"
    # …and from there to the object its attribute's type names.
    page.get_by_role("link", name="CatalogRef.Банки").click()
    page.wait_for_load_state()
    assert page.title().startswith("Справочник Банки (Банки (классификатор))")
    assert page.problems == []


def test_search_finds_an_object_by_its_cyrillic_name_and_opens_it(page, site_url: str) -> None:
    page.goto(site_url + "objects/Document/PostuplenieTovarov.html")
    page.fill("#search-input", "контраг")
    result = page.locator("#search-results a", has_text="Контрагенты").first
    result.wait_for()
    assert page.locator("#search-results a").count() == 1
    result.click()
    page.wait_for_load_state()
    assert page.url == site_url + "objects/Catalog/Kontragenty.html"
    assert page.locator("h1").inner_text() == "Контрагенты"
    assert page.problems == []


def test_search_finds_a_synonym_and_an_exported_method(page, site_url: str) -> None:
    page.goto(site_url + "index.html")
    page.fill("#search-input", "банковские операции")  # a synonym, two words
    page.locator("#search-results a", has_text="Банковские").first.wait_for()
    page.fill("#search-input", "найтибанк")
    hit = page.locator("#search-results a", has_text="РаботаСБанками.НайтиБанк")
    hit.wait_for()
    hit.click()
    page.wait_for_load_state()
    assert page.url.startswith(site_url + "objects/CommonModule/RabotaSBankami.html#")
    target = page.locator("article.method:target")
    assert target.count() == 1
    assert (
        target.locator("code.sig").inner_text()
        == "Функция НайтиБанк(Знач БИК, Страна = Неопределено) Экспорт"
    )
    page.fill("#search-input", "ЗагрузитьФайл")  # not exported: not indexed
    page.locator("#search-results li", has_text="Ничего не найдено").wait_for()
    assert page.problems == []


def test_doc_comment_script_does_not_run(page, site_url: str) -> None:
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(site_url + "objects/CommonModule/RabotaSBankami.html")
    assert "<script>alert('doc')</script>" in page.locator("#m-Module\\.НайтиБанк .desc").first.inner_text()
    assert dialogs == []


def test_screenshots_of_the_overview_and_an_object_page(page, http_site: str, tmp_path: Path) -> None:
    page.goto(http_site + "index.html")
    page.screenshot(path=tmp_path / "overview.png", full_page=True)
    page.goto(http_site + "objects/CommonModule/RabotaSBankami.html")
    page.screenshot(path=tmp_path / "common-module.png", full_page=True)
    for name in ("overview.png", "common-module.png"):
        assert (tmp_path / name).stat().st_size > 20_000, name
    print(f"screenshots in {tmp_path}")
