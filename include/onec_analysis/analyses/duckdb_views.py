"""Snapshot tables as DuckDB views over their Parquet files, with the contract checked first.

DuckDB scans the files itself and reads only the columns a query names, so no Arrow copy of a big
table (500k methods, 1.2M calls in a full-size 1C:ERP) sits in Python memory. Each file's schema is
checked against the snapshot contract from its footer alone, so a foreign or stale file fails with
one clear line naming it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from onec_analysis.snapshot.io import SnapshotError
from onec_analysis.snapshot.schema import TABLES


def connect() -> duckdb.DuckDBPyConnection:
    # two threads and 400 MB: the analyses share small machines (DuckDB keeps what it reads up to its
    # limit, 80 % of RAM by default: architecture on the ERP-size copy peaked at 0.85 GiB PSS, with
    # 400 MB at 0.5 GiB, the same tables; the dataset the same); no progress bar on a worker's output
    con = duckdb.connect(config={"threads": 2, "memory_limit": "400MB"})
    con.execute("SET enable_progress_bar = false")  # a session option, not accepted in config
    return con


def table_path(snapshot: Path, name: str, columns: list[str]) -> Path:
    """The table's file, after checking (footer only) that it has the contract's *columns* and types."""
    path = Path(snapshot) / f"{name}.parquet"
    if not path.is_file():
        raise SnapshotError(f"{snapshot}: snapshot table {name}.parquet is missing")
    try:
        schema = pq.read_schema(path)
    except Exception as exc:  # pyarrow raises several types for a damaged footer
        raise SnapshotError(f"{path}: unreadable Parquet file: {exc}") from None
    expected = TABLES[name]
    for column in columns:
        index = schema.get_field_index(column)
        if index < 0 or not schema.field(index).type.equals(expected.field(column).type):
            raise SnapshotError(f"{path}: columns do not match the snapshot schema (column {column})")
    return path


def parquet_source(path: Path, **options: bool) -> str:
    """``read_parquet('<path>', option = value …)`` with the path quoted for SQL."""
    quoted = "'" + str(path).replace("'", "''") + "'"
    extra = "".join(f", {key} = {str(value).lower()}" for key, value in options.items())
    return f"read_parquet({quoted}{extra})"


def create_view(
    con: duckdb.DuckDBPyConnection, snapshot: Path, name: str, columns: list[str], where: str = ""
) -> None:
    """View *name* with *columns* of the snapshot table *name* (optionally filtered by *where*)."""
    source = parquet_source(table_path(snapshot, name, columns))
    con.execute(f'CREATE VIEW "{name}" AS SELECT {", ".join(columns)} FROM {source} {where}')
