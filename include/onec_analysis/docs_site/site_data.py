"""The snapshot tables, grouped by metadata object once, so a page takes its rows by slicing.

Each table is sorted by the object it belongs to and cut into ``{object_id: (start, stop)}`` spans
with vectorised pyarrow (no per-row Python); a page then converts only its own slice to rows. The
per-call tables are aggregated first (caller object x callee object x method -> number of call
sites), which turns millions of call sites of a 1C:ERP into a few hundred thousand rows.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from onec_analysis.metadata.types import object_id_of
from onec_analysis.snapshot.io import read_summary, read_table

from .urls import object_paths, type_path


def _runs(column: pa.Array) -> tuple[list[int], list[int], list[str]]:
    """Start, stop and value of every run of equal values in *column*."""
    changes = (pc.indices_nonzero(pc.not_equal(column[1:], column[:-1])).to_numpy() + 1).tolist()
    starts, stops = [0, *changes], [*changes, len(column)]
    return starts, stops, column.take(pa.array(starts)).to_pylist()


#: Findings listed one by one on an object page. Beyond that the page gives the counts per rule and
#: the first ones: a 1C:ERP document can have thousands — a table nobody reads, and on the ERP-size
#: benchmark most of the site's rendering time (objects over 200 findings held 520k of 865k).
FINDINGS_LISTED = 200


@dataclass
class Grouped:
    """A table sorted by *key*, with the row span of every key value."""

    table: pa.Table
    spans: dict[str, tuple[int, int]]

    @classmethod
    def build(cls, table: pa.Table, key: str, order: list[str] | None = None) -> Grouped:
        """Group *table* by *key*; rows within a group are in *order* only when a sort was needed,
        so readers that care about the order inside a group sort the group's few rows themselves."""
        table = table.filter(pc.is_valid(table[key])) if table.num_rows else table
        if table.num_rows == 0:
            return cls(table, {})
        starts, stops, keys = _runs(table[key].combine_chunks())
        if keys != sorted(set(keys)):
            # Not sorted by the key yet. (Snapshot tables sorted by an id that starts with the object
            # id — methods by method_id, modules by module_id — already are, since 1C names hold no
            # character below "." : no sort of ≈500k rows then.)
            table = table.sort_by([(key, "ascending")] + [(column, "ascending") for column in order or []])
            starts, stops, keys = _runs(table[key].combine_chunks())
        return cls(table, {k: (a, b) for k, a, b in zip(keys, starts, stops, strict=True)})

    #: Rows converted ahead by :meth:`preload`, and the table offset of the first one.
    _window: list[dict[str, Any]] = field(default_factory=list)
    _window_start: int = 0

    def preload(self, keys: list[str]) -> None:
        """Convert the rows of *keys* (neighbours in key order) with one ``to_pylist`` call.

        Converting per object costs ~50 µs of fixed overhead per call and table — a third of the
        page-building time — so a renderer preloads each contiguous batch of objects first.
        """
        spans = [self.spans[key] for key in keys if key in self.spans]
        if not spans:
            self._window, self._window_start = [], 0
            return
        start, stop = min(span[0] for span in spans), max(span[1] for span in spans)
        if stop - start > 2 * sum(span[1] - span[0] for span in spans) + 1024:
            self._window, self._window_start = [], 0  # the keys are not neighbours here: convert per key
            return
        self._window, self._window_start = self.table.slice(start, stop - start).to_pylist(), start

    def rows(self, key: str) -> list[dict[str, Any]]:
        span = self.spans.get(key)
        if span is None:
            return []
        start, stop = span[0] - self._window_start, span[1] - self._window_start
        if 0 <= start and stop <= len(self._window):
            return self._window[start:stop]
        return self.table.slice(span[0], span[1] - span[0]).to_pylist()

    def count(self, key: str) -> int:
        span = self.spans.get(key)
        return 0 if span is None else span[1] - span[0]


@dataclass
class SiteData:
    snapshot: Path
    summary: dict[str, Any]
    objects: list[dict[str, Any]]
    by_id: dict[str, dict[str, Any]]
    paths: dict[str, str]  # object_id -> page path
    attributes: Grouped
    modules: Grouped
    methods: Grouped
    references_out: Grouped
    references_in: Grouped
    calls_out: Grouped
    calls_in: Grouped
    queries_out: Grouped
    queries_in: Grouped
    problems: list[dict[str, Any]]
    findings: Grouped | None = None  # best_practices/findings.parquet by object, when given
    best_practices: Any = None  # the best_practices Analysis (for the honest "not given" note)
    types: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)  # subsystem -> child subsystems

    def grouped_tables(self) -> list[Grouped]:
        tables = [self.attributes, self.modules, self.methods, self.references_out, self.references_in,
                  self.calls_out, self.calls_in, self.queries_out, self.queries_in]  # fmt: skip
        return tables + ([self.findings] if self.findings is not None else [])

    def preload(self, object_ids: list[str]) -> None:
        for grouped in self.grouped_tables():
            if grouped is self.findings:  # an object with too many findings for its page is summarised
                grouped.preload([key for key in object_ids if grouped.count(key) <= FINDINGS_LISTED])
            else:
                grouped.preload(object_ids)

    def url(self, object_id: str | None) -> str | None:
        """The page of an object; for a part of one (``Catalog.X.Form.F``, ``CommonModule.M.Method``) its owner's."""
        if not object_id:
            return None
        found = self.paths.get(object_id)
        if found is None and "." in object_id:
            prefix, sep, bare = (
                object_id.rpartition(":") if ":" in object_id.split(".", 1)[0] else ("", "", object_id)
            )
            owner = object_id_of(bare)
            found = self.paths.get(f"{prefix}{sep}{owner}") if owner else None
        return found

    def type_url(self, type_: str) -> str:
        return type_path(type_)

    def resolve_type(self, type_name: str, owner_id: str) -> str | None:
        """The object a value type such as ``CatalogRef.Банки`` points at, when the snapshot has it."""
        target = object_id_of(type_name)
        if target is None:
            return None
        prefix = owner_id.split(".", 1)[0].rpartition(":")[0]
        if prefix and f"{prefix}:{target}" in self.paths:
            return f"{prefix}:{target}"
        return target if target in self.paths else None


def _owner_object(ids: pa.ChunkedArray, known: set[str]) -> pa.Array:
    """Map reference targets to objects: ``CommonModule.M.Method`` -> ``CommonModule.M``."""
    unique = pc.unique(ids).to_pylist()
    mapping = {}
    for value in unique:
        if value is None or value in known:
            mapping[value] = value
            continue
        prefix, sep, bare = value.rpartition(":") if ":" in value.split(".", 1)[0] else ("", "", value)
        owner = object_id_of(bare)
        mapping[value] = f"{prefix}{sep}{owner}" if owner else value
    keys = pa.array(list(mapping), pa.string())
    values = pa.array(list(mapping.values()), pa.string())
    return pc.take(values, pc.index_in(ids, value_set=keys))


def load_site_data(snapshot: Path) -> SiteData:
    snapshot = Path(snapshot)
    summary = read_summary(snapshot)
    objects_table = read_table(snapshot, "objects").sort_by("object_id")
    objects = objects_table.to_pylist()
    for row in objects:
        try:
            row["flags"] = json.loads(row["properties"]) if row["properties"] else {}
        except ValueError:
            row["flags"] = {}
    by_id = {row["object_id"]: row for row in objects}
    paths = object_paths((row["object_id"], row["type"]) for row in objects)
    known = set(by_id)

    modules = read_table(snapshot, "modules")
    module_owner = modules.select(["module_id", "object_id"]).rename_columns(
        ["caller_module_id", "caller_object_id"]
    )

    references = read_table(snapshot, "references", ["source_id", "target_id", "kind", "via"])
    references = references.append_column("target_object_id", _owner_object(references["target_id"], known))

    calls = read_table(
        snapshot, "calls", ["caller_module_id", "callee_object_id", "callee_method", "callee_kind"]
    )
    calls = calls.join(module_owner, "caller_module_id", join_type="left outer")
    calls = calls.group_by(
        ["caller_object_id", "callee_object_id", "callee_method", "callee_kind"]
    ).aggregate([("caller_module_id", "count")])
    calls = calls.rename_columns(
        ["caller_object_id", "callee_object_id", "callee_method", "callee_kind", "sites"]
    )
    outside = pc.not_equal(calls["caller_object_id"], calls["callee_object_id"])
    calls_between = calls.filter(pc.fill_null(outside, True))

    queries = read_table(snapshot, "query_tables", ["module_id", "object_id", "table_name"])
    queries = queries.rename_columns(["caller_module_id", "target_object_id", "table_name"]).join(
        module_owner, "caller_module_id", join_type="left outer"
    )
    queries = queries.group_by(["caller_object_id", "target_object_id", "table_name"]).aggregate(
        [("caller_module_id", "count")]
    )
    queries = queries.rename_columns(["caller_object_id", "target_object_id", "table_name", "sites"])

    method_columns = [
        "method_id", "module_id", "object_id", "name", "kind", "is_async", "export", "directives", "annotations",
        "params", "region", "preprocessor", "doc_comment", "start_line", "end_line", "ncloc", "cyclomatic",
        "cognitive",
    ]  # fmt: skip
    data = SiteData(
        snapshot=snapshot,
        summary=summary,
        objects=objects,
        by_id=by_id,
        paths=paths,
        attributes=Grouped.build(
            read_table(snapshot, "attributes"), "object_id", ["kind", "tabular_section"]
        ),
        modules=Grouped.build(modules, "object_id", ["module_id"]),
        methods=Grouped.build(
            read_table(snapshot, "methods", method_columns), "object_id", ["module_id", "start_line"]
        ),
        references_out=Grouped.build(references, "source_id", ["kind", "target_id"]),
        references_in=Grouped.build(references, "target_object_id", ["kind", "source_id"]),
        calls_out=Grouped.build(calls_between, "caller_object_id", ["callee_object_id", "callee_method"]),
        calls_in=Grouped.build(calls_between, "callee_object_id", ["caller_object_id", "callee_method"]),
        queries_out=Grouped.build(queries, "caller_object_id", ["target_object_id", "table_name"]),
        queries_in=Grouped.build(queries, "target_object_id", ["caller_object_id", "table_name"]),
        problems=read_table(snapshot, "problems").to_pylist(),
    )
    for row in objects:
        data.types.setdefault(row["type"] or "Other", []).append(row)
        if row["type"] == "Subsystem" and row["parent_id"]:
            data.children.setdefault(row["parent_id"], []).append(row["object_id"])
    return data
