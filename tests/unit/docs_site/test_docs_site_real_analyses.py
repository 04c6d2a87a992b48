"""The site over what the four real analyses write for the sample snapshot (the contract, end to end)."""

from __future__ import annotations

from pathlib import Path

import pyarrow.parquet as pq
import pytest
from lxml import html

from onec_analysis.analyses.architecture import run as architecture
from onec_analysis.analyses.best_practices import run as best_practices
from onec_analysis.analyses.dataset import run as dataset
from onec_analysis.analyses.dependencies import run as dependencies
from onec_analysis.docs_site import build_site
from tests.unit.docs_site.sample_site import make_sample_snapshot

# The architecture analysis draws its charts with matplotlib: tens of seconds on a busy machine.
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict]:
    base = tmp_path_factory.mktemp("real-analyses")
    snapshot = make_sample_snapshot(base / "snapshot")
    architecture(snapshot, base / "analyses" / "architecture")
    dependencies(snapshot, base / "analyses" / "dependencies")
    best_practices(snapshot, base / "analyses" / "best_practices", workers=1)
    dataset(snapshot, base / "analyses" / "dataset", workers=1)
    summary = build_site(snapshot, base / "analyses", base / "site", workers=1)
    return base / "site", base / "analyses", summary


def page(site: Path, path: str) -> html.HtmlElement:
    return html.fromstring((site / path).read_text(encoding="utf-8"))


def test_every_analysis_is_shown_and_none_is_reported_missing(built) -> None:
    site, _, summary = built
    assert summary["analyses"] == dict.fromkeys(
        ("architecture", "dependencies", "best_practices", "dataset"), "present"
    )
    for path in (
        "index.html",
        "architecture.html",
        "dependencies.html",
        "best-practices.html",
        "dataset.html",
    ):
        assert not page(site, path).xpath("//div[@class='missing']"), path


def test_charts_are_copied_and_embedded(built) -> None:
    site, analyses, _ = built
    dependencies_images = page(site, "dependencies.html").xpath("//img/@src")
    assert dependencies_images == ["assets/dependencies/subsystems.svg"]
    overview_images = page(site, "index.html").xpath("//img/@src")
    assert overview_images and all(src.startswith("assets/architecture/") for src in overview_images)
    for src in overview_images + dependencies_images:
        assert (site / src).read_bytes() == (analyses / src.removeprefix("assets/")).read_bytes()


def test_best_practice_counts_match_the_findings(built) -> None:
    site, analyses, _ = built
    findings = pq.read_table(analyses / "best_practices" / "findings.parquet").to_pylist()
    assert findings, "the sample module breaks at least one rule (Перейти)"
    expected: dict[str, int] = {}
    for finding in findings:
        expected[finding["rule"]] = expected.get(finding["rule"], 0) + 1
    rows = page(site, "best-practices.html").xpath("(//table)[1]/tbody/tr")
    shown = {
        row[0].find("code").text_content(): int(
            row.xpath("td[@class='num']")[0].text_content().replace("\u202f", "")
        )
        for row in rows
    }
    assert shown == expected
    on_page = page(site, "objects/CommonModule/RabotaSBankami.html").xpath(
        "//section[@id='findings']//tbody/tr"
    )
    assert len(on_page) == sum(1 for f in findings if f["object_id"] == "CommonModule.РаботаСБанками")


def test_dataset_card_is_rendered_without_raw_html(built) -> None:
    site, analyses, _ = built
    card = page(site, "dataset.html").xpath("//article[@class='card-md']")[0]
    assert card.xpath(".//h1 | .//h2")
    assert not card.xpath(".//script")
