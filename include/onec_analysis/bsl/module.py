"""``parse_module``: one BSL module's text -> rows for the snapshot's ``methods``, ``calls``, ``query_tables``.

Pipeline: ``lexer.code_view`` (one regex pass that sets comments and literals aside), then
declarations, calls, query tables and complexity, each a regex pass over the code view.
Pure function of its inputs, safe to run in worker processes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass, field

from . import lexer
from .calls import find_calls
from .complexity import method_complexity
from .declarations import find_declarations, remove_deleted_blocks
from .lexer import code_view, line_of, line_starts
from .queries import find_query_tables

# A line counts towards ncloc when it holds something other than blanks and a // comment.
# Matched from the "\n" that ends the previous line, so the engine can jump from newline to newline.
_CODE_LINE = re.compile(r"\n[ \t]*+(?:[^\s/]|/(?!/))")


@dataclass(frozen=True, slots=True)
class CallContext:
    """What the parser needs to know about the configuration around the module."""

    common_modules: frozenset[str] = frozenset()  # names of the configuration's common modules
    own_object_id: str | None = None  # owner object of the module (callee of local calls)


#: Row fields of the two big tables, in the snapshot's column order.
METHOD_FIELDS = (
    "method_id", "module_id", "object_id", "configuration", "name", "kind", "is_async", "export",
    "directives", "annotations", "params", "region", "preprocessor", "doc_comment", "start_line",
    "end_line", "ncloc", "cyclomatic", "cognitive",
)  # fmt: skip
CALL_FIELDS = (
    "caller_method_id",
    "caller_module_id",
    "callee_object_id",
    "callee_method",
    "callee_kind",
    "line",
    "configuration",
)


def _rows(columns: dict[str, list]) -> list[dict]:
    return [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]


@dataclass(slots=True)
class ModuleParse:
    """One module's rows. Methods and calls are held as columns (field -> one list, all of one
    length): an ERP-size export has ≈800k methods and ≈2M calls, and building a dict per row and then
    an Arrow struct array from the dicts cost the reader about three times what one ``pa.array`` per
    column costs. ``methods`` and ``calls`` give them as rows."""

    lines: int
    ncloc: int
    method_columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in METHOD_FIELDS})
    call_columns: dict[str, list] = field(default_factory=lambda: {name: [] for name in CALL_FIELDS})
    query_tables: list[dict] = field(default_factory=list)

    @property
    def methods(self) -> list[dict]:
        return _rows(self.method_columns)

    @property
    def calls(self) -> list[dict]:
        return _rows(self.call_columns)


_LOWER_CACHE: dict[frozenset[str], dict[str, str]] = {}


def _common_module_index(names: frozenset[str]) -> dict[str, str]:
    # Built once per configuration per process: every module of a configuration shares the set.
    index = _LOWER_CACHE.get(names)
    if index is None:
        index = {n.lower(): n for n in names}
        if len(_LOWER_CACHE) > 16:
            _LOWER_CACHE.clear()
        _LOWER_CACHE[names] = index
    return index


def _lower(code: str) -> str:
    low = lexer.lower(code)
    if len(low) == len(code):
        return low
    # A few characters lower-case to two (İ); keep offsets aligned with the code view.
    return "".join(c if len(c.lower()) != 1 else c.lower() for c in code)


def code_lines(text: str, start: int = 0, end: int | None = None) -> int:
    """How many lines of ``text[start:end]`` count towards ncloc: matches of ``_CODE_LINE`` there.

    In C (``_scan.code_lines``) when the extension was built, else :func:`code_lines_python`; the
    two agree (tests/unit/bsl/test_scan_speedups.py). This runs for every method of a module.
    """
    end = len(text) if end is None else end
    if lexer._scan is None:
        return code_lines_python(text, start, end)
    return lexer._scan.code_lines(text, start, end)


def code_lines_python(text: str, start: int = 0, end: int | None = None) -> int:
    """:func:`code_lines` with ``_CODE_LINE``: the reference for the C version."""
    return len(_CODE_LINE.findall(text, start, len(text) if end is None else end))


def count_lines(text: str) -> int:
    """Number of lines; a final newline does not start another line."""
    if not text:
        return 0
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def parse_module(
    text: str,
    *,
    module_id: str,
    object_id: str,
    configuration: str,
    ctx: CallContext | None = None,
) -> ModuleParse:
    """Parse one module's text (BOM removed, LF line ends) into snapshot rows."""
    ctx = ctx or CallContext()
    own_object_id = ctx.own_object_id or object_id
    ntext = "\n" + text
    starts = line_starts(text)
    view = code_view(text)
    remove_deleted_blocks(view)
    code = view.code
    code_starts = line_starts(code)
    low = _lower(code)

    declarations = find_declarations(text, starts, view, low, code_starts)
    lower_names = [d.name.lower() for d in declarations]
    seen: dict[str, int] = {}
    for name in lower_names:
        seen[name] = seen.get(name, 0) + 1
    method_ids = [
        f"{module_id}.{d.name}" + (f"#{d.start_line}" if seen[name] > 1 else "")
        for d, name in zip(declarations, lower_names, strict=True)
    ]
    local = {}
    for d, name in zip(declarations, lower_names, strict=True):
        local.setdefault(name, d.name)

    calls = find_calls(
        view,
        low,
        own_object_id=own_object_id,
        common_modules=_common_module_index(ctx.common_modules),
        local_methods=local,
        method_starts=[code_starts[d.start_line - 1] for d in declarations],
        skip_positions=frozenset(d.name_pos for d in declarations),
    )

    decl_starts = [d.start_line for d in declarations]

    def owner(line: int) -> int:
        k = bisect_right(decl_starts, line) - 1
        return k if k >= 0 and line <= declarations[k].end_line else -1

    recursive = [0] * len(declarations)
    caller_ids, callee_objects, callee_methods, callee_kinds, call_lines = [], [], [], [], []
    for c in calls:
        line = line_of(code_starts, c.position)
        k = owner(line)
        if k >= 0 and c.callee_kind == "local" and c.callee_method.lower() == lower_names[k]:
            recursive[k] += 1
        caller_ids.append(method_ids[k] if k >= 0 else None)
        callee_objects.append(c.callee_object_id)
        callee_methods.append(c.callee_method)
        callee_kinds.append(c.callee_kind)
        call_lines.append(line)
    call_columns = {
        "caller_method_id": caller_ids,
        "caller_module_id": [module_id] * len(calls),
        "callee_object_id": callee_objects,
        "callee_method": callee_methods,
        "callee_kind": callee_kinds,
        "line": call_lines,
        "configuration": [configuration] * len(calls),
    }

    # ncloc of the module = the methods' ncloc + that of the lines between them (the method ranges
    # are disjoint, in order, and a match never crosses a line): one pass over the text, not two.
    module_ncloc = 0
    covered = 0  # in "\n" + text: where the part not yet counted begins
    nclocs, cyclomatics, cognitives = [], [], []
    for k, d in enumerate(declarations):
        cyclomatic, cognitive = method_complexity(low, d.body_start, d.body_end, recursive[k])
        # In "\n" + text, starts[n - 1] is the newline that opens line n.
        first, last = starts[d.start_line - 1], starts[d.end_line]
        ncloc = code_lines(ntext, first, last)
        if first >= covered:
            module_ncloc += ncloc + code_lines(ntext, covered, first)
            covered = last
        nclocs.append(ncloc)
        cyclomatics.append(cyclomatic)
        cognitives.append(cognitive)
    count = len(declarations)
    method_columns = {
        "method_id": method_ids,
        "module_id": [module_id] * count,
        "object_id": [object_id] * count,
        "configuration": [configuration] * count,
        "name": [d.name for d in declarations],
        "kind": [d.kind for d in declarations],
        "is_async": [d.is_async for d in declarations],
        "export": [d.export for d in declarations],
        "directives": [d.directives for d in declarations],
        "annotations": [d.annotations for d in declarations],
        "params": [
            [{"name": p.name, "by_value": p.by_value, "default": p.default} for p in d.params]
            for d in declarations
        ],
        "region": [d.region for d in declarations],
        "preprocessor": [d.preprocessor for d in declarations],
        "doc_comment": [d.doc_comment for d in declarations],
        "start_line": decl_starts,
        "end_line": [d.end_line for d in declarations],
        "ncloc": nclocs,
        "cyclomatic": cyclomatics,
        "cognitive": cognitives,
    }

    query_rows = []
    for q in find_query_tables(view):
        k = owner(q.line)
        query_rows.append(
            {
                "module_id": module_id,
                "method_id": method_ids[k] if k >= 0 else None,
                "table_name": q.table_name,
                "object_id": q.object_id,
                "line": q.line,
                "configuration": configuration,
            }
        )

    return ModuleParse(
        lines=count_lines(text),
        ncloc=module_ncloc + code_lines(ntext, covered),
        method_columns=method_columns,
        call_columns=call_columns,
        query_tables=query_rows,
    )
