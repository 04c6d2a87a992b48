"""The site built from a hand-made snapshot: exact pages, links, API reference, escaping, honesty."""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import unquote, urljoin

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from lxml import html

from onec_analysis.docs_site import build_site
from onec_analysis.docs_site.site_data import FINDINGS_LISTED
from tests.unit.docs_site.sample_site import make_sample_analyses, make_sample_snapshot

OBJECT_PAGES = {
    "Catalog.Банки": "objects/Catalog/Banki.html",
    "Catalog.Контрагенты": "objects/Catalog/Kontragenty.html",
    "Document.ПоступлениеТоваров": "objects/Document/PostuplenieTovarov.html",
    "CommonModule.РаботаСБанками": "objects/CommonModule/RabotaSBankami.html",
    "Subsystem.Финансы": "objects/Subsystem/Finansy.html",
    "Subsystem.Финансы.Subsystem.Банковские": "objects/Subsystem/Finansy.Subsystem.Bankovskie.html",
}


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path).read_text(encoding="utf-8"))


def internal_links(tree: html.HtmlElement, page_path: str) -> list[str]:
    """Site-relative targets of a page's links and resources (fragments dropped)."""
    base = "http://site/" + page_path
    found = []
    for _element, attribute, link, _pos in tree.iterlinks():
        if attribute not in ("href", "src") or link.startswith(("http:", "https:", "#", "mailto:", "data:")):
            continue
        found.append(unquote(urljoin(base, link).split("#")[0].removeprefix("http://site/")))
    return found


def test_exactly_the_expected_pages_are_written(sample_build: tuple[Path, dict]) -> None:
    site, summary = sample_build
    written = sorted(str(path.relative_to(site)) for path in site.rglob("*.html"))
    assert written == sorted(
        [
            "index.html", "subsystems.html", "types.html", "problems.html", "architecture.html",
            "dependencies.html", "best-practices.html", "dataset.html", "types/Catalog.html", "types/Document.html",
            "types/CommonModule.html", "types/Subsystem.html", *OBJECT_PAGES.values(),
        ]
    )  # fmt: skip
    assert summary["pages"] == len(written)
    assert summary["objects"] == 6
    assert summary["problems"] == 1


def test_titles_show_the_cyrillic_names_and_synonyms(site: Path) -> None:
    assert (
        page(site, OBJECT_PAGES["Catalog.Банки"])
        .findtext(".//title")
        .startswith("Справочник Банки (Банки (классификатор))")
    )
    heading = page(site, OBJECT_PAGES["CommonModule.РаботаСБанками"]).find(".//h1").text_content()
    assert heading == "РаботаСБанками Работа с банками"


def test_every_internal_link_of_every_page_resolves(site: Path) -> None:
    broken = []
    for path in site.rglob("*.html"):
        relative = str(path.relative_to(site))
        for target in internal_links(page(site, relative), relative):
            if not (site / target).is_file():
                broken.append(f"{relative} -> {target}")
    assert broken == []


def test_attribute_types_link_to_the_referenced_objects(site: Path) -> None:
    tree = page(site, OBJECT_PAGES["Document.ПоступлениеТоваров"])
    rows = {row[1].text_content(): row[3] for row in tree.xpath("//section[@id='attributes']//tbody/tr")}
    links = {a.text_content(): a.get("href") for a in rows["Контрагент"].iter("a")}
    assert links == {"CatalogRef.Контрагенты": "../../objects/Catalog/Kontragenty.html"}
    # CatalogRef.Валюты is not in the snapshot: shown, but not linked.
    assert "CatalogRef.Валюты" in rows["Контрагент"].text_content()


def test_object_page_lists_incoming_and_outgoing_dependencies(site: Path) -> None:
    tree = page(site, OBJECT_PAGES["Catalog.Контрагенты"])
    outgoing = tree.xpath("//div[@id='references-out' or @id='calls-out' or @id='queries-out']//a/@href")
    assert outgoing == [
        "../../objects/Catalog/Banki.html",  # attribute ОсновнойБанк
        "../../objects/CommonModule/RabotaSBankami.html",  # calls НайтиБанк twice
    ]
    assert "НайтиБанк ×2" in tree.xpath("//div[@id='calls-out']")[0].text_content()
    incoming = tree.xpath("//div[@id='references-in' or @id='calls-in' or @id='queries-in']//a/@href")
    assert sorted(incoming) == [
        "../../objects/Document/PostuplenieTovarov.html",
        "../../objects/Subsystem/Finansy.html",
    ]
    common_module = page(site, OBJECT_PAGES["CommonModule.РаботаСБанками"])
    assert common_module.xpath("//div[@id='calls-in']//a/@href") == ["../../objects/Catalog/Kontragenty.html"]
    assert common_module.xpath("//div[@id='queries-out']//a/@href") == ["../../objects/Catalog/Banki.html"]


def test_common_module_api_lists_exactly_the_exported_methods(site: Path) -> None:
    tree = page(site, OBJECT_PAGES["CommonModule.РаботаСБанками"])
    api = tree.xpath("//section[@id='api']")[0]
    signatures = [
        code.text_content() for code in api.xpath(".//article[@class='method']//code[@class='sig']")
    ]
    assert signatures == [
        "Функция НайтиБанк(Знач БИК, Страна = Неопределено) Экспорт",
        "Процедура ОбновитьКлассификатор() Экспорт",
    ]
    found = api.xpath(".//article[@id='m-Module.НайтиБанк']")[0]
    sections = [h.text_content() for h in found.iter("h5")]
    assert sections == ["Параметры", "Возвращаемое значение", "Пример"]
    params = [dt.text_content() for dt in found.iter("dt")]
    assert params == ["БИК Строка", "Страна СправочникСсылка.Страны"]
    assert [dd.text_content() for dd in found.iter("dd")][1] == "где искать,\nпо умолчанию Россия."
    assert "вызовов из других объектов: 2" in found.text_content()
    # The non-exported method is documented among the module's methods, not in the API.
    assert "ЗагрузитьФайл" not in api.text_content()
    assert tree.xpath("//section[@id='modules']//article[@id='m-Module.ЗагрузитьФайл']")


def test_doc_comments_and_names_are_escaped(site: Path) -> None:
    raw = (site / OBJECT_PAGES["CommonModule.РаботаСБанками"]).read_text(encoding="utf-8")
    assert "<script>alert" not in raw
    assert "&lt;script&gt;alert(&#39;doc&#39;)&lt;/script&gt;" in raw
    catalog = (site / OBJECT_PAGES["Catalog.Контрагенты"]).read_text(encoding="utf-8")
    assert "Покупатели &amp; поставщики &lt;b&gt;все&lt;/b&gt;" in catalog
    assert "&lt;i&gt;комментария&lt;/i&gt;" in catalog  # the finding's message


def test_subsystem_pages_show_tree_and_content(site: Path) -> None:
    tree = page(site, "subsystems.html")
    nested = tree.xpath("//ul[@class='tree']/li/ul[@class='tree']/li/a")
    assert [a.text_content() for a in nested] == ["Subsystem.Финансы.Subsystem.Банковские"]
    content = page(site, OBJECT_PAGES["Subsystem.Финансы.Subsystem.Банковские"]).xpath(
        "//section[@id='content']"
    )[0]
    assert [a.text_content() for a in content.iter("a")] == ["Catalog.Банки", "CommonModule.РаботаСБанками"]


def test_findings_appear_on_the_report_and_on_the_object_page(site: Path) -> None:
    report = page(site, "best-practices.html")
    rule_rows = [[cell.text_content() for cell in row] for row in report.xpath("(//table)[1]/tbody/tr")]
    assert rule_rows == [["MissingDocComment", "MINOR", "CODE_SMELL", "1", "1"]]
    assert "objects/Catalog/Kontragenty.html#findings" in [a.get("href") for a in report.iter("a")]
    findings = page(site, OBJECT_PAGES["Catalog.Контрагенты"]).xpath("//section[@id='findings']//tbody/tr")
    assert len(findings) == 1
    assert "Catalog.Контрагенты.ObjectModule.ПередЗаписью" in findings[0].text_content()
    clean = page(site, OBJECT_PAGES["Catalog.Банки"]).xpath("//section[@id='findings']")[0]
    assert "не нашёл замечаний" in clean.text_content()


def test_missing_analyses_get_an_honest_page(site: Path) -> None:
    for path, name in (("dependencies.html", "dependencies"), ("dataset.html", "dataset")):
        note = page(site, path).xpath("//div[@class='missing']")
        assert len(note) == 1, path
        assert f"Результат анализа «{name}» не передан" in note[0].text_content()
        assert not page(site, path).xpath("//img | //table")
    overview = page(site, "index.html")
    assert [img.get("src") for img in overview.iter("img")] == [
        "assets/architecture/plots/objects_per_type.svg"
    ]
    assert (site / "assets/architecture/plots/objects_per_type.svg").is_file()


def test_without_best_practices_object_pages_say_so(tmp_path: Path) -> None:
    snapshot = make_sample_snapshot(tmp_path / "snapshot")
    analyses = make_sample_analyses(tmp_path / "analyses", with_best_practices=False)
    build_site(snapshot, analyses, tmp_path / "site", workers=1)
    findings = page(tmp_path / "site", OBJECT_PAGES["Catalog.Контрагенты"]).xpath(
        "//section[@id='findings']"
    )[0]
    assert "Результат анализа «best_practices» не передан" in findings.text_content()
    assert "не передан" in page(tmp_path / "site", "best-practices.html").text_content()


def test_an_object_with_too_many_findings_gets_counts_per_rule_and_the_first_ones(tmp_path: Path) -> None:
    snapshot = make_sample_snapshot(tmp_path / "snapshot")
    analyses = make_sample_analyses(tmp_path / "analyses")
    base = {"type": "CODE_SMELL", "module_id": "Catalog.Контрагенты.ObjectModule", "method_id": None,
            "object_id": "Catalog.Контрагенты", "path": "src/Catalogs/Контрагенты/ObjectModule.bsl", "column": 1}  # fmt: skip
    # 230 findings, written out of order: 150 LineLength on lines 300..151, 80 MagicNumber on lines 1..80
    rows = [{**base, "rule": "LineLength", "severity": "MINOR", "line": 300 - i, "message": f"длина {i}"}
            for i in range(150)]  # fmt: skip
    rows += [{**base, "rule": "MagicNumber", "severity": "MINOR", "line": 80 - i, "message": f"число {i}"}
             for i in range(80)]  # fmt: skip
    pq.write_table(pa.Table.from_pylist(rows), analyses / "best_practices" / "findings.parquet")
    build_site(snapshot, analyses, tmp_path / "site", workers=1)

    section = page(tmp_path / "site", OBJECT_PAGES["Catalog.Контрагенты"]).xpath("//section[@id='findings']")[
        0
    ]
    assert section.findtext("h2") == "Замечания по стандартам (230)"
    per_rule = [
        [td.text_content() for td in tr] for tr in section.xpath(".//table[@id='findings-per-rule']/tbody/tr")
    ]
    assert per_rule == [["LineLength", "MINOR", "150"], ["MagicNumber", "MINOR", "80"]]
    listed = section.xpath(".//table[@id='findings-list']/tbody/tr")
    assert len(listed) == FINDINGS_LISTED == 200
    lines = [int(re.search(r"стр\. (\d+)", tr[2].text_content()).group(1)) for tr in listed]
    assert lines == [*range(1, 81), *range(151, 271)]  # by line: MagicNumber 1..80, then LineLength from 151
    assert "Ниже первые 200 из 230" in section.text_content()
    assert "../../best-practices.html" in [a.get("href") for a in section.iter("a")]


def test_problems_page_lists_the_protected_module(site: Path) -> None:
    rows = page(site, "problems.html").xpath(
        "//h2[@id='kind-protected_module']/following-sibling::table[1]/tbody/tr"
    )
    assert [row[0].text_content() for row in rows] == ["src/Documents/ПоступлениеТоваров/ObjectModule.bsl"]
    protected = page(site, OBJECT_PAGES["Document.ПоступлениеТоваров"]).xpath("//section[@id='modules']")[0]
    assert "защищён, текста нет" in protected.text_content()


def test_search_index_holds_objects_and_only_exported_common_module_methods(site: Path) -> None:
    text = (site / "search-index.js").read_text(encoding="utf-8")
    body = re.fullmatch(r"window\.DOCS_SEARCH_INDEX = (.*);\n", text, re.S)
    assert body is not None
    index = json.loads(body.group(1))
    # Ids that are Type.Name and page paths objects/<Type>/<slug>.html are left for search.js to rebuild.
    assert index["objects"] == [
        ["", "Банки", "Банки (классификатор)", "Catalog", "Banki"],
        ["", "Контрагенты", "Контрагенты", "Catalog", "Kontragenty"],
        ["", "РаботаСБанками", "Работа с банками", "CommonModule", "RabotaSBankami"],
        ["", "ПоступлениеТоваров", "Поступление товаров", "Document", "PostuplenieTovarov"],
        ["", "Финансы", "Финансы", "Subsystem", "Finansy"],
        ["Subsystem.Финансы.Subsystem.Банковские", "Банковские", "Банковские операции", "Subsystem",
         "Finansy.Subsystem.Bankovskie"],
    ]  # fmt: skip
    assert index["methods"] == [["НайтиБанк", 2], ["ОбновитьКлассификатор", 2]]


def test_a_failed_build_leaves_the_previous_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    snapshot = make_sample_snapshot(tmp_path / "snapshot")
    build_site(snapshot, None, tmp_path / "site", workers=1)
    before = sorted(p.relative_to(tmp_path) for p in (tmp_path / "site").rglob("*"))

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("onec_analysis.docs_site.build.write_search_index", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        build_site(snapshot, None, tmp_path / "site", workers=1)
    assert sorted(p.relative_to(tmp_path) for p in (tmp_path / "site").rglob("*")) == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_dataset_card_markdown_cannot_inject_markup(tmp_path: Path) -> None:
    snapshot = make_sample_snapshot(tmp_path / "snapshot")
    card = tmp_path / "analyses" / "dataset"
    card.mkdir(parents=True)
    (card / "README.md").write_text(
        "# Датасет методов\n\n<script>alert(1)</script>\n\n[ссылка](javascript:alert(1)) и **жирный**\n",
        encoding="utf-8",
    )
    build_site(snapshot, tmp_path / "analyses", tmp_path / "site", workers=1)
    article = page(tmp_path / "site", "dataset.html").xpath("//article[@class='card-md']")[0]
    assert article.findtext("h1") == "Датасет методов"
    assert article.xpath(".//strong/text()") == ["жирный"]
    assert not article.xpath(".//script")
    assert not [href for href in article.xpath(".//a/@href") if href.startswith("javascript")]
    assert "<script>alert(1)</script>" in article.text_content()  # shown as text
