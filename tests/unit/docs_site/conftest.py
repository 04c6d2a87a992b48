"""The sample site, built once per module: the unit tests read its pages as files."""

from __future__ import annotations

from pathlib import Path

import pytest

from onec_analysis.docs_site import build_site
from tests.unit.docs_site.sample_site import make_sample_analyses, make_sample_snapshot


@pytest.fixture(scope="module")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    base = tmp_path_factory.mktemp("docs-site")
    snapshot = make_sample_snapshot(base / "snapshot")
    analyses = make_sample_analyses(base / "analyses")
    summary = build_site(snapshot, analyses, base / "site", workers=1)
    return base / "site", summary


@pytest.fixture(scope="module")
def site(sample_build: tuple[Path, dict]) -> Path:
    return sample_build[0]
