"""Architecture report of the real SSL 3.1.9 (EDT): the numbers match the corpus README."""

from __future__ import annotations

import json
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses import architecture
from onec_analysis.snapshot.io import read_table
from tests.support.corpus_counts import SSL_EDT_METHODS, SSL_EDT_OBJECTS_PER_FOLDER

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def ssl_report(ssl_edt_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("ssl-architecture") / "report"
    started = time.perf_counter()
    result = architecture.run(ssl_edt_snapshot, out)
    print(f"architecture on SSL 3.1.9: {time.perf_counter() - started:.1f}s wall")
    return out, result


def test_objects_per_type_match_the_corpus_readme(ssl_report: tuple[Path, dict]) -> None:
    out, _ = ssl_report
    per_folder = {
        row["type_folder"]: row["objects"] for row in pq.read_table(out / "per_type.parquet").to_pylist()
    }
    assert {
        folder: per_folder.get(folder) for folder in SSL_EDT_OBJECTS_PER_FOLDER
    } == SSL_EDT_OBJECTS_PER_FOLDER
    # beyond the README's .mdo count: the configuration itself and its language
    assert set(per_folder) - set(SSL_EDT_OBJECTS_PER_FOLDER) <= {"Configuration", "Languages"}


def test_totals_subsystems_and_split_cover_every_method(
    ssl_report: tuple[Path, dict], ssl_edt_snapshot: Path
) -> None:
    out, result = ssl_report
    report = json.loads((out / "architecture.json").read_text(encoding="utf-8"))
    assert (
        result["methods"]
        == SSL_EDT_METHODS
        == read_table(ssl_edt_snapshot, "methods", ["method_id"]).num_rows
    )
    assert (result["subsystems"], result["top_level_subsystems"]) == (235, 19)
    modules_ncloc = sum(read_table(ssl_edt_snapshot, "modules", ["ncloc"])["ncloc"].to_pylist())
    assert result["ncloc"] == modules_ncloc
    by_side = report["client_server"]["by_side"]
    assert sum(side["methods"] for side in by_side.values()) == SSL_EDT_METHODS
    # SSL is a managed application: most code runs on the server, every module kind is known
    assert by_side["unknown"]["methods"] == 0
    assert by_side["server"]["ncloc"] > by_side["client"]["ncloc"] > by_side["both"]["ncloc"] > 0
    top_level = report["subsystems"]["tree"]
    assert len(top_level) == 19
    assert max(node["ncloc_total"] for node in top_level) <= result["ncloc"]
    assert report["problems"]["count"] == sum(report["problems"]["by_kind"].values())


def test_plots_are_valid_svg_and_png(ssl_report: tuple[Path, dict]) -> None:
    out, _ = ssl_report
    svgs = sorted((out / "plots").glob("*.svg"))
    assert len(svgs) == 5
    for svg in svgs:
        assert ET.parse(svg).getroot().tag == "{http://www.w3.org/2000/svg}svg"
        height, width, _ = matplotlib.image.imread(svg.with_suffix(".png")).shape
        assert height > 200 and width > 400
