"""Write and read snapshot folders: Parquet tables plus ``summary.json``, always atomically.

A snapshot folder appears whole or not at all: everything is written into a hidden sibling folder
which is then renamed into place, so an interrupted run leaves the previous snapshot (or nothing),
never half a table. Readers check ``summary.json`` first and refuse a folder that is not a snapshot.
"""

from __future__ import annotations

import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis.snapshot.schema import SNAPSHOT_FORMAT_VERSION, TABLE_KEYS, TABLES

SUMMARY_FILE = "summary.json"
T = TypeVar("T")
SNAPSHOT_KIND = "onec-analysis snapshot"


class SnapshotError(Exception):
    """A folder that should hold a snapshot does not (missing, foreign, or from another version)."""


@contextmanager
def atomic_directory(target: Path) -> Iterator[Path]:
    """Yield a temporary folder beside *target*; on success it replaces *target* in one rename.

    On any error the temporary folder is removed and *target* is left exactly as it was.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.tmp-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        yield staging
        if target.exists():
            retired = target.parent / f".{target.name}.old-{uuid.uuid4().hex[:8]}"
            os.rename(target, retired)
            os.rename(staging, target)
            shutil.rmtree(retired, ignore_errors=True)
        else:
            os.rename(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def atomic_write_text(path: Path, text: str) -> None:
    """Write a file under a temporary name, then rename it over *path*."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp-{uuid.uuid4().hex[:8]}")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def sort_table(name: str, table: pa.Table) -> pa.Table:
    """Sort by the table's key columns so equal content always gives equal tables."""
    if table.num_rows <= 1:
        return table
    keys = [(column, "ascending", "at_start") for column in TABLE_KEYS[name]]
    return table.take(pc.sort_indices(table, options=pc.SortOptions(keys)))


def empty_table(name: str) -> pa.Table:
    return TABLES[name].empty_table()


def _each_table(work: Callable[[str], T]) -> dict[str, T]:
    """``{name: work(name)}`` for every table of the schema, side by side in threads.

    Arrow sorts, encodes and compresses without the GIL, so the tables really do go in parallel.
    """
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        return dict(zip(TABLES, pool.map(work, TABLES), strict=True))


def concat_all(parts: Mapping[str, list[pa.Table]]) -> dict[str, pa.Table]:
    """:func:`concat_tables` for every table of the schema."""
    return _each_table(lambda name: concat_tables(name, parts.get(name, [])))


def concat_tables(name: str, parts: list[pa.Table]) -> pa.Table:
    """Concatenate parts of one table (from workers or shards) and sort it."""
    parts = [part for part in parts if part.num_rows]
    if not parts:
        return empty_table(name)
    # No combine_chunks() first: take() gathers the sorted rows into fresh buffers anyway, and a
    # combined copy of the whole table (gigabytes of module text on an ERP) would double the peak.
    return sort_table(name, pa.concat_tables(parts))


def write_snapshot(target: Path, tables: Mapping[str, pa.Table], summary: Mapping[str, Any]) -> Path:
    """Write every table of the schema (missing ones empty) and ``summary.json`` atomically."""
    with atomic_directory(target) as staging:

        def write(name: str) -> None:
            schema = TABLES[name]
            table = tables.get(name)
            table = empty_table(name) if table is None else table.select(schema.names).cast(schema)
            pq.write_table(table, staging / f"{name}.parquet", compression="zstd", row_group_size=256 * 1024)

        _each_table(write)
        body = {"kind": SNAPSHOT_KIND, "snapshot_format": SNAPSHOT_FORMAT_VERSION, **summary}
        (staging / SUMMARY_FILE).write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return Path(target)


def read_summary(folder: Path) -> dict[str, Any]:
    """The snapshot's summary; SnapshotError with one clear line when *folder* is no snapshot."""
    folder = Path(folder)
    path = folder / SUMMARY_FILE
    if not folder.is_dir():
        raise SnapshotError(
            f"{folder}: no such snapshot folder (run `edt-analysis parse SOURCE --out {folder}` first)"
        )
    try:
        summary = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SnapshotError(f"{folder}: not a snapshot ({SUMMARY_FILE} is missing)") from None
    except (OSError, ValueError) as exc:
        raise SnapshotError(f"{path}: unreadable snapshot summary: {exc}") from None
    if not isinstance(summary, dict) or summary.get("kind") != SNAPSHOT_KIND:
        raise SnapshotError(f"{path}: not an onec-analysis snapshot summary")
    if summary.get("snapshot_format") != SNAPSHOT_FORMAT_VERSION:
        raise SnapshotError(
            f"{path}: snapshot format {summary.get('snapshot_format')} is not the supported {SNAPSHOT_FORMAT_VERSION}; "
            "parse the configuration again"
        )
    return summary


def read_table(folder: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """One table of a snapshot (optionally only some columns), checked against the schema."""
    if name not in TABLES:
        raise KeyError(f"unknown snapshot table {name!r}")
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        raise SnapshotError(f"{folder}: snapshot table {name}.parquet is missing")
    table = pq.read_table(path, columns=columns)
    expected = TABLES[name] if columns is None else pa.schema([TABLES[name].field(c) for c in columns])
    if not table.schema.equals(expected, check_metadata=False):
        raise SnapshotError(f"{path}: columns do not match the snapshot schema")
    return table


def count_by(table: pa.Table, column: str) -> dict[str, int]:
    """``{value: rows}`` for one column, sorted by value (nulls as "")."""
    if table.num_rows == 0:
        return {}
    counts = pc.value_counts(table[column]).to_pylist()
    return dict(sorted((item["values"] or "", item["counts"]) for item in counts))
