"""The site of the real SSL 3.1.9 (EDT) snapshot: one page per object, the API of ОбщегоНазначения, speed."""

from __future__ import annotations

import resource
import time
from pathlib import Path
from urllib.parse import unquote, urljoin

import pyarrow.compute as pc
import pytest
from lxml import html

from onec_analysis.docs_site import build_site
from onec_analysis.snapshot.io import read_table

pytestmark = pytest.mark.corpus


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the render pool)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@pytest.fixture(scope="module")
def ssl_site(ssl_edt_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict, float]:
    site = tmp_path_factory.mktemp("ssl-site") / "site"
    cpu = _cpu_seconds()
    started = time.perf_counter()
    summary = build_site(ssl_edt_snapshot, None, site, workers=2)
    wall = time.perf_counter() - started
    cpu = _cpu_seconds() - cpu
    print(
        f"SSL site: {summary['pages']} pages in {wall:.1f}s wall, {cpu:.1f}s CPU; search index {summary['search_index']}"
    )
    return site, summary, cpu


def test_one_page_per_object(ssl_site, ssl_edt_snapshot: Path) -> None:
    site, summary, _ = ssl_site
    object_ids = read_table(ssl_edt_snapshot, "objects", ["object_id"])["object_id"].to_pylist()
    assert len(object_ids) >= 3552  # the corpus README's count of .mdo objects
    assert summary["objects"] == len(object_ids)
    assert len(list((site / "objects").rglob("*.html"))) == len(object_ids)
    assert summary["search_index"]["objects"] == len(object_ids)


def test_common_module_api_matches_the_exported_methods(ssl_site, ssl_edt_snapshot: Path) -> None:
    site, _, _ = ssl_site
    methods = read_table(ssl_edt_snapshot, "methods", ["object_id", "name", "export"])
    mine = methods.filter(pc.equal(methods["object_id"], "CommonModule.ОбщегоНазначения"))
    exported = sorted(mine.filter(pc.fill_null(mine["export"], False))["name"].to_pylist())
    assert len(exported) > 100
    page = html.fromstring(
        (site / "objects/CommonModule/ObshchegoNaznacheniya.html").read_text(encoding="utf-8")
    )
    assert page.findtext(".//title").startswith("Общий модуль ОбщегоНазначения")
    listed = sorted(a.text_content() for a in page.xpath("//section[@id='api']/ul[@class='api-index']/li/a"))
    assert listed == exported
    # The most-called common module is called from hundreds of objects (1c-formats.md: 12,515 calls).
    callers = page.xpath("//div[@id='calls-in']//tbody/tr")
    assert len(callers) > 300


def test_links_of_the_overview_and_the_biggest_pages_resolve(ssl_site) -> None:
    site, _, _ = ssl_site
    biggest = sorted((site / "objects").rglob("*.html"), key=lambda path: path.stat().st_size)[-5:]
    for path in [site / "index.html", site / "subsystems.html", *biggest]:
        relative = str(path.relative_to(site))
        tree = html.fromstring(path.read_text(encoding="utf-8"))
        broken = []
        for _element, attribute, link, _pos in tree.iterlinks():
            if attribute in ("href", "src") and not link.startswith(("#", "data:", "http:", "https:")):
                target = unquote(
                    urljoin("http://site/" + relative, link).split("#")[0].removeprefix("http://site/")
                )
                if not (site / target).is_file():
                    broken.append(target)
        assert broken == [], relative


def test_build_time(ssl_site) -> None:
    # 42k methods on 2 cores. Bounded by CPU, not wall time: the machine is shared, and CPU seconds
    # over the two workers is what decides the wall time on an idle 2-core machine.
    _, summary, cpu = ssl_site
    assert cpu < 30, f"SSL site took {cpu:.1f}s CPU ({summary['seconds']})"
