"""The incremental parse's cache: the rows of the last parse of a source, each tagged with its unit.

A parse with a cache folder keys every unit (an object with its files, see ``list_units``) by its
files' sizes and mtimes, the common modules its calls resolve against and the reader's version. A
unit whose key the store holds is not read again: its rows are taken from the previous parse's
tables, kept here as Arrow IPC files with one more column, ``_unit``, the row's unit. So a re-parse
after a few edits costs listing the files, parsing what changed and writing the snapshot. (The
first cache pickled each unit's rows on its own; unpickling tens of thousands of entries and
concatenating their tables made a re-parse after 1 % of edits cost 71 % of a full parse.)

Layout, one store per source and shard (a store holds one parse's rows)::

    CACHE/parse/<digest of source and shard>/CURRENT             names the live generation
    CACHE/parse/<digest>/<generation>/units.arrow                row i: the key of unit i
    CACHE/parse/<digest>/<generation>/<table>.arrow              the table's rows, and _unit

A generation is written whole under a new name, then ``CURRENT`` is replaced (write to a temporary
name, rename), then older generations are removed. A parse that is reading an older generation
keeps it: its files are memory-mapped, and unlinked files stay readable while mapped. A store that
cannot be read is no store (everything is parsed); one that cannot be written costs the next run
its speed, never this run its snapshot.
"""

from __future__ import annotations

import hashlib
import logging
import mmap
import os
import shutil
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa

from onec_analysis.snapshot.io import atomic_write_text
from onec_analysis.snapshot.schema import TABLES

log = logging.getLogger(__name__)

UNIT = "_unit"
_CURRENT = "CURRENT"
_KEYS = pa.schema([("key", pa.string())])


def tagged_schema(name: str) -> pa.Schema:
    """A snapshot table's schema with the ``_unit`` column the store adds."""
    return TABLES[name].append(pa.field(UNIT, pa.int32(), nullable=False))


def tag_units(table: pa.Table, units: Iterable[int], rows: Iterable[int]) -> pa.Table:
    """*table* with a ``_unit`` column: the first ``rows[0]`` rows are unit ``units[0]``, and so on."""
    column = np.repeat(np.fromiter(units, np.int32), np.fromiter(rows, np.int64))
    if len(column) != table.num_rows:
        raise ValueError(f"{len(column)} unit tags for {table.num_rows} rows")
    return table.append_column(pa.field(UNIT, pa.int32(), nullable=False), pa.array(column, pa.int32()))


def _map(path: Path) -> tuple[mmap.mmap | None, pa.Table]:
    with open(path, "rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            raise pa.ArrowInvalid(f"{path}: empty file")
        mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    return mapped, pa.ipc.open_file(pa.py_buffer(mapped)).read_all()


@dataclass
class StoredParse:
    """A previous parse's rows, memory-mapped: ``keys[i]`` is the key of unit *i*, and every row
    of ``tables`` has its unit in the ``_unit`` column."""

    keys: list[str]
    tables: dict[str, pa.Table]
    _maps: list[mmap.mmap] = field(default_factory=list, repr=False)

    def units(self, name: str) -> np.ndarray:
        """The unit of each row of table *name*."""
        return self.tables[name].column(UNIT).to_numpy().astype(np.int64, copy=False)

    def release(self) -> None:
        """Hand the pages read so far back to the kernel (they stay in the page cache)."""
        for mapped in self._maps:
            mapped.madvise(mmap.MADV_DONTNEED)


class UnitStore:
    """The store of one source (and shard) in the cache folder *cache_dir*."""

    def __init__(self, cache_dir: Path, scope: str):
        digest = hashlib.blake2b(scope.encode("utf-8"), digest_size=12).hexdigest()
        self.folder = Path(cache_dir) / "parse" / digest

    def load(self) -> StoredParse | None:
        """The last parse stored, or None (no store yet, or one that cannot be read: logged)."""
        try:
            generation = (self.folder / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("parse cache %s: cannot read %s (%s); parsing everything", self.folder, _CURRENT, exc)
            return None
        folder = self.folder / generation
        maps: list[mmap.mmap] = []
        try:
            mapped, keys = _map(folder / "units.arrow")
            maps.append(mapped)
            tables = {}
            for name in TABLES:
                mapped, table = _map(folder / f"{name}.arrow")
                maps.append(mapped)
                if not table.schema.equals(tagged_schema(name), check_metadata=False):
                    raise ValueError(f"{name}.arrow: columns do not match this reader's schema")
                tables[name] = table
            stored = StoredParse(keys.column("key").to_pylist(), tables, maps)
            for name in TABLES:  # a tag out of range would take a row for the wrong unit
                units = stored.units(name)
                if units.size and (units.min() < 0 or units.max() >= len(stored.keys)):
                    raise ValueError(f"{name}.arrow: unit tags out of range")
            return stored
        except (OSError, ValueError, pa.ArrowException) as exc:
            log.warning("parse cache %s is damaged (%s); parsing everything", folder, exc)
            return None

    def write(
        self,
        keys: list[str],
        batches: Callable[[str], Iterable[pa.RecordBatch]],
        after_table: Callable[[], None] | None = None,
    ) -> bool:
        """Store a parse: unit *i* has key ``keys[i]``; ``batches(name)`` gives table *name*'s rows
        with their ``_unit``. Returns whether it was stored (a failure is logged, not raised)."""
        generation = f"g-{uuid.uuid4().hex[:12]}"
        folder = self.folder / generation
        try:
            folder.mkdir(parents=True)
            _write(
                folder / "units.arrow", _KEYS, [pa.record_batch([pa.array(keys, pa.string())], schema=_KEYS)]
            )
            for name in TABLES:
                _write(folder / f"{name}.arrow", tagged_schema(name), batches(name))
                if after_table is not None:
                    after_table()
            atomic_write_text(self.folder / _CURRENT, generation + "\n")
        except OSError as exc:
            log.warning(
                "parse cache %s: cannot store this parse (%s); the next parse reads everything",
                self.folder,
                exc,
            )
            shutil.rmtree(folder, ignore_errors=True)
            return False
        for old in self.folder.iterdir():  # older generations, and any a crashed writer left
            if old.is_dir() and old.name != generation:
                shutil.rmtree(old, ignore_errors=True)
        return True


def _write(path: Path, schema: pa.Schema, batches: Iterable[pa.RecordBatch]) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, schema) as writer:
        for batch in batches:
            if batch.num_rows:
                writer.write_batch(
                    batch.select(schema.names).cast(schema) if batch.schema != schema else batch
                )
