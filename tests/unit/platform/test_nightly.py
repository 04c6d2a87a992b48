"""The nightly configuration list: resolved paths, and clear errors naming the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from edt_platform import nightly

REPO = Path(__file__).resolve().parents[3]


def test_shipped_list_points_at_the_bundled_sample() -> None:
    confs = nightly.run_confs(REPO / "config" / "nightly.yaml")
    assert confs == [{"source": str(REPO / "samples" / "demo-workspace"), "shards": 1}]


def test_relative_sources_resolve_against_the_file(tmp_path: Path) -> None:
    listing = tmp_path / "conf" / "nightly.yaml"
    listing.parent.mkdir()
    listing.write_text(
        "configurations:\n  - {name: erp, source: ../erp, shards: 4}\n  - {source: /abs/ssl}\n"
    )
    assert nightly.run_confs(listing) == [
        {"source": str(tmp_path / "erp"), "shards": 4},
        {"source": "/abs/ssl", "shards": 1},
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("configurations: []\n", "non-empty list"),
        ("configurations:\n  - {name: x}\n", "entry 1 needs a 'source'"),
        ("configurations:\n  - {source: a, shards: 0}\n", "entry 1: shards must be"),
        ("configurations: [\n", "cannot read"),
    ],
)
def test_bad_lists_name_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    listing = tmp_path / "nightly.yaml"
    listing.write_text(text)
    with pytest.raises(ValueError, match=message) as caught:
        nightly.run_confs(listing)
    assert str(listing) in str(caught.value)
