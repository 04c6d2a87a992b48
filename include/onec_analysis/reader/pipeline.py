"""``edt-analysis parse``: read a configuration into a snapshot, on all cores, sharded or cached.

The unit of work is one top-level metadata object (its XML, forms and modules) or the configuration
itself. Units are independent, which is what makes the three ways of running cheap:

* in parallel — batches of units go to a process pool, biggest first; each worker writes its
  batch's tables to Arrow files in a scratch folder beside the snapshot, and the parent writes the
  snapshot table by table from those files, memory-mapped (nothing big crosses a pipe, and no
  process ever holds the whole configuration);
* sharded — shard *i* of *N* reads only the units whose stable hash falls in it, and
  :func:`merge_snapshots` concatenates the partial snapshots into exactly a single run's tables;
* incremental — each unit is keyed by its files' sizes and mtimes (and the common-module names its
  calls are resolved against); the workers' batch files of the last parse are kept in a store with
  the units they hold (:mod:`onec_analysis.reader.unit_store`), so a re-parse reads only the units
  whose key is new.
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from onec_analysis import __version__, pickle_cache
from onec_analysis.bsl import CallContext, ModuleParse, parse_module
from onec_analysis.metadata import (
    common_module_names,
    configuration_unit,
    detect_source,
    read_unit,
    type_folders,
    type_units,
)
from onec_analysis.metadata.files import FolderListings, forget_real_paths
from onec_analysis.reader.modules import decode_module
from onec_analysis.reader.unit_store import (
    Batch,
    EarlierRows,
    UnitStore,
    keep_mask,
    read_earlier_rows,
    reusable,
)
from onec_analysis.snapshot.io import (
    SUMMARY_FILE,
    SpilledTables,
    TableParts,
    atomic_write_text,
    count_by,
    read_summary,
    read_table,
    sort_keys,
    spill_table,
    write_merged_snapshot,
)
from onec_analysis.snapshot.schema import TABLE_KEYS, TABLES
from onec_analysis.worker_pool import fork_pool

log = logging.getLogger(__name__)

#: Bump when the rows produced for the same files change, so stale cache entries are not reused.
READER_VERSION = f"{__version__}+r1"
#: The cache's folder of type folders' listings (``_list_type``), and the format of their entries.
_LISTINGS_FOLDER = "listings"
_LISTINGS_FORMAT = 1
_BATCH_BYTES = 8 * 1024 * 1024
_BATCH_UNITS = 64


@dataclass(frozen=True)
class Shard:
    index: int  # 0-based
    count: int

    def __post_init__(self) -> None:
        if not (self.count >= 1 and 0 <= self.index < self.count):
            raise ValueError(f"shard {self.index + 1}/{self.count} does not exist (use 1..{self.count})")

    @classmethod
    def parse(cls, text: str) -> Shard:
        """``"2/4"`` → the second of four shards."""
        try:
            number, count = (int(part) for part in text.split("/"))
        except ValueError:
            raise ValueError(f"shard must look like I/N (e.g. 2/4), got {text!r}") from None
        return cls(number - 1, count)

    def owns(self, unit_key: str) -> bool:
        digest = hashlib.blake2b(unit_key.encode("utf-8"), digest_size=8).digest()
        return int.from_bytes(digest, "big") % self.count == self.index

    def __str__(self) -> str:
        return f"{self.index + 1}/{self.count}"


@dataclass
class ParseOptions:
    workers: int = field(default_factory=lambda: os.cpu_count() or 1)
    shard: Shard | None = None
    cache_dir: Path | None = None
    #: Called as progress(done_units, total_units) while parsing.
    progress: Callable[[int, int], None] | None = None


@dataclass(frozen=True)
class _Job:
    project_index: int
    unit: Any
    size: int
    key: str  # the unit's cache key: its files' sizes and mtimes, the reader version …
    token: str  # the key without the files' sizes and mtimes
    earlier: EarlierRows | None = None  # its rows of the last parse, when it was stored


# --- work done in the pool --------------------------------------------------------------------

_worker_projects: list[Any] = []
_worker_contexts: list[frozenset[str]] = []


def _init_worker(projects: list[Any], common_modules: list[frozenset[str]]) -> None:
    global _worker_projects, _worker_contexts
    _worker_projects, _worker_contexts = projects, common_modules


#: The tables a module's parse fills: kept from the last parse for the modules whose text is unchanged,
#: with the column naming the module.
_MODULE_TABLES = ("modules", "methods", "calls", "query_tables")
_MODULE_COLUMN = {"methods": "module_id", "calls": "caller_module_id", "query_tables": "module_id"}


@dataclass
class _Earlier:
    """A unit's rows of the last parse: its modules' rows by id, and its methods, calls and query
    tables as Arrow tables (slices of the stored batch files: they never become Python rows)."""

    modules: dict[str, dict[str, Any]]
    tables: dict[str, pa.Table]

    def kept(self, module_ids: list[str]) -> dict[str, pa.Table]:
        """The rows of *module_ids* in each of the module tables but ``modules``, in stored order."""
        if not module_ids:
            return {}
        wanted = pa.array(module_ids, pa.string())
        return {
            name: table.filter(pc.is_in(table[_MODULE_COLUMN[name]], value_set=wanted))
            for name, table in self.tables.items()
        }


def _earlier_modules(earlier: EarlierRows | None, opened: dict[str, pa.Table]) -> _Earlier:
    """What the last parse stored of a unit (nothing when it stored none, or the store went away)."""
    if earlier is not None:
        try:
            rows = read_earlier_rows(earlier, opened)
            modules = {row["module_id"]: row for row in rows.pop("modules").to_pylist()}
            return _Earlier(modules, rows)
        except (OSError, pa.ArrowException) as exc:  # the store went away meanwhile: parse everything
            log.warning("earlier rows unreadable (%s); parsing the unit's modules again", exc)
    return _Earlier({}, {})


def _unit_rows(
    project: Any,
    unit: Any,
    common_modules: frozenset[str],
    earlier: EarlierRows | None = None,
    opened: dict[str, pa.Table] | None = None,
) -> tuple[dict[str, list[dict] | ColumnRows], dict[str, pa.Table], int]:
    """All rows of one unit: its metadata, then each module's text parsed — or, for a module whose
    text is the one the last parse read (same SHA-256, same reader and context: *earlier*), its rows
    of then. Returns the rows parsed, the rows kept from *earlier* (Arrow tables: methods, calls and
    query tables, which go after the unit's parsed rows) and how many modules were kept.
    *opened*: the stored batch files mapped so far (see ``read_earlier_rows``)."""
    result = read_unit(project, unit)
    before = _earlier_modules(earlier, {} if opened is None else opened)
    reused: list[str] = []
    rows: dict[str, list[dict] | ColumnRows] = {
        "objects": list(result.objects),
        "attributes": list(result.attributes),
        "references": list(result.references),
        "form_handlers": list(result.form_handlers),
        "problems": list(result.problems),
        "modules": [],
        "module_texts": [],
        "methods": ColumnRows("methods"),
        "calls": ColumnRows("calls"),
        "query_tables": [],
    }
    form_methods: dict[str, dict[str, str]] = {}
    for module in result.modules:
        try:
            data = Path(module.abs_path).read_bytes()
        except OSError as exc:
            rows["problems"].append(
                {
                    "path": module.path,
                    "kind": "unreadable",
                    "message": f"cannot read module: {exc.strerror}",
                    "line": None,
                }
            )
            continue
        decoded = decode_module(data)
        if decoded.problem:
            kind, message, line = decoded.problem
            rows["problems"].append({"path": module.path, "kind": kind, "message": message, "line": line})
        same = before.modules.get(module.module_id)
        if same is not None and same["sha256"] == decoded.sha256:
            reused.append(module.module_id)
            parsed = ModuleParse(lines=same["lines"], ncloc=same["ncloc"])
        else:
            parsed = parse_module(
                decoded.text,
                module_id=module.module_id,
                object_id=module.object_id,
                configuration=project.name,
                ctx=CallContext(common_modules=common_modules, own_object_id=module.object_id),
            )
            form_methods[module.module_id] = {
                name.casefold(): method_id
                for name, method_id in zip(
                    parsed.method_columns["name"], parsed.method_columns["method_id"], strict=True
                )
            }
        rows["modules"].append(
            {
                "module_id": module.module_id,
                "configuration": project.name,
                "object_id": module.object_id,
                "module_type": module.module_type,
                "form": module.form,
                "command": module.command,
                "path": module.path,
                "size_bytes": decoded.size_bytes,
                "lines": parsed.lines,
                "ncloc": parsed.ncloc,
                "protected": decoded.protected,
                "sha256": decoded.sha256,
            }
        )
        rows["module_texts"].append({"module_id": module.module_id, "text": decoded.utf8})
        rows["methods"].add(parsed.method_columns)
        rows["calls"].add(parsed.call_columns)
        rows["query_tables"].extend(parsed.query_tables)
    kept = before.kept(reused)
    if "methods" in kept:  # the kept modules' method names for the form handlers, in text order
        methods = kept["methods"].select(["module_id", "start_line", "name", "method_id"]).to_pylist()
        for method in sorted(methods, key=lambda m: (m["module_id"], m["start_line"])):
            form_methods.setdefault(method["module_id"], {})[method["name"].casefold()] = method["method_id"]
    # A form event names a method of the form's own module; link it when that method exists.
    for handler in rows["form_handlers"]:
        by_name = form_methods.get(handler["module_id"] or "", {})
        handler["method_id"] = by_name.get((handler["method_name"] or "").casefold())
    return rows, kept, len(reused)


_ROW_TYPES = {name: pa.struct(list(schema)) for name, schema in TABLES.items()}


#: The tables whose rows ``parse_module`` gives as columns.
_COLUMN_TABLES = ("methods", "calls")


class ColumnRows:
    """Rows of one snapshot table held as columns (field -> list), as ``parse_module`` gives methods
    and calls: one ``pa.array`` per column instead of a struct array built from a dict per row."""

    __slots__ = ("name", "columns", "count")

    def __init__(self, name: str) -> None:
        self.name = name
        self.columns: dict[str, list] = {column: [] for column in TABLES[name].names}
        self.count = 0

    def add(self, columns: dict[str, list]) -> None:
        """Append rows given as columns: every field of the table, each list of the same length."""
        if columns.keys() != self.columns.keys():
            raise ValueError(f"{self.name}: columns {list(columns)} are not {list(self.columns)}")
        lengths = {len(values) for values in columns.values()}
        if len(lengths) > 1:
            raise ValueError(f"{self.name}: columns of different lengths {sorted(lengths)}")
        for column, values in columns.items():
            self.columns[column].extend(values)
        self.count += lengths.pop() if lengths else 0

    def extend(self, other: ColumnRows | tuple[()]) -> None:
        if other:
            self.add(other.columns)

    def clear(self) -> None:
        for values in self.columns.values():
            values.clear()
        self.count = 0

    def __len__(self) -> int:
        return self.count

    def to_table(self) -> pa.Table:
        schema = TABLES[self.name]
        return pa.Table.from_arrays(
            [pa.array(self.columns[field.name], field.type) for field in schema], schema=schema
        )


def _to_table(name: str, rows: list[dict] | ColumnRows) -> pa.Table:
    """The rows as a table of the snapshot's schema (a key a row lacks is null; other keys are left out).

    Through one struct array, whose fields become the columns: 0.14 s against 0.22 s of
    ``Table.from_pylist`` for 54k method rows with their nested parameters, 0.027 s against
    0.033 s for 42k call rows.
    """
    if isinstance(rows, ColumnRows):
        return rows.to_table()
    if name == "module_texts":
        return _module_texts_table(rows)
    return pa.Table.from_struct_array(pa.array(rows, type=_ROW_TYPES[name]))


def _module_texts_table(rows: list[dict]) -> pa.Table:
    """The module texts from their UTF-8 bytes, which ``decode_module`` has already decoded once: taken
    as binary and viewed as text, without Arrow checking the 1.6 GB of an ERP-size export again (0.06 s
    against 0.36-0.93 s of the struct array for 268 MB of ERP-copy modules)."""
    schema = TABLES["module_texts"]
    ids = pa.array([row["module_id"] for row in rows], schema.field("module_id").type)
    texts = pa.array([row["text"] for row in rows], pa.large_binary()).view(schema.field("text").type)
    return pa.Table.from_arrays([ids, texts], schema=schema)


def _parse_batch(jobs: list[_Job], spill_dir: str) -> tuple[dict[str, str], Batch, int]:
    """Parse a batch of units into one Arrow file per snapshot table, in *spill_dir*.

    One table per batch, not per unit: thousands of tiny tables cost as much CPU as parsing. The
    tables go to files, not back through the pool's pipe: pickling gigabytes of rows to the parent
    cost CPU on both sides and made the parent hold every part at once. Each unit's rows follow the
    previous unit's, and the returned :class:`Batch` says how many each has, which is what the
    parse store needs to keep them. Returns ``{table: file}`` for the tables with rows, and that.
    """
    rows: dict[str, list[dict] | ColumnRows] = {
        name: ColumnRows(name) if name in _COLUMN_TABLES else [] for name in TABLES
    }
    # A table's rows in unit order: Python rows gathered until a unit brings kept Arrow rows, which
    # follow that unit's parsed rows (without any, as in a full parse, one conversion per table).
    pieces: dict[str, list[pa.Table]] = {name: [] for name in TABLES}
    counts: dict[str, list[int]] = {name: [] for name in TABLES}
    opened: dict[str, pa.Table] = {}
    modules_reused = 0
    for job in jobs:
        project = _worker_projects[job.project_index]
        kept: dict[str, pa.Table] = {}
        try:
            unit_rows, kept, reused = _unit_rows(
                project, job.unit, _worker_contexts[job.project_index], job.earlier, opened
            )
            modules_reused += reused
        except Exception as exc:  # a reader bug on one unit must not lose the others
            log.exception("unit %s failed", job.unit.key)
            unit_rows = {
                "problems": [
                    {
                        "path": str(job.unit.key),
                        "kind": "reader_error",
                        "message": f"{type(exc).__name__}: {exc}",
                        "line": None,
                    }
                ]
            }
        for name, batch_rows in rows.items():
            found = unit_rows.get(name, ())
            batch_rows.extend(found)
            count = len(found)
            if name in kept:
                if batch_rows:
                    pieces[name].append(_to_table(name, batch_rows))
                    batch_rows.clear()
                pieces[name].append(kept[name])
                count += kept[name].num_rows
            counts[name].append(count)
    opened.clear()
    tables = {}
    for name, batch_rows in rows.items():
        if batch_rows or not pieces[name]:
            pieces[name].append(_to_table(name, batch_rows))
        tables[name] = pa.concat_tables(pieces[name]) if len(pieces[name]) > 1 else pieces[name][0]
    rows.clear()
    pieces.clear()
    for name, table in tables.items():
        tables[name] = _sorted_by_unit(name, table, counts[name])
    files = {}
    # Named after the batch's first unit's key: the same parse names its files the same way.
    batch_id = hashlib.blake2b(jobs[0].key.encode(), digest_size=12).hexdigest()
    for name, table in tables.items():
        if table.num_rows:
            files[name] = str(Path(spill_dir) / f"{name}-{batch_id}.arrow")
            spill_table(table, files[name])
    batch = Batch(
        {name: Path(path).name for name, path in files.items()},
        [job.key for job in jobs],
        [job.token for job in jobs],
        counts,
    )
    return files, batch, modules_reused


# --- incremental cache ---------------------------------------------------------------------


def _unit_fingerprint(root: Path | str, files: Iterable[str]) -> tuple[str, int]:
    """A digest of (path, size, mtime) of every file a unit reads, and their total size."""
    digest = hashlib.blake2b(digest_size=16)
    total = 0
    base = str(root)
    for name in sorted(files):
        try:
            st = os.stat(f"{base}/{name}")  # a string, not a Path: this runs for every file
            digest.update(f"{name}\0{st.st_size}\0{st.st_mtime_ns}\n".encode())
            total += st.st_size
        except OSError:
            digest.update(f"{name}\0missing\n".encode())
    return digest.hexdigest(), total


# --- the pipeline --------------------------------------------------------------------------


def _batches(jobs: list[_Job]) -> list[list[_Job]]:
    """Runs of units in listing order, of bounded size, the biggest batches first (so the pool ends
    evenly).

    Runs, not the biggest units packed together: the listing order is nearly the order of the
    snapshot's keys, so a row group of the sorted snapshot gathers its rows from one or two batch
    files instead of from every one of them (on the ERP-size copy, 700 small takes per row group
    were most of the write).
    """
    batches: list[list[_Job]] = []
    current: list[_Job] = []
    current_bytes = 0
    for job in jobs:
        current.append(job)
        current_bytes += job.size
        if current_bytes >= _BATCH_BYTES or len(current) >= _BATCH_UNITS:
            batches.append(current)
            current, current_bytes = [], 0
    if current:
        batches.append(current)
    batches.sort(key=lambda batch: sum(job.size for job in batch), reverse=True)
    return batches


def _list_type(
    task: tuple[int, str, str, Shard | None, str | None],
) -> tuple[list[_Job], list[tuple[str, str, str]]]:
    """A pool task: the jobs of one type folder's units (those of *shard*), and its listing problems.

    With a cache, the type folder's listings of the last parse are reused where their folders are
    unchanged and this parse's are stored for the next (one entry per type folder, keyed by its path:
    a listing depends on nothing else, so it is kept apart from the parse store's generations)."""
    index, folder, source, shard, listings_dir = task
    project = _worker_projects[index]
    if listings_dir is None:
        units, problems = type_units(project, Path(folder))
    else:
        key = hashlib.blake2b(f"{_LISTINGS_FORMAT}\0{folder}".encode(), digest_size=16).hexdigest()
        listings = FolderListings(pickle_cache.load(Path(listings_dir), key))
        units, problems = type_units(project, Path(folder), listings)
        if listings.changed:
            try:
                pickle_cache.store(Path(listings_dir), key, listings.taken)
            except OSError as exc:  # the next parse lists this folder again; this one is unharmed
                log.warning("parse cache %s: cannot store the listing of %s (%s)", listings_dir, folder, exc)
    job = _Jobs(index, project, _worker_contexts[index], source)
    return [job(unit) for unit in units if _owned(shard, project, unit)], problems


def _owned(shard: Shard | None, project: Any, unit: Any) -> bool:
    return shard is None or shard.owns(f"{project.name}\0{unit.key}")


class _Jobs:
    """Makes the units of project number *index* into jobs keyed for the parse store (see ``_Job``);
    what the keys share is worked out once, not per unit (33k of them on an ERP-size export)."""

    def __init__(self, index: int, project: Any, common_modules: frozenset[str], source: str) -> None:
        self.index, self.root = index, str(project.root)
        self.prefix = f"{READER_VERSION}\0{source}\0{project.cache_salt}\0"
        self.context = _context_digest(common_modules)

    def __call__(self, unit: Any) -> _Job:
        fingerprint, size = _unit_fingerprint(self.root, unit.files)
        token = f"{self.prefix}{unit.key}\0{self.context}"
        key = hashlib.blake2b(f"{token}\0{fingerprint}".encode(), digest_size=16).hexdigest()
        token = hashlib.blake2b(token.encode(), digest_size=16).hexdigest()
        return _Job(self.index, unit, size, key, token)


@functools.lru_cache(maxsize=8)
def _context_digest(common_modules: frozenset[str]) -> str:
    return hashlib.blake2b("\n".join(sorted(common_modules)).encode(), digest_size=8).hexdigest()


def _discover(
    projects: list[Any],
    common_modules: list[frozenset[str]],
    source: str,
    shard: Shard | None,
    pool: Any,
    listings_dir: Path | None = None,
) -> Iterator[_Job]:
    """Every unit of every project as a job, in listing order: each project's type folders, then its
    Configuration. The type folders are listed and their files stat'ed side by side in *pool* (one
    process when None): on an ERP-size export that is 95k files and 33k objects, 2 s on one core.
    The pool's tasks are queued at once, so the caller can do other work before it takes the jobs.
    *listings_dir*: where the folder listings are kept between parses (see ``_list_type``)."""
    tasks, tops = [], []
    listings = str(listings_dir) if listings_dir is not None else None
    for index, project in enumerate(projects):
        folders, problems = type_folders(project)
        tops.append(problems)
        tasks.extend((index, str(folder), source, shard, listings) for folder in folders)
    listed = iter(pool.imap(_list_type, tasks) if pool is not None else map(_list_type, tasks))
    return _gather_jobs(projects, common_modules, source, shard, tasks, tops, listed)


def _gather_jobs(
    projects: list[Any],
    common_modules: list[frozenset[str]],
    source: str,
    shard: Shard | None,
    tasks: list[tuple[int, str, str, Shard | None, str | None]],
    tops: list[list[tuple[str, str, str]]],
    listed: Iterator[tuple[list[_Job], list[tuple[str, str, str]]]],
) -> Iterator[_Job]:
    """The jobs of ``_discover`` as the listed type folders come in, each project's Configuration last."""
    folders_of = Counter(index for index, *_ in tasks)
    for index, project in enumerate(projects):
        problems = list(tops[index])
        for _ in range(folders_of[index]):
            jobs, folder_problems = next(listed)
            problems.extend(folder_problems)
            yield from jobs
        unit = configuration_unit(project, problems)
        if _owned(shard, project, unit):
            yield _Jobs(index, project, common_modules[index], source)(unit)


def parse_source(source: Path, out: Path, options: ParseOptions | None = None) -> dict[str, Any]:
    """Read *source* into the snapshot folder *out*; return the summary written beside the tables.

    Raises ``NotAConfiguration`` (from :mod:`onec_analysis.metadata`) when *source* is none.
    """
    options = options or ParseOptions()
    started = time.perf_counter()
    forget_real_paths()
    source = Path(source).resolve()
    detected = detect_source(source)
    projects = list(detected.projects)
    common_modules = [frozenset(common_module_names(project)) for project in projects]

    with ExitStack() as pools:
        cache_dir = Path(options.cache_dir).resolve() if options.cache_dir else None
        store = UnitStore(cache_dir, f"{source}\0{options.shard}") if cache_dir else None
        # Scratch folders go when the parse ends, after the workers that write there are gone.
        scratch: list[Path] = []
        pools.callback(lambda: [shutil.rmtree(path, ignore_errors=True) for path in scratch])
        # The pool lists the type folders side by side, then parses; it is forked before the store is
        # mapped, which the workers never read.
        workers = pools.enter_context(ExitStack())
        pool = None
        if options.workers > 1:
            pool = workers.enter_context(
                fork_pool(options.workers, initializer=_init_worker, initargs=(projects, common_modules))
            )
        else:
            _init_worker(projects, common_modules)
        listings_dir = cache_dir / _LISTINGS_FOLDER if cache_dir else None
        listing = _discover(projects, common_modules, str(source), options.shard, pool, listings_dir)
        previous = store.load() if store else None
        units = list(listing)
        kept = reusable(previous, {job.key for job in units})
        provided = set().union(*(alive for _, alive in kept))
        jobs = [job for job in units if job.key not in provided]
        if previous is not None and jobs:
            earlier = previous.earlier_rows(_MODULE_TABLES, {job.token for job in jobs})
            jobs = [replace(job, earlier=earlier.get(job.token)) for job in jobs]
        discovered = time.perf_counter()
        total_units = len(units)
        from_cache = total_units - len(jobs)
        log.info(
            "%s: %s with %d configuration(s), %d units to read (%d from cache), %d workers",
            source,
            detected.format,
            len(projects),
            total_units,
            from_cache,
            options.workers,
        )

        done = from_cache
        if options.progress:
            options.progress(done, total_units)
        batches = _batches(jobs)
        out = Path(out)
        out.parent.mkdir(parents=True, exist_ok=True)
        # With a cache the workers write straight into the store's next generation, which keeps them.
        spill_dir = None
        if store is not None:
            try:
                spill_dir = store.new_generation()
            except OSError as exc:
                log.warning(
                    "parse cache %s: cannot store this parse (%s); the next parse reads everything",
                    store.folder,
                    exc,
                )
        storing = spill_dir is not None
        if spill_dir is None:
            spill_dir = out.parent / f".{out.name}.parts-{uuid.uuid4().hex[:8]}"
            spill_dir.mkdir()
        spilled: dict[str, list[str]] = {name: [] for name in TABLES}
        written: list[Batch] = []
        modules_reused = 0
        stored = False
        try:
            pending = [(batch, str(spill_dir)) for batch in batches]
            if pool is None:
                parsed_batches: Iterable = map(_star_parse_batch, pending)
            else:
                parsed_batches = pool.imap_unordered(_star_parse_batch, pending)
            for files, batch, reused in parsed_batches:
                modules_reused += reused
                for name, path in files.items():
                    spilled[name].append(path)
                written.append(batch)
                done += len(batch.keys)
                if options.progress:
                    options.progress(done, total_units)
            workers.close()  # the workers are done: they leave before the write
            parsed = time.perf_counter()
            # Files in name order, not completion order: the same parse gives the same row order
            # before the (stable) sort, so rows that tie on the sort keys keep one order.
            mapped = {name: SpilledTables(sorted(spilled[name]), unlink=not storing) for name in TABLES}

            def parts(name: str) -> TableParts:
                def release() -> None:  # the pages of this table's files only: it runs after every row group
                    mapped[name].release()
                    if previous is not None:
                        previous.release(name)

                if not kept:
                    return TableParts(mapped[name].tables, release)
                tables, masks = [], []
                for index, alive in kept:
                    table = previous.tables.get((index, name))
                    if table is not None:
                        tables.append(table)
                        masks.append(keep_mask(previous.batches[index], name, alive))
                new_rows = sum(table.num_rows for table in mapped[name].tables)
                return TableParts(
                    tables + mapped[name].tables, release, np.concatenate([*masks, np.ones(new_rows, bool)])
                )

            def summarize(folder: Path, rows: dict[str, int]) -> dict[str, Any]:
                summary = build_summary(folder, rows, detected, projects, source)
                summary["shard"] = (
                    {"index": options.shard.index + 1, "count": options.shard.count}
                    if options.shard
                    else None
                )
                summary["units"] = {
                    "total": total_units,
                    "from_cache": from_cache,
                    "parsed": len(jobs),
                    # modules of the units parsed whose text had not changed: their rows were kept
                    "modules_reused": modules_reused,
                }
                summary["workers"] = options.workers
                summary["timings_seconds"] = {}
                return summary

            summary = write_merged_snapshot(out, parts, summarize)
            written_at = time.perf_counter()
            if storing:
                # In an order that does not depend on which worker finished first (their file names).
                written.sort(key=lambda batch: min(batch.files.values(), default=""))
                stored = store.commit(spill_dir, previous, [index for index, _ in kept], written)
        finally:
            if not stored:
                scratch.append(spill_dir)
    finished = time.perf_counter()
    summary["timings_seconds"] = {
        "discover": round(discovered - started, 3),
        "parse": round(parsed - discovered, 3),
        "write": round(written_at - parsed, 3),
        **({"store": round(finished - written_at, 3)} if store is not None else {}),
        "total": round(finished - started, 3),
    }
    _rewrite_summary(out, summary)
    return summary


def _sorted_by_unit(name: str, table: pa.Table, counts: list[int]) -> pa.Table:
    """Each unit's rows sorted by the table's keys, the units kept in their order and together (the
    parse store counts rows per unit). The sorted snapshot is then written from runs of
    neighbouring rows of these files, taken as slices, instead of gathered row by row."""
    if table.num_rows <= 1:
        return table
    unit = np.repeat(np.arange(len(counts), dtype=np.int32), np.asarray(counts, np.int64))
    keyed = table.select(list(TABLE_KEYS[name])).append_column("_unit", pa.array(unit))
    keys = [("_unit", "ascending", "at_start"), *sort_keys(name)]
    return table.take(pc.sort_indices(keyed, options=pc.SortOptions(keys)))


def _star_parse_batch(args: tuple[list[_Job], str]) -> tuple[dict[str, str], Batch, int]:
    return _parse_batch(*args)


def _rewrite_summary(out: Path, summary: dict[str, Any]) -> None:
    """Put the final timings into summary.json (written atomically: temp name, then rename)."""
    current = json.loads((Path(out) / SUMMARY_FILE).read_text(encoding="utf-8"))
    current.update(summary)
    atomic_write_text(Path(out) / SUMMARY_FILE, json.dumps(current, ensure_ascii=False, indent=2))


def build_summary(
    folder: Path, rows: dict[str, int], detected: Any, projects: list[Any], source: Path
) -> dict[str, Any]:
    """What a person (or the next task) wants to know without opening the tables.

    *folder* holds the tables just written (read back here: three small columns), *rows* their row
    counts.
    """
    return {
        "source": str(source),
        "format": detected.format,
        "reader_version": READER_VERSION,
        "configurations": [
            {
                "name": p.name,
                "role": p.role,
                "format": p.format,
                "purpose": getattr(p, "purpose", None),
                "name_prefix": getattr(p, "name_prefix", None),
            }
            for p in projects
        ],
        **_counts(folder, rows),
    }


def _counts(folder: Path, rows: dict[str, int]) -> dict[str, Any]:
    return {
        "counts": dict(rows),
        "objects_per_type": count_by(read_table(folder, "objects", ["type"]), "type"),
        "modules_per_type": count_by(read_table(folder, "modules", ["module_type"]), "module_type"),
        "problems_by_kind": count_by(read_table(folder, "problems", ["kind"]), "kind"),
    }


def merge_snapshots(parts: list[Path], out: Path) -> dict[str, Any]:
    """Merge the partial snapshots of ``parse --shard I/N`` (all N of them) into one snapshot."""
    started = time.perf_counter()
    summaries = [read_summary(part) for part in parts]
    shards = [s.get("shard") for s in summaries]
    if any(shard is None for shard in shards):
        raise ValueError(
            "merge takes the partial snapshots written with --shard I/N; a full snapshot was given"
        )
    counts = {shard["count"] for shard in shards}
    if len(counts) != 1:
        raise ValueError(f"the parts come from different shard counts: {sorted(counts)}")
    (count,) = counts
    indices = Counter(shard["index"] for shard in shards)
    if sorted(indices) != list(range(1, count + 1)) or any(n > 1 for n in indices.values()):
        raise ValueError(f"need each of the shards 1..{count} exactly once, got {sorted(indices.elements())}")
    sources = {(s["source"], s["format"]) for s in summaries}
    if len(sources) != 1:
        raise ValueError(f"the parts were read from different sources: {sorted(sources)}")
    first = summaries[0]

    def summarize(folder: Path, rows: dict[str, int]) -> dict[str, Any]:
        summary = {
            key: first[key]
            for key in ("source", "format", "reader_version", "configurations")
            if key in first
        }
        summary.update(_counts(folder, rows))
        summary.update(
            {
                "shard": None,
                "merged_from": count,
                "units": {"total": sum(s["units"]["total"] for s in summaries)},
                "timings_seconds": {"merge": round(time.perf_counter() - started, 3)},
            }
        )
        return summary

    # Table by table: only the parts of the tables being written are loaded at a time.
    return write_merged_snapshot(
        out, lambda name: TableParts([read_table(part, name) for part in parts]), summarize
    )
