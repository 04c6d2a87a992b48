"""CreateQueryInCycle: database queries executed inside loops."""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import GLOBAL
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import Method, ModuleSource

_LOOP_WORDS = ("цикл", "do", "конеццикла", "enddo")
_LOOP = re.compile(rf"{GLOBAL}(?:(цикл|do)|(конеццикла|enddo))(?!\w)")
_NEW_QUERY = re.compile(r"(?<![\w.])(?:новый|new)\s+(?:запрос|query)(?!\w)")
_ASSIGNED = re.compile(r"([^\W\d]\w*)\s*=\s*$")
_EXECUTE_WORDS = (
    "выполнить", "выполнитьпакет", "выполнитьпакетспромежуточнымиданными",
    "execute", "executebatch", "executebatchwithintermediatedata",
)  # fmt: skip
_EXECUTE = re.compile(rf"(?<=\.)(?:{'|'.join(_EXECUTE_WORDS)})\s*\(")
_CALL = re.compile(r"(?<![\w.~])([^\W\d]\w*)\s*\(")
_RECEIVER = re.compile(r"([^\W\d]\w*)\s*\.\s*$")


def _loops(module: ModuleSource) -> list[tuple[int, int]]:
    """``(body_start, body_end)`` offsets of the outermost loops (nested loops lie inside them)."""
    spans: list[tuple[int, int]] = []
    depth = 0
    opened = 0
    for match in module.find_all(_LOOP, _LOOP_WORDS):
        if match.group(1):
            if depth == 0:
                opened = match.end()
            depth += 1
        elif depth:
            depth -= 1
            if depth == 0:
                spans.append((opened, match.start()))
    return spans


def _query_executions(module: ModuleSource, variables: set[str], start: int, end: int) -> list[int]:
    """Offsets of ``<query variable>.Выполнить(`` calls between *start* and *end* (at the variable)."""
    code = module.code
    found = []
    for match in module.find_all(_EXECUTE, _EXECUTE_WORDS, start, end):
        receiver = _RECEIVER.search(code, max(start, match.start() - 80), match.start())
        if receiver and receiver.group(1) in variables:
            found.append(receiver.start(1))
    return found


@register
class CreateQueryInCycle(Rule):
    """A database query executed inside a loop, directly or through a method of the same module.

    ## What it does
    Reports, inside the body of a ``Для``/``Для Каждого``/``Пока`` loop, calls of
    ``Выполнить``/``ВыполнитьПакет`` on a variable that holds ``Новый Запрос``, and calls of methods of
    the same module that execute such a query (at any depth). A query executed once in the loop's
    header (``Для Каждого … Из Запрос.Выполнить().Выгрузить() Цикл``) is not reported.

    ## Why is this bad
    Each execution is a round trip to the database server. A loop over a thousand rows makes a thousand
    queries where one query with the whole list as a parameter (or a temporary table) would do: the
    difference is seconds against minutes, and it grows with the data. This is the single most common
    cause of slow documents and reports in 1C.

    ## Example
    ```bsl
    Для Каждого Строка Из Товары Цикл
        Запрос.УстановитьПараметр("Товар", Строка.Товар);
        Остаток = Запрос.Выполнить().Выгрузить();
    КонецЦикла;
    ```

    ## Use instead
    ```bsl
    Запрос.УстановитьПараметр("Товары", Товары.ВыгрузитьКолонку("Товар"));
    Остатки = Запрос.Выполнить().Выгрузить(); // one query; match rows by Товар afterwards
    ```
    """

    key = "CreateQueryInCycle"
    type = "ERROR"
    severity = "CRITICAL"
    tags = ("performance",)
    edt = ("query-in-loop",)
    needs_any = ("запрос", "query")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        code = module.code
        variables = set()
        for match in module.find_all(_NEW_QUERY, ("новый", "new")):
            assigned = _ASSIGNED.search(code, max(0, match.start() - 80), match.start())
            if assigned:
                variables.add(assigned.group(1))
        if not variables:
            return
        loops = _loops(module)
        if not loops:
            return
        executions = _query_executions(module, variables, 0, len(code))
        # Methods of this module that execute a query, then the ones calling them, until none is added.
        spans = [(method, *module.method_code(method)) for method in module.methods]
        starts = [start for _, start, _ in spans]

        def method_at(offset: int) -> Method | None:
            index = bisect_right(starts, offset) - 1
            return spans[index][0] if index >= 0 and offset < spans[index][2] else None

        querying: dict[str, Method] = {}
        for at in executions:
            method = method_at(at)
            if method is not None:
                querying[method.name.lower()] = method
        calls = _Calls(module) if querying else None
        frontier = list(querying)
        while frontier and calls is not None:
            # Every call of a newly found querying method makes its caller a querying method too.
            found = calls.of(querying, frontier)
            frontier = []
            for call in found:
                caller = method_at(call[0])
                if caller is not None and caller.name.lower() not in querying:
                    querying[caller.name.lower()] = caller
                    frontier.append(caller.name.lower())
        in_loops = calls.of(querying, tuple(querying)) if calls is not None else []
        call_starts = [start for start, _, _ in in_loops]
        ordered = all(a <= b for a, b in zip(executions, executions[1:], strict=False))
        for body_start, body_end in loops:
            inside = (
                executions[bisect_left(executions, body_start) : bisect_left(executions, body_end)]
                if ordered
                else [at for at in executions if body_start <= at < body_end]
            )
            for at in inside:
                line, column = module.position(at)
                yield Finding(
                    line, column, "Query executed in a loop: run one query for all rows before the loop"
                )
            for call in in_loops[bisect_left(call_starts, body_start) : bisect_left(call_starts, body_end)]:
                start, end, name = call
                if end > body_end:
                    continue
                line, column = module.position(start)
                callee = querying[name]
                yield Finding(line, column, f"{callee.name}() executes a query and is called in a loop")


class _Calls:
    """The module's calls ``name(`` (``_CALL``) as ``(start, end, name)``, found in one pass, by name.

    ``of(names, anchors)`` is ``[c for c in module.find_all(_CALL, anchors) if c.group(1) in names]``
    without a scan of the module per anchor: a call matches where an anchor occurs exactly when its
    name (the whole word there) starts with the anchor.
    """

    def __init__(self, module: ModuleSource):
        self.identifiers = module.identifiers
        self.by_name: dict[str, list[tuple[int, int, str]]] = {}
        code = module.code
        size = len(code)
        # Only the module's own methods can be querying ones: the calls of other names are skipped.
        own = {name[::-1]: name for name in module.method_names}
        # Searched backwards from each "(": a regular expression that starts with a literal is found
        # by a fast scan, where _CALL's look-behind would be tried at every position of the module.
        for found in _CALL_REVERSED.finditer(code[::-1]):
            name = own.get(found.group(1))
            if name is not None:
                self.by_name.setdefault(name, []).append((size - found.end(1), size - found.start(), name))
        for calls in self.by_name.values():
            calls.reverse()  # found from the end: in the order of the module

    def of(self, names: Iterable[str], anchors: Iterable[str]) -> list[tuple[int, int, str]]:
        searched = {anchor for anchor in anchors if anchor in self.identifiers}  # as find_all skips
        lengths = {len(anchor) for anchor in searched}
        found = [
            calls
            for name, calls in self.by_name.items()
            if name in names and (name in searched or any(name[:size] in searched for size in lengths))
        ]
        if len(found) == 1:
            return found[0]
        return sorted(call for calls in found for call in calls)


#: ``_CALL`` read backwards: "(", blanks, the name reversed — not starting with a digit, not after "." or "~".
_CALL_REVERSED = re.compile(r"\(\s*+(\w++)(?<!\d)(?![.~])")
