"""ML dataset of the real SSL 3.1.9 (EDT): one record per method, 80/10/10 splits, real code slices."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest

from onec_analysis.analyses import dataset
from onec_analysis.snapshot.io import read_table

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def ssl_dataset(ssl_edt_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("ssl-dataset") / "dataset"
    started = time.perf_counter()
    # findings need the whole rule engine (its own corpus tests cover it); the export is what is tested here
    dataset.run(ssl_edt_snapshot, out, findings=False)
    print(f"dataset on SSL 3.1.9 without findings: {time.perf_counter() - started:.1f}s wall")
    return out


def test_one_record_per_method_in_80_10_10_splits(ssl_dataset: Path, ssl_edt_snapshot: Path) -> None:
    methods = read_table(ssl_edt_snapshot, "methods", ["method_id"]).num_rows
    rows = dict(
        duckdb.sql(
            f"SELECT split, count(*) FROM read_parquet('{ssl_dataset}/data/*.parquet') GROUP BY split"
        ).fetchall()
    )
    assert sum(rows.values()) == methods == 42_609
    for split, share in (("train", 0.8), ("validation", 0.1), ("test", 0.1)):
        assert abs(rows[split] / methods - share) <= 0.02, (split, rows[split])
    distinct = duckdb.sql(
        f"SELECT count(DISTINCT method_id) FROM read_parquet('{ssl_dataset}/data/*.parquet')"
    )
    assert distinct.fetchall() == [(methods,)]


def test_code_spans_the_declared_lines_and_starts_with_the_declaration(ssl_dataset: Path) -> None:
    bad = duckdb.sql(
        f"""
        SELECT method_id FROM read_parquet('{ssl_dataset}/data/*.parquet')
        WHERE code IS NULL
           OR len(string_split(code, chr(10))) <> end_line - start_line + 1
           OR NOT contains(lower(string_split(code, chr(10))[1]), lower(name))
        """
    ).fetchall()
    assert bad == []


def test_calls_out_account_for_every_call_made_inside_a_method(
    ssl_dataset: Path, ssl_edt_snapshot: Path
) -> None:
    calls = read_table(ssl_edt_snapshot, "calls", ["caller_method_id"])
    inside_methods = calls.num_rows - calls["caller_method_id"].null_count
    total = duckdb.sql(
        f"SELECT sum(calls_out_count) FROM read_parquet('{ssl_dataset}/data/*.parquet')"
    ).fetchall()
    assert total == [(inside_methods,)]
    card = (ssl_dataset / "README.md").read_text(encoding="utf-8")
    assert "| all | 42,609 |" in card
