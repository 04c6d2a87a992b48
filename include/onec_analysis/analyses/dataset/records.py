"""One dataset record per method: the method's facts from the snapshot, its code text and calls out.

The records are built one batch of modules at a time, in ``module_texts`` order: the batch's methods
and calls are read from the snapshot (only the row groups that hold them), one small DuckDB query
adds the derived columns (owner's types, calls out, findings), and the code text is sliced from the
batch's module texts — every method of a module takes its ``start_line..end_line`` range. So memory
holds one batch of facts and module text at a time, not the whole configuration's.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis.analyses import duckdb_views
from onec_analysis.snapshot.io import SnapshotError, read_table
from onec_analysis.snapshot.schema import TABLES

from .lookup import FileLookup, TableLookup, write_sorted
from .split import splits_of

_PARAMS = TABLES["methods"].field("params").type  # list<struct<name, by_value, default>>

# (name, type, meaning): the dataset's columns; the meaning goes into the Parquet field metadata and the card.
FIELDS: list[tuple[str, pa.DataType, str]] = [
    (
        "method_id",
        pa.string(),
        "stable id: `<module_id>.<MethodName>` (`#<line>` added for a name declared twice)",
    ),
    ("split", pa.string(), "train, validation or test, from a hash of method_id"),
    ("configuration", pa.string(), "configuration or extension the method belongs to"),
    ("object_id", pa.string(), "owner metadata object, e.g. Catalog.Банки, CommonModule.ОбщегоНазначения"),
    (
        "object_type",
        pa.string(),
        "owner's type: Catalog, Document, CommonModule … (Configuration for app modules)",
    ),
    (
        "module_id",
        pa.string(),
        "module, e.g. Catalog.Банки.ObjectModule, Catalog.Банки.Form.ФормаЭлемента.Module",
    ),
    ("module_type", pa.string(), "ObjectModule, ManagerModule, FormModule, CommonModule, CommandModule …"),
    ("name", pa.string(), "method name as declared"),
    ("kind", pa.string(), "Procedure or Function"),
    ("is_async", pa.bool_(), "declared Асинх / Async"),
    ("export", pa.bool_(), "declared Экспорт / Export"),
    ("directives", pa.list_(pa.string()), "compilation directives: AtClient, AtServer, AtServerNoContext …"),
    ("annotations", pa.list_(pa.string()), 'extension annotations as written: Перед("X"), After("Y") …'),
    ("params", _PARAMS, "parameters: name, by_value (Знач), default (source text or null)"),
    ("region", pa.string(), "enclosing #Region path Outer/Inner, null outside regions"),
    ("preprocessor", pa.string(), "enclosing #If conditions, null when none"),
    ("doc_comment", pa.string(), "the // comment block above the method, without the slashes"),
    ("start_line", pa.int32(), "line of the Procedure/Function keyword (1-based)"),
    ("end_line", pa.int32(), "line of EndProcedure/EndFunction (inclusive)"),
    (
        "code",
        pa.large_string(),
        "source text of lines start_line..end_line, LF line ends; null without source",
    ),
    ("ncloc", pa.int32(), "non-comment, non-blank lines"),
    ("cyclomatic", pa.int32(), "cyclomatic complexity"),
    ("cognitive", pa.int32(), "cognitive complexity"),
    (
        "calls_out",
        pa.list_(pa.string()),
        "calls made, as `<object_id>.<Method>` (common module, manager or own), in line order",
    ),
    ("calls_out_count", pa.int32(), "number of calls made (length of calls_out)"),
]
FINDING = pa.struct(
    [("rule", pa.string()), ("severity", pa.string()), ("type", pa.string()), ("line", pa.int32()),
     ("column", pa.int32()), ("end_line", pa.int32()), ("message", pa.string())]
)  # fmt: skip
FINDINGS_FIELDS: list[tuple[str, pa.DataType, str]] = [
    (
        "findings",
        pa.list_(FINDING),
        "best-practice findings inside the method: rule, severity, type, line, column, end_line, message",
    ),
    ("findings_count", pa.int32(), "number of findings (length of findings)"),
]
#: the columns of the rule engine's findings table that the records take
FINDINGS_COLUMNS = ["method_id", *FINDING.names]


def dataset_schema(with_findings: bool) -> pa.Schema:
    """The records' schema; the findings columns only when the rules were run."""
    fields = FIELDS + (FINDINGS_FIELDS if with_findings else [])
    return pa.schema([pa.field(name, type_, metadata={"doc": doc}) for name, type_, doc in fields])


_METHOD_COLUMNS = [
    "method_id", "module_id", "object_id", "configuration", "name", "kind", "is_async", "export", "directives",
    "annotations", "params", "region", "preprocessor", "doc_comment", "start_line", "end_line", "ncloc",
    "cyclomatic", "cognitive",
]  # fmt: skip
_CALL_COLUMNS = ["caller_method_id", "callee_object_id", "callee_method", "line"]
_TEXT_BATCH_MODULES = 256  # modules per batch of records (a row group of each split's file)
_TEXT_READ_MODULES = 32  # modules whose texts are read at a time: a batch's text is never whole
# the derived columns of a batch of methods (table ``methods``, row = position), from the batch's
# calls and findings; the tables ``modules`` and ``objects`` are whole (small)
_DERIVED = """
    WITH calls_out AS (
        -- collect (line, callee) pairs and sort each list: an ORDER BY inside list() buffers
        -- every input row and took twice the memory at 1.2M calls
        SELECT method_id, list_transform(list_sort(pairs), lambda p: p.callee) AS calls_out
        FROM (SELECT caller_method_id AS method_id,
                     list(struct_pack(line := line, callee := concat_ws('.', callee_object_id, callee_method)))
                       AS pairs
              FROM calls WHERE caller_method_id IS NOT NULL GROUP BY caller_method_id))
    SELECT me.row,
           -- the Configuration owns application/session modules and may have no object row
           coalesce(o.type, split_part(regexp_replace(me.object_id, '^[^:]*:', ''), '.', 1)) AS object_type,
           mo.module_type,
           coalesce(c.calls_out, []) AS calls_out,
           len(coalesce(c.calls_out, []))::INTEGER AS calls_out_count{findings_columns}
    FROM methods me
    LEFT JOIN modules mo ON mo.module_id = me.module_id
    LEFT JOIN objects o ON o.object_id = me.object_id
    LEFT JOIN calls_out c ON c.method_id = me.method_id{findings_join}
    ORDER BY row
"""
_FINDINGS_COLUMNS = """,
           coalesce(f.findings, []) AS findings, len(coalesce(f.findings, []))::INTEGER AS findings_count"""
_FINDINGS_JOIN = """
    LEFT JOIN (
        SELECT method_id,
               list(struct_pack(rule, severity, type, line, "column", end_line, message)
                    ORDER BY line, "column", rule, message) AS findings
        FROM findings WHERE method_id IS NOT NULL GROUP BY method_id) f ON f.method_id = me.method_id"""


class MethodFacts:
    """The facts of the methods of a few modules at a time: their own columns, their owner's types,
    calls out and, given *findings* (the rule engine's table, or a file of it written by
    ``write_findings``), their findings; without code.

    A batch's methods and calls are read from the snapshot files, only the row groups that can hold
    them (``FileLookup``), and its findings looked up in the findings table; the methods' own
    columns stay the file's Arrow columns, and one small DuckDB query over the batch computes the
    derived ones. So memory holds one batch of facts, not the whole configuration's.
    """

    def __init__(self, snapshot: Path, findings: pa.Table | Path | None = None) -> None:
        self.snapshot = snapshot
        path = duckdb_views.table_path(snapshot, "methods", _METHOD_COLUMNS)
        self.methods = FileLookup(path, "module_id", _METHOD_COLUMNS)
        path = duckdb_views.table_path(snapshot, "calls", _CALL_COLUMNS)
        self.calls = FileLookup(path, "caller_method_id", _CALL_COLUMNS)
        self.findings: FileLookup | TableLookup | None = None
        if isinstance(findings, pa.Table):
            self.findings = TableLookup(findings.select(FINDINGS_COLUMNS), "method_id")
        elif findings is not None:
            self.findings = FileLookup(findings, "method_id", FINDINGS_COLUMNS)
        self.query = _DERIVED.format(
            findings_columns=_FINDINGS_COLUMNS if findings is not None else "",
            findings_join=_FINDINGS_JOIN if findings is not None else "",
        )
        self.con = duckdb_views.connect()
        self.con.register("modules", read_table(snapshot, "modules", ["module_id", "module_type"]))
        self.con.register("objects", read_table(snapshot, "objects", ["object_id", "type"]))

    def __enter__(self) -> MethodFacts:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.con.close()

    def of_modules(self, module_ids: pa.Array) -> pa.Table:
        """Every method of the modules *module_ids*, in file order (by id in a snapshot)."""
        return self.of(self.methods.rows(module_ids))

    def outside(self, module_ids: pa.Array) -> Iterator[pa.Table]:
        """The methods whose module is not one of *module_ids*, in file order, a row group at a time."""
        file = self.methods.file
        for group in range(file.num_row_groups):
            modules = file.read_row_group(group, columns=["module_id"])["module_id"]
            outside = pc.invert(pc.is_in(modules, value_set=module_ids))
            if pc.any(outside).as_py():
                methods = file.read_row_group(group, columns=_METHOD_COLUMNS)
                yield self.of(methods.filter(outside))

    def of(self, methods: pa.Table) -> pa.Table:
        """*methods* (the snapshot's columns) with the derived columns and the split, in the same order."""
        method_ids = methods["method_id"].combine_chunks()
        keys = methods.select(["method_id", "module_id", "object_id"])
        batch = {
            "methods": keys.append_column("row", pa.array(np.arange(methods.num_rows))),
            "calls": self.calls.rows(method_ids),
        }
        if self.findings is not None:
            batch["findings"] = self.findings.rows(method_ids)
        for name, table in batch.items():
            self.con.register(name, table)
        derived = self.con.sql(self.query).to_arrow_table()
        for name in batch:
            self.con.unregister(name)  # else the connection holds the batch's tables until the next
        if derived.num_rows != methods.num_rows:  # a key that is not unique (objects, modules) doubles rows
            raise SnapshotError(
                f"{self.snapshot}: object_id or module_id is not unique "
                f"({derived.num_rows} rows for {methods.num_rows} methods)"
            )
        facts = methods
        for name in derived.column_names[1:]:
            facts = facts.append_column(name, derived[name])
        return facts.append_column("split", splits_of(method_ids))


def _module_runs(module_ids: pa.Array) -> dict[str, tuple[int, int]]:
    """``{module_id: (first, end)}`` positions of each module's run in *module_ids* (sorted by module)."""
    if len(module_ids) == 0:
        return {}
    changes = pc.not_equal(module_ids[1:], module_ids[:-1]).to_numpy(zero_copy_only=False)
    starts = np.concatenate(([0], np.flatnonzero(changes) + 1))
    ends = np.append(starts[1:], len(module_ids))
    names = module_ids.take(pa.array(starts)).to_pylist()
    return {name: (int(start), int(end)) for name, start, end in zip(names, starts, ends, strict=True)}


class _Texts:
    """The ``text`` column of ``module_texts``, read in row order a few modules at a time.

    A batch of 1C:ERP modules can hold 100 MB of text, and reading it took three times that; read
    ``_TEXT_READ_MODULES`` at a time, the code of a batch is sliced piece by piece.
    """

    def __init__(self, snapshot: Path) -> None:
        # a row group's texts are one Parquet page (of up to 90 MB in 1C:ERP), decompressed whole to
        # read any of them: no pre-buffered copy of the compressed group and no reader threads beside
        path = duckdb_views.table_path(snapshot, "module_texts", ["module_id", "text"])
        source = pq.ParquetFile(path, pre_buffer=False)
        self._pieces = source.iter_batches(batch_size=_TEXT_READ_MODULES, columns=["text"], use_threads=False)
        self._left: pa.Array | None = None

    def next(self, count: int) -> Iterator[pa.Array]:
        """The next *count* texts, in pieces; every piece must be taken before the next call."""
        while count > 0:
            piece = self._left if self._left is not None else next(self._pieces).column("text")
            self._left = None
            if len(piece) > count:
                piece, self._left = piece.slice(0, count), piece.slice(count)
            count -= len(piece)
            yield piece


_NEWLINE_SCAN_BYTES = 16 * 1024 * 1024


def slice_lines(texts: pa.Array, module_of: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> pa.Array:
    """``code[i]``: lines ``starts[i]..ends[i]`` (1-based, inclusive) of ``texts[module_of[i]]`` joined by
    LF, cut at the text's last line; null when ``starts[i]`` is not a line of that text or either bound
    is 0 (unknown). ``ends[i] < starts[i]`` gives an empty string; a null text counts as empty.
    """
    code = CodeColumn()
    code.add(texts, module_of, starts, ends)
    return code.array()


class CodeColumn:
    """A code column built from several pieces of texts (``slice_lines`` on each), in one buffer.

    Done on the texts' UTF-8 bytes with numpy (the texts' line ends are LF), in place in the texts'
    buffers: one scan finds every line end of a piece, and each method's code is one byte range of
    them, appended to the column's buffer; the piece of texts can go before the next is read.
    Splitting every module into Python line strings cost more than everything else the dataset does.
    """

    def __init__(self) -> None:
        self._data = bytearray()
        self._lengths: list[np.ndarray] = []
        self._valid: list[np.ndarray] = []

    def add(self, texts: pa.Array, module_of: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> None:
        """Append the code of ``slice_lines(texts, module_of, starts, ends)``."""
        _, offset_buffer, data_buffer = texts.buffers()[:3]
        offset_type = np.int64 if pa.types.is_large_string(texts.type) else np.int32
        offsets = np.frombuffer(offset_buffer, offset_type)[texts.offset : texts.offset + len(texts) + 1]
        offsets = offsets.astype(np.int64)
        data = np.frombuffer(data_buffer, np.uint8) if data_buffer is not None else np.zeros(0, np.uint8)
        text_begin = offsets[:-1]
        text_end = np.where(texts.is_valid().to_numpy(zero_copy_only=False), offsets[1:], text_begin)
        newlines = _newlines(data, int(offsets[0]), int(offsets[-1]))
        first_newline = np.searchsorted(newlines, text_begin)  # index in newlines of each text's first LF
        line_counts = np.searchsorted(newlines, text_end) - first_newline + 1
        module_of = np.asarray(module_of, np.int64)
        starts, ends = np.asarray(starts, np.int64), np.asarray(ends, np.int64)
        lines, first = line_counts[module_of], first_newline[module_of]
        valid = (starts >= 1) & (starts <= lines) & (ends >= 1)
        start = np.where(valid, starts, 1)
        end = np.clip(ends, start, lines)  # an end before the start: empty; past the last line: the last line
        pad = np.append(newlines, 0)  # keeps the index below in range where np.where discards it
        begin = np.where(start == 1, text_begin[module_of], pad[np.maximum(first + start - 2, 0)] + 1)
        finish = np.where(end < lines, pad[first + end - 1], text_end[module_of])
        lengths = np.where(valid & (ends >= starts), finish - begin, 0)
        view = memoryview(data)  # one slice per method, joined in one copy (an index per byte cost 5×)
        self._data += b"".join(
            [view[b:e] for b, e in zip(begin.tolist(), (begin + lengths).tolist(), strict=True)]
        )
        self._lengths.append(lengths)
        self._valid.append(valid)

    def array(self) -> pa.LargeStringArray:
        """The column so far; nothing may be added after."""
        lengths = np.concatenate(self._lengths) if self._lengths else np.zeros(0, np.int64)
        valid = np.concatenate(self._valid) if self._valid else np.zeros(0, bool)
        offsets = np.zeros(len(lengths) + 1, np.int64)
        np.cumsum(lengths, out=offsets[1:])
        validity = pa.py_buffer(np.packbits(valid, bitorder="little"))  # a null where start is not a line
        return pa.LargeStringArray.from_buffers(
            len(lengths), pa.py_buffer(offsets), pa.py_buffer(self._data), validity, int((~valid).sum())
        )


def _newlines(data: np.ndarray, begin: int, end: int) -> np.ndarray:
    """Positions of the LF bytes in ``data[begin:end]``, scanned a slice at a time (the comparison
    makes a byte of mask per byte of text)."""
    found = [
        np.flatnonzero(data[at : min(at + _NEWLINE_SCAN_BYTES, end)] == 10) + at
        for at in range(begin, end, _NEWLINE_SCAN_BYTES)
    ]
    return np.concatenate(found) if found else np.zeros(0, np.int64)


def write_findings(findings: pa.Table, path: Path) -> Path:
    """The rule engine's *findings* as a Parquet file for ``records``: its ``FINDINGS_COLUMNS``, sorted
    by method in small row groups, so a batch of modules reads only its own findings and the table
    need not stay in memory beside the records. Returns *path*.
    """
    write_sorted(findings.select(FINDINGS_COLUMNS), "method_id", path)
    return path


def records(snapshot: Path, findings: pa.Table | Path | None = None) -> Iterator[pa.Table]:
    """Dataset records (``dataset_schema``) in batches: the methods of a batch of modules with their code.

    *findings*: the rule engine's table or a file of it written by ``write_findings``; None leaves
    the findings columns out.

    Within a batch, modules come in ``module_texts`` order and methods by id; methods whose module has
    no text row get a null ``code`` and come last, in snapshot order.
    """
    schema = dataset_schema(with_findings=findings is not None)
    text_modules, texts = _text_modules(snapshot), _Texts(snapshot)
    batches = [
        text_modules.slice(start, _TEXT_BATCH_MODULES)
        for start in range(0, len(text_modules), _TEXT_BATCH_MODULES)
    ]
    # the facts of the next batch are looked up (DuckDB, Parquet reads: no GIL) while this one's
    # code is sliced and its records written, as one query over all methods ran on two threads
    with MethodFacts(snapshot, findings) as facts, ThreadPoolExecutor(max_workers=1) as ahead:
        facts_of = [ahead.submit(facts.of_modules, batches[0])] if batches else []
        for number, module_ids in enumerate(batches):
            methods = facts_of.pop().result()
            if number + 1 < len(batches):
                facts_of.append(ahead.submit(facts.of_modules, batches[number + 1]))
            table = _with_texts(methods, module_ids, texts, schema)
            del methods
            if table is not None:
                yield table
            del table  # let go of this batch's records before the next one is built
        for methods in facts.outside(text_modules):
            yield _with_code(methods, pa.nulls(methods.num_rows, pa.large_string()), schema)


def _with_texts(methods: pa.Table, module_ids: pa.Array, texts: _Texts, schema: pa.Schema) -> pa.Table | None:
    """The records of the *methods* of the modules *module_ids* (the next ones of *texts*): by module
    in that order, then by id, with the code sliced from their module's text; None when no module
    has methods."""
    # rows grouped by module (then id) through a permutation: only the two key columns are sorted
    order = pc.sort_indices(methods.select(["module_id", "method_id"]),
                            [("module_id", "ascending"), ("method_id", "ascending")])  # fmt: skip
    runs = _module_runs(methods["module_id"].take(order).combine_chunks())
    picked: list[np.ndarray] = []
    modules_of: list[np.ndarray] = []
    for position, module_id in enumerate(module_ids.to_pylist()):
        run = runs.get(module_id)
        if run is not None:
            picked.append(np.arange(*run))
            modules_of.append(np.full(run[1] - run[0], position))
    if not picked:
        for _ in texts.next(len(module_ids)):  # read past the batch's texts all the same
            pass
        return None
    rows = methods.take(order.to_numpy()[np.concatenate(picked)])
    module_of = np.concatenate(modules_of)
    starts, ends = _line_numbers(rows["start_line"]), _line_numbers(rows["end_line"])
    code = CodeColumn()
    first_module = 0
    for text in texts.next(len(module_ids)):  # rows come by module: a piece of texts has a range of them
        first, end = np.searchsorted(module_of, [first_module, first_module + len(text)])
        code.add(text, module_of[first:end] - first_module, starts[first:end], ends[first:end])
        first_module += len(text)
        del text  # before the next piece is read
    return _with_code(rows, code.array(), schema)


def _text_modules(snapshot: Path) -> pa.Array:
    """The modules that have a ``module_texts`` row."""
    return read_table(snapshot, "module_texts", ["module_id"])["module_id"].combine_chunks()


def _line_numbers(column: pa.ChunkedArray) -> np.ndarray:
    """A line-number column as int64, 0 for null (no line)."""
    return pc.fill_null(column, 0).to_numpy().astype(np.int64)


def _with_code(facts: pa.Table, code: pa.Array, schema: pa.Schema) -> pa.Table:
    columns = {name: facts[name] for name in facts.column_names}
    columns["code"] = code
    # cast: DuckDB names list items differently; the dataset's field names and docs come from the schema
    return pa.Table.from_arrays([columns[name] for name in schema.names], names=schema.names).cast(schema)
