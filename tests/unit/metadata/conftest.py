"""Helpers shared by the metadata reader tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from onec_analysis.metadata import detect_source, list_units, read_unit

REPO = Path(__file__).resolve().parents[3]
SAMPLE = REPO / "samples" / "demo-workspace"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _read_all(path: Path) -> dict[str, list]:
    """Every row of every unit of every project under path, by table."""
    tables: dict[str, list] = {
        "objects": [],
        "attributes": [],
        "references": [],
        "form_handlers": [],
        "problems": [],
        "modules": [],
    }
    for project in detect_source(path).projects:
        for unit in list_units(project):
            result = read_unit(project, unit)
            for name in tables:
                tables[name].extend(getattr(result, name))
    return tables


@pytest.fixture(scope="session")
def read_all():
    return _read_all


@pytest.fixture(scope="session")
def sample_root() -> Path:
    return SAMPLE


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def sample_rows() -> dict[str, list]:
    return _read_all(SAMPLE)
