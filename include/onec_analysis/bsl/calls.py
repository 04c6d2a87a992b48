"""Calls from a module to common modules, managers and its own methods.

One regex pass, read backwards from each ``(``, finds every ``name(`` and ``qualifier.name(`` in the
lower-cased code view (comments and strings are already gone); the rare longer chain is looked at
backwards from the qualifier:

* ``М.Метод(`` where ``М`` is a common module of the configuration (and not itself a property,
  ``Х.М.Метод(``) -> ``common_module``;
* ``П.Метод(`` where ``П`` was assigned ``<X>.ОбщийМодуль("Имя")``/``<X>.CommonModule("Name")`` earlier
  in the same method (or module body), and ``<X>.ОбщийМодуль("Имя").Метод(`` inline ->
  ``common_module_dynamic`` with ``CommonModule.Имя``;
* ``Справочники.Имя.Метод(`` and every other manager collection, Russian or English -> ``manager``
  with ``Catalog.Имя`` …;
* ``Метод(`` or ``ЭтотОбъект.Метод(`` where the module declares ``Метод`` -> ``local``.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from . import lexer
from .lexer import CodeView

# Manager collection (lower case) -> singular English metadata type.
MANAGERS: dict[str, str] = {}
for _names, _type in [
    (("справочники", "catalogs"), "Catalog"),
    (("документы", "documents"), "Document"),
    (("регистрысведений", "informationregisters"), "InformationRegister"),
    (("регистрынакопления", "accumulationregisters"), "AccumulationRegister"),
    (("регистрыбухгалтерии", "accountingregisters"), "AccountingRegister"),
    (("регистрырасчета", "calculationregisters"), "CalculationRegister"),
    (("обработки", "dataprocessors"), "DataProcessor"),
    (("отчеты", "reports"), "Report"),
    (("планывидовхарактеристик", "chartsofcharacteristictypes"), "ChartOfCharacteristicTypes"),
    (("планысчетов", "chartsofaccounts"), "ChartOfAccounts"),
    (("планывидоврасчета", "chartsofcalculationtypes"), "ChartOfCalculationTypes"),
    (("планыобмена", "exchangeplans"), "ExchangePlan"),
    (("бизнеспроцессы", "businessprocesses"), "BusinessProcess"),
    (("задачи", "tasks"), "Task"),
    (("перечисления", "enums"), "Enum"),
    (("константы", "constants"), "Constant"),
    (("журналыдокументов", "documentjournals"), "DocumentJournal"),
    (("последовательности", "sequences"), "Sequence"),
    (("критерииотбора", "filtercriteria"), "FilterCriterion"),
    (("хранилищанастроек", "settingsstorages"), "SettingsStorage"),
    (("внешниеисточникиданных", "externaldatasources"), "ExternalDataSource"),
]:
    for _name in _names:
        MANAGERS[_name] = _type

_COMMON_MODULE_GETTERS = frozenset(("общиймодуль", "commonmodule"))
_THIS_OBJECT = frozenset(("этотобъект", "thisobject"))

# "Q.Name(" or "Name(", read backwards from each "(": a regular expression that starts with a literal
# is found by a fast scan for that character, where one that starts with a word would be tried at
# every letter of the module (the forward pattern took 7x as long on SSL). On the reversed text:
# "(", blanks, the name reversed (a whole word, not starting with a digit), then optionally blanks,
# ".", blanks and the qualifier reversed. A qualifier that starts with a digit is no qualifier.
_CALL_REVERSED = re.compile(r"\([ \t]*+(\w++)(?<!\d)(?:[ \t]*+\.[ \t]*+(\w++)(?<!\d))?")
# The word before ".Q" in a chain, read backwards from Q: blanks, ".", blanks, then the longest run of
# word characters ending in a non-digit (reversed, that is the word from its first non-digit on).
_PREVIOUS_REVERSED = re.compile(r"[ \t]*\.[ \t]*(\w*[^\W\d])")
# "Переменная = " before a getter call; "<=" and ">=" are comparisons, not assignments.
_ASSIGNED_TO = re.compile(r"(?<![\w.])([^\W\d]\w*)[ \t]*(?<![<>])=[ \t]*\Z")
_LITERAL_ARG = re.compile(r'[ \t]*"(\d+)\n*"[ \t]*\)')
_INLINE_CALL = re.compile(r"[ \t]*\.[ \t]*([^\W\d]\w*)[ \t]*\(")


@dataclass(slots=True)
class Call:
    position: int  # offset of the called name in the code view
    callee_object_id: str
    callee_method: str
    callee_kind: str


def _literal(view: CodeView, index: str) -> str:
    return view.strings[int(index)].text[1:-1].replace('""', '"').strip()


def call_sites(low: str, reversed_low: str | None = None) -> list[tuple[int, int, int, int, int]]:
    r"""Every ``qualifier.name(`` and ``name(`` of *low*, in text order, as
    ``(qualifier start, qualifier end, name start, name end, offset after "(")``; the qualifier's
    offsets are -1 when there is none. The same sites, non-overlapping and leftmost first, as a
    forward scan with ``\b(?:([^\W\d]\w*+)[ \t]*+\.[ \t]*+)?([^\W\d]\w*+)[ \t]*+\(`` finds (a test
    holds the two equal).

    In C (``_scan.call_sites``) when the extension was built, else :func:`call_sites_python`; the
    two agree (tests/unit/bsl/test_scan_speedups.py)."""
    if lexer._scan is None:
        return call_sites_python(low, reversed_low)
    return lexer._scan.call_sites(low)


def call_sites_python(low: str, reversed_low: str | None = None) -> list[tuple[int, int, int, int, int]]:
    """:func:`call_sites` read backwards from each "(" with ``_CALL_REVERSED`` (the forward pattern
    took seven times as long): the reference for the C version. *reversed_low* is ``low[::-1]`` when
    the caller has it."""
    size = len(low)
    if reversed_low is None:
        reversed_low = low[::-1]
    sites = [
        (
            size - m.end(2) if m.start(2) >= 0 else -1,
            size - m.start(2) if m.start(2) >= 0 else -1,
            size - m.end(1),
            size - m.start(1),
            size - m.start(),
        )
        for m in _CALL_REVERSED.finditer(reversed_low)
    ]
    sites.reverse()
    return sites


def word_before(low: str, reversed_low: str, position: int) -> tuple[int, str] | None:
    r"""The word before ``.`` ending at *position* (``Q2.`` for the ``Q1`` there), within 80 characters,
    as ``(start, word)``: what a forward search with ``([^\W\d]\w*)[ \t]*\.[ \t]*\Z`` over the 80
    characters finds (a test holds the two equal) — read backwards, it does not try every position
    of the window (the forward search was a twentieth of the parse)."""
    size = len(low)
    found = _PREVIOUS_REVERSED.match(reversed_low, size - position, size - max(0, position - 80))
    if found is None:
        return None
    start = size - found.end(1)
    return start, low[start : size - found.start(1)]


def find_calls(
    view: CodeView,
    low: str,
    *,
    own_object_id: str,
    common_modules: dict[str, str],
    local_methods: dict[str, str],
    method_starts: list[int],
    skip_positions: frozenset[int],
) -> list[Call]:
    """All calls of the module in text order.

    ``common_modules`` and ``local_methods`` map lower-cased names to the names as declared;
    ``method_starts`` are offsets where methods begin (a dynamic-module variable is local to the method
    it is assigned in); ``skip_positions`` are the offsets of the declared names themselves.
    """
    code = view.code
    calls: list[Call] = []
    dynamic: dict[str, str] = {}  # variable (lower) -> common module name, within the current method
    scope = -1
    reversed_low = None  # made when a chain needs it: rare
    for q_start, q_end, start, end, paren_end in call_sites(low):
        name = low[start:end]
        if q_start < 0:  # no qualifier: "Метод("
            if start and low[start - 1] == ".":  # a method of an expression's result: Ф().Метод(
                continue
            declared = local_methods.get(name)
            if declared is not None and start not in skip_positions:
                calls.append(Call(start, own_object_id, declared, "local"))
            continue
        qualifier = low[q_start:q_end]
        if q_start and low[q_start - 1] == ".":  # Q2.Q1.Метод(: only a manager chain interests us
            if reversed_low is None:
                reversed_low = low[::-1]
            previous = word_before(low, reversed_low, q_start)
            if previous is None:
                continue
            p_start, word = previous
            if p_start and low[p_start - 1] == ".":
                continue
            manager = MANAGERS.get(word)
            if manager is not None:
                calls.append(Call(start, f"{manager}.{code[q_start:q_end]}", code[start:end], "manager"))
            continue
        module = common_modules.get(qualifier)
        if module is not None:
            calls.append(Call(start, f"CommonModule.{module}", code[start:end], "common_module"))
            if name in _COMMON_MODULE_GETTERS:
                owner = bisect_right(method_starts, start)
                if owner != scope:
                    scope, dynamic = owner, {}
                _dynamic_module(view, low, q_start, paren_end, dynamic, calls)
            continue
        if qualifier in _THIS_OBJECT:
            declared = local_methods.get(name)
            if declared is not None:
                calls.append(Call(start, own_object_id, declared, "local"))
            continue
        if dynamic and qualifier in dynamic and bisect_right(method_starts, start) == scope:
            calls.append(
                Call(start, f"CommonModule.{dynamic[qualifier]}", code[start:end], "common_module_dynamic")
            )
    return calls


def _dynamic_module(
    view: CodeView, low: str, q_start: int, paren_end: int, dynamic: dict, calls: list
) -> None:
    """Handle ``<X>.ОбщийМодуль("Имя")`` (*q_start*: where ``<X>`` starts, *paren_end*: just after the
    "("): remember the variable it is assigned to, or an inline call."""
    arg = _LITERAL_ARG.match(low, paren_end)
    if arg is None:
        return
    module = _literal(view, arg.group(1))
    if not module:
        return
    inline = _INLINE_CALL.match(low, arg.end())
    if inline is not None:
        method = view.code[inline.start(1) : inline.end(1)]
        calls.append(Call(inline.start(1), f"CommonModule.{module}", method, "common_module_dynamic"))
        return
    assigned = _ASSIGNED_TO.search(low, max(0, q_start - 120), q_start)
    if assigned is not None:
        dynamic[assigned.group(1)] = module
