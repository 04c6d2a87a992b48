"""Shared fixtures: the real SSL corpora from ../shared/corpus, extracted once per test session."""

from __future__ import annotations

import os
import tarfile
import tempfile
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

# Airflow reads its configuration when first imported: point it at this repo's dags/ and plugins/
# and a throw-away home before any test imports it, so no test touches ~/airflow.
os.environ.setdefault("AIRFLOW_HOME", tempfile.mkdtemp(prefix="onec-airflow-home-"))
os.environ.setdefault("AIRFLOW__CORE__DAGS_FOLDER", str(REPO / "dags"))
os.environ.setdefault("AIRFLOW__CORE__PLUGINS_FOLDER", str(REPO / "plugins"))
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("AIRFLOW__CORE__UNIT_TEST_MODE", "True")
os.environ.setdefault("MLFLOW_DISABLE_TELEMETRY", "true")  # no phoning home from tests
CORPUS_DIR = Path(os.environ.get("ONEC_CORPUS_DIR", REPO.parent / "shared" / "corpus"))
CORPUS_ARCHIVES = {
    "ssl_edt": "ssl-3.1.9-edt.tar.gz",
    "ssl_designer": "ssl-3.1-eng-designer.tar.gz",
}


def _extract(tmp_path_factory: pytest.TempPathFactory, key: str) -> Path:
    archive = CORPUS_DIR / CORPUS_ARCHIVES[key]
    if not archive.is_file():
        pytest.fail(f"corpus archive {archive} is missing: tests need ../shared/corpus beside the repo")
    # Extract once per machine into a cache keyed by the archive's size and mtime, so the suite
    # (and several pytest processes) reuse it.
    stat = archive.stat()
    cache = (
        Path(os.environ.get("ONEC_CORPUS_CACHE", "/tmp/onec-corpus-cache"))
        / f"{key}-{stat.st_size}-{int(stat.st_mtime)}"
    )
    done = cache / ".extracted"
    if not done.exists():
        staging = tmp_path_factory.mktemp(f"{key}-staging")
        with tarfile.open(archive) as tar:
            tar.extractall(staging, filter="data")
        cache.parent.mkdir(parents=True, exist_ok=True)
        try:
            staging.rename(cache)
        except OSError:
            if not done.exists():  # another process won the race only if it finished
                raise
        else:
            done.touch()
    return cache


@pytest.fixture(scope="session")
def ssl_edt(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Root of the SSL 3.1.9 EDT project (holds DT-INF/ and src/)."""
    return _extract(tmp_path_factory, "ssl_edt")


@pytest.fixture(scope="session")
def ssl_designer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Root of the SSL 3.1 English Designer dump (holds src/cf/Configuration.xml)."""
    return _extract(tmp_path_factory, "ssl_designer")


def _parsed(tmp_path_factory: pytest.TempPathFactory, key: str, source: Path) -> Path:
    """A snapshot of a corpus, parsed once per test session."""
    from onec_analysis.reader.pipeline import ParseOptions, parse_source

    out = tmp_path_factory.mktemp(f"{key}-snapshot") / "snapshot"
    parse_source(source, out, ParseOptions())
    return out


@pytest.fixture(scope="session")
def ssl_edt_snapshot(tmp_path_factory: pytest.TempPathFactory, ssl_edt: Path) -> Path:
    """The snapshot `edt-analysis parse` writes for SSL 3.1.9 (EDT)."""
    return _parsed(tmp_path_factory, "ssl_edt", ssl_edt)


@pytest.fixture(scope="session")
def ssl_designer_snapshot(tmp_path_factory: pytest.TempPathFactory, ssl_designer: Path) -> Path:
    """The snapshot `edt-analysis parse` writes for SSL 3.1 English (Designer)."""
    return _parsed(tmp_path_factory, "ssl_designer", ssl_designer)


@pytest.fixture(scope="session")
def ssl_ml_dataset(tmp_path_factory: pytest.TempPathFactory, ssl_edt_snapshot: Path) -> Path:
    """`edt-analysis dataset` of the SSL snapshot: one row per method, findings included."""
    from onec_analysis.analyses.dataset.report import run

    out = tmp_path_factory.mktemp("ssl-ml") / "dataset"
    run(ssl_edt_snapshot, out, findings=True)
    return out
