"""The incremental parse's cache: the parse workers' batch files, kept, with the units they hold.

A parse with a cache folder keys every unit (an object with its files, see ``list_units``) by its
files' sizes and mtimes, the common modules its calls resolve against and the reader's version. The
parse workers write each batch of units as one Arrow file per table, the units' rows one after the
other; with a cache those files are written into the store, and the store's manifest records, per
batch, the units' keys and how many rows each has in each table. The next parse reads again only
the units whose key is new: the others' rows are taken from the stored batch files, memory-mapped,
with a mask that leaves out the rows of units gone or changed. Storing a parse then costs writing
the manifest and hard-linking the batch files kept into the new generation — nothing is copied.
(The first cache pickled each unit's rows on its own: unpickling tens of thousands of entries made
a re-parse after 1 % of edits cost 71 % of a full parse.)

Layout, one store per source and shard::

    CACHE/parse/<digest of source and shard>/CURRENT           names the live generation
    CACHE/parse/<digest>/<generation>/manifest.json            batches: files, unit keys, rows
    CACHE/parse/<digest>/<generation>/<table>-<batch>.arrow    a batch's rows of one table

A generation is complete before ``CURRENT`` names it (written under a temporary name, renamed);
older generations are removed after (their files live on where a newer generation links them, and
a parse still reading one keeps its memory-mapped files). A batch whose units are mostly gone is
not kept: its remaining units are parsed again, so dead rows never pile up. A store that cannot be
read is no store (everything is parsed); a failure to store costs the next run its speed, never
this run its snapshot.
"""

from __future__ import annotations

import hashlib
import json
import logging
import mmap
import os
import shutil
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from onec_analysis.snapshot.io import atomic_write_text, map_arrow_file
from onec_analysis.snapshot.schema import TABLES

log = logging.getLogger(__name__)

_CURRENT = "CURRENT"
_MANIFEST = "manifest.json"
_FORMAT = 2
#: A stored batch is kept while at least this share of its units is unchanged.
KEEP_SHARE = 0.5


@dataclass
class Batch:
    """One batch's files: ``files[table]`` (names in the generation folder), the units' ``keys``
    in file order, their ``tokens`` (what the key holds but the files' sizes and mtimes: the same
    token means the same object read by the same reader in the same context) and
    ``rows[table][i]``: the rows of unit *i* in that table."""

    files: dict[str, str]
    keys: list[str]
    tokens: list[str]
    rows: dict[str, list[int]]

    def to_json(self) -> dict[str, Any]:
        return {"files": self.files, "keys": self.keys, "tokens": self.tokens, "rows": self.rows}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Batch:
        batch = cls(
            dict(data["files"]),
            list(data["keys"]),
            list(data["tokens"]),
            {k: list(v) for k, v in data["rows"].items()},
        )
        if len(batch.tokens) != len(batch.keys):
            raise ValueError("batch tokens do not match its units")
        for name in TABLES:
            if len(batch.rows.get(name, ())) != len(batch.keys):
                raise ValueError(f"batch rows of {name!r} do not match its units")
        return batch


@dataclass(frozen=True)
class EarlierRows:
    """Where a unit's rows of an earlier parse are: the batch files (full paths) and the unit's
    ``(first row, rows)`` in each; a worker re-reading the unit takes its unchanged modules from there."""

    files: dict[str, str]
    spans: dict[str, tuple[int, int]]


@dataclass
class Generation:
    """A stored parse: its folder, batches and their tables (memory-mapped, checked at load)."""

    folder: Path
    batches: list[Batch]
    tables: dict[tuple[int, str], pa.Table] = field(default_factory=dict, repr=False)
    _maps: dict[str, list[mmap.mmap]] = field(default_factory=dict, repr=False)  # by table

    def _map_all(self) -> None:
        for index, batch in enumerate(self.batches):
            for name, file in batch.files.items():
                mapped, table = map_arrow_file(self.folder / file)
                self._maps.setdefault(name, []).append(mapped)
                if not table.schema.equals(TABLES[name], check_metadata=False):
                    raise ValueError(f"{file}: columns do not match this reader's schema")
                if table.num_rows != sum(batch.rows[name]):
                    raise ValueError(
                        f"{file}: {table.num_rows} rows, the manifest says {sum(batch.rows[name])}"
                    )
                self.tables[index, name] = table

    def release(self, name: str | None = None) -> None:
        """Hand the pages of table *name* (or all) read so far back to the kernel (they stay in
        the page cache)."""
        for table, maps in self._maps.items():
            if name is None or table == name:
                for mapped in maps:
                    mapped.madvise(mmap.MADV_DONTNEED)

    def earlier_rows(self, tables: tuple[str, ...], tokens: set[str]) -> dict[str, EarlierRows]:
        """``{token: where its rows of *tables* are}`` for the stored units whose token is in *tokens*."""
        found = {}
        for batch in self.batches:
            wanted = [i for i, token in enumerate(batch.tokens) if token in tokens]
            if not wanted:
                continue
            firsts = {name: np.cumsum([0, *batch.rows[name][:-1]]).tolist() for name in tables}
            files = {name: str(self.folder / batch.files[name]) for name in tables if name in batch.files}
            for i in wanted:
                spans = {name: (firsts[name][i], batch.rows[name][i]) for name in tables}
                found[batch.tokens[i]] = EarlierRows(files, spans)
        return found


def read_earlier_rows(earlier: EarlierRows, opened: dict[str, pa.Table] | None = None) -> dict[str, pa.Table]:
    """The unit's rows of each table in *earlier*: slices of the memory-mapped batch files, nothing
    copied. *opened* keeps the files mapped for the next unit (neighbours share batch files)."""
    opened = {} if opened is None else opened
    rows: dict[str, pa.Table] = {}
    for name, (first, count) in earlier.spans.items():
        if not count:
            rows[name] = TABLES[name].empty_table()
            continue
        path = earlier.files[name]
        if path not in opened:
            opened[path] = map_arrow_file(path)[1]  # the table keeps the mapping alive
        rows[name] = opened[path].slice(first, count)
    return rows


class UnitStore:
    """The store of one source (and shard) in the cache folder *cache_dir*."""

    def __init__(self, cache_dir: Path, scope: str):
        digest = hashlib.blake2b(scope.encode("utf-8"), digest_size=12).hexdigest()
        self.folder = Path(cache_dir) / "parse" / digest

    def load(self) -> Generation | None:
        """The last parse stored, or None (none yet, or one that cannot be read: logged)."""
        try:
            name = (self.folder / _CURRENT).read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as exc:
            log.warning("parse cache %s: cannot read %s (%s); parsing everything", self.folder, _CURRENT, exc)
            return None
        folder = self.folder / name
        try:
            data = json.loads((folder / _MANIFEST).read_text(encoding="utf-8"))
            if data.get("format") != _FORMAT:
                raise ValueError(f"manifest format {data.get('format')!r}, not {_FORMAT}")
            generation = Generation(folder, [Batch.from_json(b) for b in data["batches"]])
            generation._map_all()
            return generation
        except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as exc:
            log.warning("parse cache %s is damaged (%s); parsing everything", folder, exc)
            return None

    def new_generation(self) -> Path:
        """A new, empty generation folder for the workers' batch files."""
        folder = self.folder / f"g-{uuid.uuid4().hex[:12]}"
        folder.mkdir(parents=True)
        return folder

    def commit(
        self, folder: Path, previous: Generation | None, kept: list[int], written: list[Batch]
    ) -> bool:
        """Make *folder* the live generation: the batches of *previous* numbered in *kept* (linked
        in) and the batches *written* there by this parse. Returns whether it was stored (a
        failure is logged, not raised)."""
        try:
            batches = []
            for index in kept:
                batch = previous.batches[index]
                for file in batch.files.values():
                    _link(previous.folder / file, folder / file)
                batches.append(batch)
            manifest = {"format": _FORMAT, "batches": [b.to_json() for b in batches + written]}
            atomic_write_text(folder / _MANIFEST, json.dumps(manifest, ensure_ascii=False))
            atomic_write_text(self.folder / _CURRENT, folder.name + "\n")
        except OSError as exc:
            log.warning(
                "parse cache %s: cannot store this parse (%s); the next parse reads everything",
                self.folder,
                exc,
            )
            shutil.rmtree(folder, ignore_errors=True)
            return False
        for old in self.folder.iterdir():  # older generations, and any a crashed writer left
            if old.is_dir() and old.name != folder.name:
                shutil.rmtree(old, ignore_errors=True)
        return True


def _link(source: Path, target: Path) -> None:
    if target.exists():
        return
    try:
        os.link(source, target)
    except OSError:  # a file system without hard links: copy
        shutil.copyfile(source, target)


def reusable(previous: Generation | None, wanted: set[str]) -> list[tuple[int, set[str]]]:
    """The stored batches worth keeping for a parse of the units *wanted* (their keys): pairs of the
    batch's index and the keys it provides. A batch is kept when at least ``KEEP_SHARE`` of its
    units are still wanted; a unit is provided once."""
    if previous is None:
        return []
    kept, provided = [], set()
    for index, batch in enumerate(previous.batches):
        alive = {key for key in batch.keys if key in wanted and key not in provided}
        if alive and len(alive) >= KEEP_SHARE * len(batch.keys):
            kept.append((index, alive))
            provided |= alive
    return kept


def keep_mask(batch: Batch, name: str, alive: set[str]) -> np.ndarray:
    """Per row of the batch's table *name*: whether its unit is one of *alive*."""
    units = np.fromiter((key in alive for key in batch.keys), bool, len(batch.keys))
    return np.repeat(units, np.asarray(batch.rows[name], np.int64))
