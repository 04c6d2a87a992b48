"""Write and read snapshot folders: Parquet tables plus ``summary.json``, always atomically.

A snapshot folder appears whole or not at all: everything is written into a hidden sibling folder
which is then renamed into place, so an interrupted run leaves the previous snapshot (or nothing),
never half a table. Readers check ``summary.json`` first and refuse a folder that is not a snapshot.
"""

from __future__ import annotations

import ctypes
import json
import mmap
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
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
    return table.take(pa.array(_sort_order(name, table)))


def sort_keys(name: str) -> list[tuple[str, str, str]]:
    """The sort keys of table *name* as Arrow takes them: its key columns ascending, nulls first."""
    return [(column, "ascending", "at_start") for column in TABLE_KEYS[name]]


def _sort_order(name: str, table: pa.Table) -> np.ndarray:
    # Only the key columns are handed to the sort: the other columns' pages are never read here.
    order = pc.sort_indices(table.select(list(TABLE_KEYS[name])), options=pc.SortOptions(sort_keys(name)))
    return order.to_numpy().astype(np.int64)


def release_memory() -> None:
    """Hand the memory Arrow's allocator keeps after big tables are dropped back to the system.

    The allocator keeps freed pages for reuse; after a gigabyte-sized transient (a sort, a table
    read to be compacted) that is a gigabyte of resident memory nobody uses, and a pool forked
    afterwards maps it in every worker. Call it after such a phase and before forking. glibc's
    heap (what Python and the libraries freed through malloc) is trimmed too: after the parse of
    1C:ERP, about 35 MB.
    """
    pa.default_memory_pool().release_unused()
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's ``malloc_trim`` from the process's own symbols (as the package's ``prctl`` call);
    None elsewhere (musl, macOS)."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def empty_table(name: str) -> pa.Table:
    return TABLES[name].empty_table()


#: The tables that take longest to write, longest first; the others follow in schema order.
_LONGEST_FIRST = ("module_texts", "methods", "calls")


def _each_table(work: Callable[[str], T]) -> dict[str, T]:
    """``{name: work(name)}`` for every table of the schema (in schema order), side by side in threads.

    Arrow sorts, encodes and compresses without the GIL, so the tables really do go in parallel. The
    longest start first and the small ones fill in after (longest processing time first): in schema
    order, calls started last, on its own, while the other core had finished (on the ERP-size copy
    the module texts take 1.4 s to write, methods and calls 1.6 s together, the other seven 0.2 s).
    """
    order = [*_LONGEST_FIRST, *(name for name in TABLES if name not in _LONGEST_FIRST)]
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        done = dict(zip(order, pool.map(work, order), strict=True))
    return {name: done[name] for name in TABLES}


#: Rows per Parquet row group at most, and about this many bytes of Arrow data per row group: the
#: rows of one group are gathered, encoded and compressed at a time, which bounds what a write adds
#: to memory, and readers take a table of module texts group by group (the rule engine hands one
#: group to each worker task, so groups are small enough to spread over the cores).
ROW_GROUP_ROWS = 256 * 1024
ROW_GROUP_BYTES = 8 * 1024 * 1024
#: Row groups written between two calls of a write's *after_group* (about 64 MB of rows).
RELEASE_GROUPS = 8


class SpilledTables:
    """Arrow IPC files of one table (the parse workers' batches), memory-mapped read-only.

    ``tables`` reads nothing up front: a page of a file is read when a row group needs it, and
    :meth:`release` hands the pages read so far back to the kernel (they stay in the page cache,
    but no longer count against this process), so gathering a table of gigabytes row group by row
    group keeps about one group resident. The files are unlinked once mapped (unless *unlink* is
    False: the parse store keeps them): the mappings keep them readable, and an interrupted run
    leaves nothing behind.
    """

    def __init__(self, paths: Iterable[str | Path], *, unlink: bool = True):
        self._maps: list[mmap.mmap] = []
        self.tables: list[pa.Table] = []
        for path in paths:
            mapped, table = map_arrow_file(path)
            if unlink:
                os.unlink(path)
            self._maps.append(mapped)
            self.tables.append(table)

    def release(self) -> None:
        for mapped in self._maps:
            mapped.madvise(mmap.MADV_DONTNEED)


def map_arrow_file(path: str | Path) -> tuple[mmap.mmap, pa.Table]:
    """An Arrow IPC file memory-mapped read-only, and its table over the mapping (nothing copied)."""
    with open(path, "rb") as handle:
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return mapped, pa.ipc.open_file(pa.py_buffer(mapped)).read_all()


def spill_table(table: pa.Table, path: str | Path) -> None:
    """Write *table* as an Arrow IPC file (uncompressed: it is read back once, memory-mapped)."""
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def write_table(
    name: str,
    parts: list[pa.Table],
    path: Path,
    *,
    sort: bool = True,
    after_group: Callable[[], None] | None = None,
    keep: np.ndarray | None = None,
) -> int:
    """Write the concatenation of *parts* (sorted by the table's keys) to *path*; return its rows.

    The rows are gathered one row group at a time from the parts, never as a whole sorted copy, and
    the parts may be memory-mapped files whose pages are read as the groups need them;
    *after_group* is called after every ``RELEASE_GROUPS`` groups written and after the last
    (:meth:`SpilledTables.release`: a call hands back the pages of every file of the parts, so one
    after each 8 MB group cost an incremental parse 0.3 CPU-s of ``madvise`` over its 3,000 mapped
    files, and gathered nothing more: a group's rows sit in a file or two). *keep*, a
    boolean per row of the concatenation, leaves out the rows where it is False (without copying
    the rest: the incremental parse drops the changed units' old rows from a mapped store this way).
    Columns the schema does not name are left out.
    """
    schema = TABLES[name]
    parts = [_conform(schema, part) for part in parts if part.num_rows]
    table = pa.concat_tables(parts) if parts else empty_table(name)
    order = _sort_order(name, table) if sort and table.num_rows > 1 else None
    if keep is not None:
        if len(keep) != table.num_rows:
            raise ValueError(f"{name}: {len(keep)} keep flags for {table.num_rows} rows")
        order = np.flatnonzero(keep) if order is None else order[keep[order]]
    rows = table.num_rows if order is None else len(order)
    per_group = ROW_GROUP_ROWS
    if rows and table.nbytes > ROW_GROUP_BYTES:
        # bytes per row estimated over the whole concatenation (kept rows or not)
        per_group = max(1, min(ROW_GROUP_ROWS, table.num_rows * ROW_GROUP_BYTES // table.nbytes))
    rows_of = RowTaker(table) if order is not None else None
    dictionary = [column for column in schema.names if (name, column) not in _NO_DICTIONARY]
    with pq.ParquetWriter(path, schema, compression="zstd", use_dictionary=dictionary) as writer:
        if rows == 0:
            writer.write_table(schema.empty_table())
        for number, start in enumerate(range(0, rows, per_group), 1):
            if rows_of is None:
                group = table.slice(start, per_group)
            else:
                group = rows_of.take(order[start : start + per_group], slices=True)
            writer.write_table(group, row_group_size=per_group)
            del group
            if after_group is not None and (number % RELEASE_GROUPS == 0 or start + per_group >= rows):
                after_group()
    release_memory()
    return rows


#: Columns of long, mostly distinct values written without a dictionary: a dictionary page of a
#: row group's module texts had to be decompressed and decoded whole by every reader of one text.
_NO_DICTIONARY = frozenset({("module_texts", "text")})


class RowTaker:
    """``table.take(rows)`` for many calls on one large table of many chunks: each call copies only the
    rows asked for (see ``_gather``), where Arrow's ``take`` would concatenate whole columns each time."""

    def __init__(self, table: pa.Table) -> None:
        self.schema = table.schema
        self.batches = [batch for batch in table.to_batches() if batch.num_rows]
        self.starts = np.cumsum([0] + [batch.num_rows for batch in self.batches[:-1]], dtype=np.int64)

    def take(self, rows: np.ndarray, *, slices: bool = False) -> pa.Table:
        """The rows at *rows*, in that order, as one chunk; with *slices*, when the rows come in long
        runs of neighbours (a sorted snapshot written from batch files sorted alike), as zero-copy
        slices of the batches instead, one chunk per run."""
        rows = np.asarray(rows, np.int64)
        if not rows.size:
            return self.schema.empty_table()
        if slices:
            runs = _runs_of(self.schema, self.batches, self.starts, rows)
            if runs is not None:
                return runs
        return _gather(self.schema, self.batches, self.starts, rows)


#: Rows per run, on average, from which a group is taken as slices rather than gathered.
_MIN_RUN = 8


def _runs_of(
    schema: pa.Schema, batches: list[pa.RecordBatch], starts: np.ndarray, rows: np.ndarray
) -> pa.Table | None:
    """*rows* as slices of *batches* when they form runs of at least ``_MIN_RUN`` rows on average."""
    owner = np.searchsorted(starts, rows, side="right") - 1
    breaks = np.flatnonzero((np.diff(rows) != 1) | (np.diff(owner) != 0)) + 1
    if (len(breaks) + 1) * _MIN_RUN > len(rows):
        return None
    bounds = [0, *breaks.tolist(), len(rows)]
    pieces = [
        batches[owner[first]].slice(rows[first] - starts[owner[first]], end - first)
        for first, end in zip(bounds[:-1], bounds[1:], strict=False)
    ]
    return pa.Table.from_batches(pieces, schema=schema)


def _gather(
    schema: pa.Schema, batches: list[pa.RecordBatch], starts: np.ndarray, rows: np.ndarray
) -> pa.Table:
    """The table's rows at *rows* (indices into the concatenated *batches*), in that order.

    Arrow's ``take`` on a many-chunk table of strings first concatenates every chunk of the column
    — a copy of the whole table for each row group. Here each batch gives up only the rows it holds
    (one small ``take`` per batch touched), and one last ``take`` puts them in the order asked for.
    """
    owner = np.searchsorted(starts, rows, side="right") - 1
    by_owner = np.argsort(owner, kind="stable")
    pieces = []
    owners = owner[by_owner]
    bounds = np.flatnonzero(np.diff(owners)) + 1
    for chunk in np.split(by_owner, bounds):
        index = owner[chunk[0]]
        pieces.append(batches[index].take(pa.array(rows[chunk] - starts[index])))
    gathered = pa.Table.from_batches(pieces, schema=schema).combine_chunks()
    back = np.empty_like(by_owner)
    back[by_owner] = np.arange(len(by_owner))
    return gathered.take(pa.array(back))


def _conform(schema: pa.Schema, table: pa.Table) -> pa.Table:
    if table.schema.equals(schema, check_metadata=False):
        return table
    return table.select(schema.names).cast(schema)


def write_snapshot(target: Path, tables: Mapping[str, pa.Table], summary: Mapping[str, Any]) -> Path:
    """Write every table of the schema as given (missing ones empty) and ``summary.json`` atomically."""
    with atomic_directory(target) as staging:
        _each_table(
            lambda name: write_table(
                name,
                [tables[name]] if name in tables else [],
                staging / f"{name}.parquet",
                sort=False,
            )
        )
        _write_summary(staging, summary)
    return Path(target)


@dataclass
class TableParts:
    """The pieces one snapshot table is written from (see :func:`write_table`)."""

    tables: list[pa.Table]
    after_group: Callable[[], None] | None = None
    keep: np.ndarray | None = None


def write_merged_snapshot(
    target: Path,
    parts: Callable[[str], TableParts],
    summarize: Callable[[Path, dict[str, int]], Mapping[str, Any]],
) -> dict[str, Any]:
    """Write each table as the sorted concatenation of its parts, then the summary, atomically.

    ``parts(name)`` gives that table's parts, a function to call after each row group and the rows
    to keep (see :func:`write_table`); it is called when the table's turn comes and the parts are
    dropped once it is written, so only the tables being written (two at a time on two cores) are
    ever loaded: the parts of a parse (its workers' spilled files and the cached rows) or of shards.
    ``summarize(folder, rows)`` gets the written tables' folder and their row counts and returns the
    summary. Returns it.
    """

    def write(name: str) -> int:
        given = parts(name)
        return write_table(
            name, given.tables, staging / f"{name}.parquet", after_group=given.after_group, keep=given.keep
        )

    with atomic_directory(target) as staging:
        rows = _each_table(write)
        summary = dict(summarize(staging, rows))
        _write_summary(staging, summary)
    return summary


def _write_summary(folder: Path, summary: Mapping[str, Any]) -> None:
    body = {"kind": SNAPSHOT_KIND, "snapshot_format": SNAPSHOT_FORMAT_VERSION, **summary}
    (folder / SUMMARY_FILE).write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")


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


def _table_file(folder: Path, name: str) -> Path:
    if name not in TABLES:
        raise KeyError(f"unknown snapshot table {name!r}")
    path = Path(folder) / f"{name}.parquet"
    if not path.is_file():
        raise SnapshotError(f"{folder}: snapshot table {name}.parquet is missing")
    return path


def open_table(folder: Path, name: str) -> pq.ParquetFile:
    """One table of a snapshot to read piece by piece (row groups, batches), checked against the schema."""
    path = _table_file(folder, name)
    source = pq.ParquetFile(path)
    if not source.schema_arrow.equals(TABLES[name], check_metadata=False):
        raise SnapshotError(f"{path}: columns do not match the snapshot schema")
    return source


def read_table(folder: Path, name: str, columns: list[str] | None = None) -> pa.Table:
    """One table of a snapshot (optionally only some columns), checked against the schema."""
    path = _table_file(folder, name)
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
