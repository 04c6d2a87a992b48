"""Run the rules over every module of a snapshot, on all cores, into one findings table.

Modules are independent, so they are checked in a process pool. The pool is forked after the snapshot's
small tables are read: workers see the Arrow buffers of the parent (copy-on-write, nothing is pickled but
module indices and the findings that come back). Module texts, the one big table, are never loaded
whole: a batch is the modules of one row group of ``module_texts``, which the worker reads itself, so
memory holds about one row group per worker. Each module is read into a :class:`ModuleSource` once
and every rule shares its derived views.

A rule that raises on one module loses only its findings for that module: the error is recorded in
``rule_errors`` (rule, module, message) and the other rules and modules go on.

With a cache folder, each batch's results are stored under a key made of everything they depend on
(the modules' text digests and owners' metadata, the common modules' flags, the rules and their
settings, the reader and engine versions) and reused when the key comes again. That makes a nightly
re-check of a mostly unchanged configuration cheap, and lets the two analyses that need the findings
(best practices and the ML dataset), run side by side on one cache, share the work: one walks the
batches from the largest, the other from the smallest, each picking up what the other has stored.
"""

from __future__ import annotations

import hashlib
import json
import logging
import multiprocessing
import os
import time
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis import pickle_cache
from onec_analysis.rules.config import load_config, rule_params
from onec_analysis.rules.registry import Rule, all_rules
from onec_analysis.rules.source import Method, ModuleSource
from onec_analysis.rules.suppressions import find_suppressions, has_marks
from onec_analysis.snapshot.io import open_table, read_summary, read_table, release_memory
from onec_analysis.snapshot.schema import TABLES
from onec_analysis.worker_pool import fork_pool

log = logging.getLogger(__name__)

FINDINGS_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("severity", pa.string()),
        ("type", pa.string()),
        ("module_id", pa.string()),
        ("method_id", pa.string()),  # null for findings in the module body or about the whole module
        ("object_id", pa.string()),
        ("path", pa.string()),  # module file, relative to the source root
        ("line", pa.int32()),  # 1-based
        ("column", pa.int32()),  # 1-based, in characters
        ("end_line", pa.int32()),
        ("message", pa.string()),
    ]
)
_METHOD_COLUMNS = [
    "method_id", "module_id", "name", "kind", "is_async", "export", "directives", "params", "region",
    "doc_comment", "start_line", "end_line", "ncloc", "cyclomatic", "cognitive",
]  # fmt: skip


@dataclass
class CheckResult:
    findings: pa.Table
    modules_checked: int = 0
    modules_protected: int = 0
    modules_empty: int = 0  # no code at all (blank text): nothing to check
    batches: int = 0
    batches_from_cache: int = 0
    rule_errors: list[dict[str, str]] = field(default_factory=list)
    rules: list[str] = field(default_factory=list)
    seconds: float = 0.0


#: What :class:`_Columns` keeps per finding; the rule's severity and type, and the module's id, object
#: and path, are kept once per rule and once per module.
_PER_FINDING = ("module", "rule", "method_id", "line", "column", "end_line", "message")


@dataclass
class _Columns:
    """Findings as column lists (cheaper to build and to send back than one dict per row), each
    finding's module an index into ``modules`` (module_id, object_id, path) and its rule a key of
    ``rules`` (severity, type): for 1C:ERP, 865k findings in 28k modules of 40 rules."""

    data: dict[str, list] = field(default_factory=lambda: {name: [] for name in _PER_FINDING})
    modules: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    rules: dict[str, tuple[str, str]] = field(default_factory=dict)

    def table(self) -> pa.Table:
        """The findings as rows of ``FINDINGS_SCHEMA``, in the order they were added."""
        data = self.data
        modules = [self.modules[index] for index in data["module"]]
        rules = [self.rules[key] for key in data["rule"]]
        return pa.Table.from_pydict(
            {
                "rule": data["rule"],
                "severity": [severity for severity, _ in rules],
                "type": [type_ for _, type_ in rules],
                "module_id": [module[0] for module in modules],
                "method_id": data["method_id"],
                "object_id": [module[1] for module in modules],
                "path": [module[2] for module in modules],
                "line": data["line"],
                "column": data["column"],
                "end_line": data["end_line"],
                "message": data["message"],
            },
            schema=FINDINGS_SCHEMA,
        )


class _Gathered:
    """The findings of every batch, in Arrow as they come back (no Python string per finding is kept)
    and made into one sorted ``FINDINGS_SCHEMA`` table at the end: the module's id, object and path
    are taken from the snapshot's modules then, and the sort is over integers. For 1C:ERP the findings
    as Python lists, then as a table, then sorted, were 1.1 GB at once in both analyses that run the
    rules, at the same moment (they finish together)."""

    def __init__(self, module_ids: list[str], object_ids: list[str | None], paths: list[str | None]):
        self._modules = pa.table({"module_id": module_ids, "object_id": object_ids, "path": paths})
        self._module_index = {module_id: index for index, module_id in enumerate(module_ids)}
        self._rules: dict[str, int] = {}
        self._rule_rows: list[tuple[str, str, str]] = []
        self._pieces: list[pa.Table] = []

    def add(self, columns: _Columns) -> None:
        data = columns.data
        if not data["rule"]:
            return
        for key, (severity, type_) in columns.rules.items():
            if key not in self._rules:
                self._rules[key] = len(self._rule_rows)
                self._rule_rows.append((key, severity, type_))
        where = np.array([self._module_index[module[0]] for module in columns.modules], dtype=np.int32)
        self._pieces.append(
            pa.table(
                {
                    "module": where[np.asarray(data["module"], dtype=np.intp)],
                    "rule": np.array([self._rules[key] for key in data["rule"]], dtype=np.int32),
                    "method_id": pa.array(data["method_id"], pa.string()),
                    "line": np.asarray(data["line"], dtype=np.int32),
                    "column": np.asarray(data["column"], dtype=np.int32),
                    "end_line": np.asarray(data["end_line"], dtype=np.int32),
                    "message": pa.array(data["message"], pa.string()),
                }
            )
        )

    def table(self) -> pa.Table:
        """Every finding, sorted by module id, line, column and rule key."""
        if not self._pieces:
            return FINDINGS_SCHEMA.empty_table()
        found = pa.concat_tables(self._pieces)
        self._pieces = []
        module = found["module"].to_numpy()
        rule = found["rule"].to_numpy()
        line, column = found["line"].to_numpy(), found["column"].to_numpy()
        module_rank = _ranks(self._modules["module_id"])
        rule_keys = pa.array([key for key, _, _ in self._rule_rows], pa.string())
        rule_rank = _ranks(rule_keys)
        order = np.lexsort((rule_rank[rule], column, line, module_rank[module]))
        at, rule = pa.array(module[order]), pa.array(rule[order])
        severities = pa.array([severity for _, severity, _ in self._rule_rows], pa.string())
        types = pa.array([type_ for _, _, type_ in self._rule_rows], pa.string())
        indices = pa.array(order)
        return pa.table(
            {
                "rule": rule_keys.take(rule),
                "severity": severities.take(rule),
                "type": types.take(rule),
                "module_id": self._modules["module_id"].take(at),
                "method_id": found["method_id"].take(indices),
                "object_id": self._modules["object_id"].take(at),
                "path": self._modules["path"].take(at),
                "line": pa.array(line[order]),
                "column": pa.array(column[order]),
                "end_line": found["end_line"].take(indices),
                "message": found["message"].take(indices),
            },
            schema=FINDINGS_SCHEMA,
        )


def _ranks(values: pa.Array | pa.ChunkedArray) -> np.ndarray:
    """Each value's position in the ascending order of *values* (nulls first)."""
    order = pc.sort_indices(pa.table({"v": values}), sort_keys=[("v", "ascending", "at_start")]).to_numpy()
    ranks = np.empty(len(order), dtype=np.int64)
    ranks[order] = np.arange(len(order))
    return ranks


class _Checker:
    """The enabled rules with their parameters, applied to one module at a time."""

    def __init__(self, settings: dict[str, dict[str, Any]], only: Iterable[str] | None = None):
        registry = all_rules()
        keys = [key for key in registry if settings.get(key, {}).get("enabled", False)]
        if only is not None:
            wanted = set(only)
            unknown = wanted - set(registry)
            if unknown:
                raise ValueError(f"unknown rules: {', '.join(sorted(unknown))}")
            keys = [key for key in keys if key in wanted]
        self.rules: list[tuple[Rule, dict[str, Any]]] = [
            (registry[k](), rule_params(settings, k)) for k in keys
        ]

    def check(
        self, module: ModuleSource, protected: bool, out: _Columns, errors: list[dict[str, str]]
    ) -> None:
        raw: list[tuple[Rule, Any]] = []
        if protected:
            scopes = ("metadata", "protected")
        elif module.is_blank:
            scopes = ("metadata",)
        else:
            scopes = ("code", "metadata")
        for rule, params in self.rules:
            if rule.scope not in scopes:
                continue
            try:
                if not rule.applies(module):
                    continue
                raw.extend((rule, finding) for finding in rule.check(module, params))
            except Exception as exc:  # one broken rule must not lose the other rules' findings
                errors.append(
                    {
                        "rule": rule.key,
                        "module_id": module.module_id,
                        "message": f"{type(exc).__name__}: {exc}",
                    }
                )
        if not raw:
            return
        suppressed = None
        if module.text and has_marks(module.lower):  # lines and their offsets only for modules with marks
            suppressed = find_suppressions(
                module.text, module.lower, lines=module.lines, starts=module.text_line_starts
            )
        data = out.data
        at = len(out.modules)
        out.modules.append((module.module_id, module.object_id, module.path))
        for rule, finding in raw:
            if suppressed and suppressed.silences(rule.key, rule.apk, finding.line, rule.edt):
                continue
            method = module.method_at(finding.line) if module.methods else None
            if rule.key not in out.rules:
                out.rules[rule.key] = (rule.severity, rule.type)
            data["module"].append(at)
            data["rule"].append(rule.key)
            data["method_id"].append(method.method_id if method else None)
            data["line"].append(finding.line)
            data["column"].append(finding.column)
            data["end_line"].append(finding.end_line if finding.end_line is not None else finding.line)
            data["message"].append(finding.message)


def check_module(
    module: ModuleSource,
    settings: dict[str, dict[str, Any]] | None = None,
    *,
    only: Iterable[str] | None = None,
    protected: bool = False,
) -> tuple[pa.Table, list[dict[str, str]]]:
    """Findings of the enabled rules (or of the rules in *only*) on one module, and any rule errors."""
    checker = _Checker(settings if settings is not None else load_config(), only)
    out, errors = _Columns(), []
    checker.check(module, protected, out, errors)
    return out.table(), errors


# --- the snapshot ----------------------------------------------------------------------------


class _Snapshot:
    """The tables the rules read, loaded once in the parent (workers inherit them when forked)."""

    def __init__(self, folder: Path):
        self.reader_version = read_summary(folder).get("reader_version")
        modules = read_table(
            folder,
            "modules",
            ["module_id", "object_id", "module_type", "path", "protected", "size_bytes", "sha256"],
        )
        objects = read_table(folder, "objects", ["object_id", "type", "name", "properties"])
        handlers = read_table(folder, "form_handlers", ["module_id", "method_name"])

        self.modules = modules.to_pydict()
        ids = self.modules["module_id"]
        # Where each module's text is: (row group, row within it) of module_texts; None without text.
        self.texts_path = Path(folder) / "module_texts.parquet"
        self.text_at = _text_positions(folder, ids)
        self._last_group: tuple[int, list[str | None]] | None = None
        # Compacted one row group at a time (the doc comments and parameter structs of the whole table
        # are never in memory at once), and never sorted: ``method_rows`` holds the rows in order of
        # module and start line (a sorted copy was another 300 MB for 1C:ERP). module_id is read only
        # for that order and the slices.
        compact = _read_compact_methods(folder)
        module_ids = compact["module_id"]
        self.method_rows = pc.sort_indices(
            compact.select(["module_id", "start_line"]),
            sort_keys=[("module_id", "ascending"), ("start_line", "ascending")],
        ).to_numpy()
        self.methods = compact.drop_columns(["module_id"])
        del compact
        self.method_slices: dict[str, tuple[int, int]] = {}
        counts = pc.value_counts(module_ids).to_pylist() if len(module_ids) else []
        del module_ids
        offset = 0
        for item in sorted(counts, key=lambda c: c["values"] or ""):
            self.method_slices[item["values"]] = (offset, item["counts"])
            offset += item["counts"]
        self.properties: dict[str, dict[str, Any]] = {}
        self.common_modules: dict[str, dict[str, Any]] = {}
        for object_id, type_, name, props in zip(*objects.to_pydict().values(), strict=True):
            parsed = _json_object(props)
            self.properties[object_id] = parsed
            if type_ == "CommonModule":
                self.common_modules[(name or "").lower()] = parsed
        self.form_handlers: dict[str, set[str]] = {}
        for module_id, method_name in zip(*handlers.to_pydict().values(), strict=True):
            if module_id and method_name:
                self.form_handlers.setdefault(module_id, set()).add(method_name.lower())
        self.sizes = [size or 0 for size in self.modules["size_bytes"]]

    def batches(self, target_bytes: int) -> list[tuple[int | None, list[int]]]:
        """``(row group, module indices)`` to check together: the modules of one row group of
        module_texts (split when the group is bigger than *target_bytes*), the biggest groups first
        and the batches of one group in a row (a worker reads a group once for all of its batches it
        takes in a row), and at the end the modules without a text row (group None)."""
        groups: dict[int | None, list[int]] = {}
        for index, at in enumerate(self.text_at):
            groups.setdefault(at[0] if at else None, []).append(index)
        batches: list[tuple[int | None, list[int]]] = []
        for group, indices in groups.items():
            current: list[int] = []
            size = 0
            for index in indices:
                current.append(index)
                size += self.sizes[index]
                if size >= target_bytes or len(current) >= 400:
                    batches.append((group, current))
                    current, size = [], 0
            if current:
                batches.append((group, current))
        weight = [sum(self.sizes[i] for i in indices) for _, indices in batches]
        group_weight: Counter = Counter()
        for (group, _), size in zip(batches, weight, strict=True):
            group_weight[group] += size
        order = sorted(
            range(len(batches)),
            key=lambda n: (
                batches[n][0] is None,
                -group_weight[batches[n][0]],
                batches[n][0] if batches[n][0] is not None else -1,
                -weight[n],
            ),
        )
        return [batches[n] for n in order]

    def read_texts(self, group: int | None) -> list[str | None]:
        """The texts of one row group of module_texts, by row (the last group read is kept: a group
        split into several batches is often checked by one worker in a row)."""
        if group is None:
            return []
        if self._last_group is None or self._last_group[0] != group:
            column = pq.ParquetFile(self.texts_path).read_row_group(group, columns=["text"])["text"]
            self._last_group = (group, column.to_pylist())
        return self._last_group[1]

    def methods_of(self, indices: list[int]) -> dict[int, list[Method]]:
        """The methods of the modules at *indices*, by index: their rows are turned into Python objects
        in one go (per module, the fixed cost of converting 15 short columns outweighed the rows)."""
        spans = [
            (index, self.method_slices[module_id])
            for index in indices
            if (module_id := self.modules["module_id"][index]) in self.method_slices
        ]
        if not spans:
            return {}
        rows = self.method_rows[
            np.concatenate([np.arange(offset, offset + count) for _, (offset, count) in spans])
        ]
        part = self.methods.take(rows).to_pydict()
        methods = [
            Method(
                method_id=method_id,
                name=name or "",
                kind=kind or "Procedure",
                export=bool(export),
                directives=tuple(directives.split(",")) if directives else (),
                param_names=tuple(param_names or ()),
                optional_params=optional_params or 0,
                region=region,
                has_description=bool(has_description),
                start_line=start_line or 1,
                end_line=end_line or start_line or 1,
                ncloc=ncloc or 0,
                cyclomatic=cyclomatic or 0,
                cognitive=cognitive or 0,
                is_async=bool(is_async),
            )
            for (
                method_id, name, kind, export, directives, param_names, optional_params, region,
                has_description, start_line, end_line, ncloc, cyclomatic, cognitive, is_async,
            ) in zip(*(part[column] for column in _COMPACT_COLUMNS), strict=True)
        ]  # fmt: skip
        found: dict[int, list[Method]] = {}
        at = 0
        for index, (_, count) in spans:
            found[index] = methods[at : at + count]
            at += count
        return found

    def module(
        self, index: int, texts: list[str | None], methods: dict[int, list[Method]] | None = None
    ) -> tuple[ModuleSource, bool]:
        """The module at *index* (its text in *texts*, its row group's; its methods in *methods*, from
        :meth:`methods_of`, or read here) and whether it is protected (shipped without source)."""
        module_id = self.modules["module_id"][index]
        at = self.text_at[index]
        text = (texts[at[1]] or "") if at is not None else ""
        if methods is None:
            methods = self.methods_of([index])
        object_id = self.modules["object_id"][index]
        source = ModuleSource(
            module_id=module_id,
            object_id=object_id,
            module_type=self.modules["module_type"][index],
            path=self.modules["path"][index],
            text=text,
            methods=methods.get(index, []),
            object_properties=self.properties.get(object_id or "", {}),
            common_modules=self.common_modules,
            form_handlers=frozenset(self.form_handlers.get(module_id, ())),
        )
        return source, bool(self.modules["protected"][index])


_COMPACT_COLUMNS = (
    "method_id", "name", "kind", "export", "directives", "param_names", "optional_params", "region",
    "has_description", "start_line", "end_line", "ncloc", "cyclomatic", "cognitive", "is_async",
)  # fmt: skip


def _read_compact_methods(folder: Path) -> pa.Table:
    """The snapshot's methods as :func:`_compact_methods` makes them, read and compacted by row group
    (for 1C:ERP the full columns were a gigabyte at once, in both analyses that run the rules)."""
    source = open_table(folder, "methods")
    if source.num_row_groups == 0:
        return _compact_methods(read_table(folder, "methods", _METHOD_COLUMNS))
    return pa.concat_tables(
        _compact_methods(source.read_row_group(group, columns=_METHOD_COLUMNS))
        for group in range(source.num_row_groups)
    )


def _compact_methods(methods: pa.Table) -> pa.Table:
    """The methods table reduced, in Arrow, to what the rules read (no doc texts, no parameter structs).

    Turning every parameter struct and doc comment into Python objects would cost more than all the
    rules together on a large configuration; counts and flags computed here column-wise do not.
    """
    count = methods.num_rows
    params = (
        methods["params"].combine_chunks() if count else pa.array([], TABLES["methods"].field("params").type)
    )
    flat = pc.list_flatten(params)
    param_names = pa.ListArray.from_arrays(params.offsets, flat.field("name"), mask=params.is_null())
    has_default = np.asarray(pc.is_valid(flat.field("default")).to_numpy(zero_copy_only=False), dtype=bool)
    parents = np.asarray(pc.list_parent_indices(params).to_numpy(zero_copy_only=False))
    optional = np.bincount(parents[has_default], minlength=count).astype(np.int32)
    doc = methods["doc_comment"]
    has_description = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(doc)), 0), False)
    directives = pc.binary_join(methods["directives"], ",")
    return pa.table(
        {
            "method_id": methods["method_id"],
            "module_id": methods["module_id"],
            "name": methods["name"],
            "kind": pc.dictionary_encode(methods["kind"]),
            "export": methods["export"],
            "directives": pc.dictionary_encode(directives),
            "param_names": param_names,
            "optional_params": pa.array(optional[:count], pa.int32()),
            "region": pc.dictionary_encode(methods["region"]),
            "has_description": has_description,
            "start_line": methods["start_line"],
            "end_line": methods["end_line"],
            "ncloc": methods["ncloc"],
            "cyclomatic": methods["cyclomatic"],
            "cognitive": methods["cognitive"],
            "is_async": methods["is_async"],
        }
    )


def _text_positions(folder: Path, module_ids: list[str]) -> list[tuple[int, int] | None]:
    """``(row group, row)`` of each module's text in module_texts.parquet, None for a module without one."""
    source = open_table(folder, "module_texts")
    where: dict[str, tuple[int, int]] = {}
    for group in range(source.num_row_groups):
        ids = source.read_row_group(group, columns=["module_id"])["module_id"].to_pylist()
        for row, module_id in enumerate(ids):
            where[module_id] = (group, row)
    return [where.get(module_id) for module_id in module_ids]


def _json_object(text: str | None) -> dict[str, Any]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


#: Bump when the same rules on the same modules could give other findings (cached batches then miss).
ENGINE_VERSION = "3"
#: The ``--rules-cache`` option's help, for the commands that run the rules.
RULES_CACHE_HELP = (
    "folder where the rules' results for unchanged modules are kept and reused "
    "(best-practices and dataset may share one, also while running side by side)"
)

_worker_state: tuple[_Snapshot, _Checker, Path | None] | None = None

_BatchResult = tuple[_Columns, list[dict[str, str]], Counter]


def _check_batch(batch: tuple[int | None, list[int], str | None]) -> tuple[_BatchResult, bool]:
    """The findings of one batch, and whether they came from the cache."""
    assert _worker_state is not None
    snapshot, checker, cache_dir = _worker_state
    group, indices, key = batch
    if cache_dir is not None and key is not None:
        cached = pickle_cache.load(cache_dir, key)
        if cached is not None:
            return cached, True
    texts = snapshot.read_texts(group)
    methods = snapshot.methods_of(indices)
    out, errors = _Columns(), []
    tally: Counter = Counter()
    for index in indices:
        module, protected = snapshot.module(index, texts, methods)
        checker.check(module, protected, out, errors)
        tally["protected" if protected else "empty" if module.is_blank else "checked"] += 1
    if cache_dir is not None and key is not None:
        try:
            pickle_cache.store(cache_dir, key, (out, errors, tally))
        except OSError as exc:  # a full or read-only cache costs speed, never findings
            log.warning("rule cache %s: cannot store a batch: %s", cache_dir, exc)
    return (out, errors, tally), False


def _digest(*parts: Any) -> str:
    return hashlib.blake2b(
        json.dumps(parts, ensure_ascii=False, sort_keys=True, default=sorted).encode(), digest_size=16
    ).hexdigest()


def _batch_keys(data: _Snapshot, checker: _Checker, batches: list[tuple[int | None, list[int]]]) -> list[str]:
    """One cache key per batch: everything its findings depend on, and nothing else."""
    common = _digest(
        ENGINE_VERSION,
        data.reader_version,
        [(rule.key, params) for rule, params in checker.rules],
        data.common_modules,
    )
    modules = data.modules
    keys = []
    for _, indices in batches:
        keys.append(
            _digest(
                common,
                [
                    (
                        modules["module_id"][i],
                        modules["sha256"][i],
                        modules["module_type"][i],
                        modules["path"][i],
                        bool(modules["protected"][i]),
                        data.properties.get(modules["object_id"][i] or "", {}),
                        data.form_handlers.get(modules["module_id"][i], set()),
                    )
                    for i in indices
                ],
            )
        )
    return keys


def run_checks(
    snapshot: Path,
    config: Path | None = None,
    *,
    workers: int | None = None,
    only: Iterable[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
    cache_dir: Path | None = None,
    smallest_first: bool = False,
) -> CheckResult:
    """Check every module of *snapshot*; see :func:`check_snapshot` for the table alone.

    *cache_dir*: reuse and store each batch's results there (see the module doc); *smallest_first*
    walks the batches from the small end (the dataset does, so that beside the best-practice
    analysis on the same cache each computes about half).
    """
    global _worker_state
    started = time.perf_counter()
    settings = load_config(config)
    checker = _Checker(settings, only)
    data = _Snapshot(Path(snapshot))
    release_memory()  # what building it freed, before the workers are forked with a copy of it
    workers = max(1, workers or os.cpu_count() or 1)
    total = len(data.sizes)
    # Not sized by the worker count: two analyses with different counts still share cached batches.
    groups = data.batches(target_bytes=max(256 * 1024, sum(data.sizes) // 32 + 1))
    if smallest_first:
        groups.reverse()
    cache = Path(cache_dir) if cache_dir is not None else None
    keys = _batch_keys(data, checker, groups) if cache is not None else [None] * len(groups)
    batches = [(group, indices, key) for (group, indices), key in zip(groups, keys, strict=True)]
    gathered = _Gathered(data.modules["module_id"], data.modules["object_id"], data.modules["path"])
    errors: list[dict[str, str]] = []
    tally: Counter = Counter()
    cached = 0
    _worker_state = (data, checker, cache)
    try:
        with ExitStack() as stack:
            if workers == 1 or len(batches) <= 1 or "fork" not in multiprocessing.get_all_start_methods():
                results: Iterable = map(_check_batch, batches)
            else:
                results = stack.enter_context(fork_pool(workers)).imap_unordered(_check_batch, batches)
            for (columns, batch_errors, batch_tally), from_cache in results:
                cached += from_cache
                gathered.add(columns)
                errors.extend(batch_errors)
                tally.update(batch_tally)
                if progress:
                    progress(sum(tally.values()), total)
    finally:
        _worker_state = None
    table = gathered.table()
    del gathered
    errors.sort(key=lambda e: (e["module_id"], e["rule"]))
    return CheckResult(
        findings=table,
        modules_checked=tally["checked"],
        modules_protected=tally["protected"],
        modules_empty=tally["empty"],
        batches=len(batches),
        batches_from_cache=cached,
        rule_errors=errors,
        rules=[rule.key for rule, _ in checker.rules],
        seconds=time.perf_counter() - started,
    )


def check_snapshot(
    snapshot: Path,
    config: Path | None = None,
    *,
    workers: int | None = None,
    cache_dir: Path | None = None,
    smallest_first: bool = False,
) -> pa.Table:
    """One row per finding of the enabled rules over every module of *snapshot*.

    Columns: rule, severity, type, module_id, method_id (null at module level), object_id, path, line,
    column, end_line, message — sorted by module, line, column, rule. *config* is a TOML file that
    overrides ``defaults.toml``; a bad key or value raises :class:`ConfigError` naming the file and key.
    """
    return run_checks(
        snapshot, config, workers=workers, cache_dir=cache_dir, smallest_first=smallest_first
    ).findings


def counts_per_rule(findings: pa.Table, rules: Iterable[str] | None = None) -> dict[str, int]:
    """Findings per rule key (every rule in *rules* present, with 0 when it found nothing)."""
    counts = Counter(findings["rule"].to_pylist()) if findings.num_rows else Counter()
    keys = sorted(set(rules or ()) | set(counts))
    return {key: counts.get(key, 0) for key in keys}
