"""Metadata tables named in the query texts of a module.

A query text is a chain of string literals joined by ``+`` (a single literal is a chain of one,
multi-line ``|`` literals included) in which some literal has the word ``ВЫБРАТЬ``/``SELECT``.
Literals outside such chains are query fragments only where a table follows ``ИЗ/FROM`` or
``СОЕДИНЕНИЕ/JOIN`` (``Текст = Текст + " ИЗ Справочник.Банки"``).

A table is ``<Type>.<Name>`` with an optional third part (tabular section or virtual table,
``РегистрСведений.Курсы.СрезПоследних``); ``table_name`` is that text as written, without the
virtual table's parameters. Not tables, so skipped: ``ЗНАЧЕНИЕ(Справочник.X.Y)``/``VALUE(…)``
(a predefined value), a type after ``ССЫЛКА/REFS`` or ``КАК/AS`` (``ВЫРАЗИТЬ(П КАК Справочник.X)``),
and a field of an alias spelled like a table type (``… КАК Документ`` then ``Документ.Дата``), unless
it follows ``ИЗ``/``СОЕДИНЕНИЕ``/``,``. ``//`` comments inside query texts are ignored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import lexer
from .lexer import CodeView

# Query-language table type (lower case) -> singular English metadata type.
TABLE_TYPES: dict[str, str] = {}
for _names, _type in [
    (("справочник", "catalog"), "Catalog"),
    (("документ", "document"), "Document"),
    (("регистрсведений", "informationregister"), "InformationRegister"),
    (("регистрнакопления", "accumulationregister"), "AccumulationRegister"),
    (("регистрбухгалтерии", "accountingregister"), "AccountingRegister"),
    (("регистррасчета", "calculationregister"), "CalculationRegister"),
    (("планвидовхарактеристик", "chartofcharacteristictypes"), "ChartOfCharacteristicTypes"),
    (("плансчетов", "chartofaccounts"), "ChartOfAccounts"),
    (("планвидоврасчета", "chartofcalculationtypes"), "ChartOfCalculationTypes"),
    (("планобмена", "exchangeplan"), "ExchangePlan"),
    (("бизнеспроцесс", "businessprocess"), "BusinessProcess"),
    (("задача", "task"), "Task"),
    (("перечисление", "enum"), "Enum"),
    (("константа", "constant"), "Constant"),
    (("журналдокументов", "documentjournal"), "DocumentJournal"),
    (("последовательность", "sequence"), "Sequence"),
    (("критерийотбора", "filtercriterion"), "FilterCriterion"),
]:
    for _name in _names:
        TABLE_TYPES[_name] = _type

# A type word in any letter case: each letter itself or its upper-case form, nothing more (re's
# IGNORECASE would also take "ı" for "i" or "ᲃ" for "с", whose lower case is no type word).
_TABLE = re.compile(
    r"(?<![\w.&])("
    + "|".join(
        "".join(f"[{c}{c.upper()}]" for c in word) for word in sorted(TABLE_TYPES, key=len, reverse=True)
    )
    + r")\.([^\W\d]\w*)(?:\.([^\W\d]\w*))?"
)
_SELECT = re.compile(r"\b(?:выбрать|select)\b", re.IGNORECASE)
_COMMENT = re.compile(r"//[^\n]*")
_ALIAS = re.compile(r"\b(?:как|as)\s+([^\W\d]\w*)", re.IGNORECASE)
# The word (and "(" or ",") right before a table name, read on the text before it: the reference
# for ``_before``.
_BEFORE = re.compile(r"(?:(\w+)\s*(\()?|(,))[\s|]*\Z")
_BEFORE_WINDOW = 60
_CHAIN = re.compile(r'"(\d+)\n*"(?:\s*\+\s*"\d+\n*")*')
_INDEX = re.compile(r'"(\d+)')
_SOURCE_WORDS = frozenset(("из", "from", "соединение", "join"))
_TYPE_WORDS = frozenset(("ссылка", "refs", "как", "as"))
_VALUE_WORDS = frozenset(("значение", "value"))


@dataclass(slots=True)
class QueryTable:
    line: int
    table_name: str
    object_id: str


def table_sites(text: str) -> list[tuple[int, int, int, int]]:
    """Where ``_TABLE`` matches *text*: ``(start, end of the type word, end of the name, end)``.

    In C (``_scan.table_sites``) when the extension was built, else :func:`table_sites_python`;
    the two agree (tests/unit/bsl/test_scan_speedups.py).
    """
    if lexer._scan is None:
        return table_sites_python(text)
    return lexer._scan.table_sites(text)


def table_sites_python(text: str) -> list[tuple[int, int, int, int]]:
    """:func:`table_sites` with ``_TABLE``: the reference for the C version."""
    return [(m.start(), m.end(1), m.end(2), m.end()) for m in _TABLE.finditer(text)]


def _before(text: str, start: int) -> tuple[str, bool, bool]:
    """What ``_BEFORE`` finds in the 60 characters before *start*: (the word, lower-cased, or "";
    whether "(" follows it; whether the text ends with ","), read backwards from *start* with string
    methods instead of a search that tries each of the 60 places (18 µs a table site, 2.8 s of the
    ERP-size copy's parse). A test holds the two together."""
    first = max(0, start - _BEFORE_WINDOW)
    head = text[first:start].rstrip()
    while head.endswith("|"):  # [\s|]*: blanks and the "|" of continued query lines
        head = head[:-1].rstrip()
    if head.endswith(","):
        return "", False, True
    paren = head.endswith("(")
    if paren:
        head = head[:-1].rstrip()
    end = len(head)
    k = end
    while k and (head[k - 1].isalnum() or head[k - 1] == "_"):
        k -= 1
    if k == end:
        return "", False, False
    return head[k:].lower(), paren, False


def _tables(text: str, first_line: int, is_query: bool, aliases: set[str]) -> list[QueryTable]:
    found = []
    for start, type_end, name_end, end in table_sites(text):
        word, paren, comma = _before(text, start)
        after_source = word in _SOURCE_WORDS or comma
        if not is_query and not after_source:
            continue
        if word in _TYPE_WORDS or (word in _VALUE_WORDS and paren):
            continue
        type_word = text[start:type_end].lower()
        if type_word in aliases and not after_source:
            continue
        found.append(
            QueryTable(
                first_line + text.count("\n", 0, start),
                text[start:end],
                f"{TABLE_TYPES[type_word]}.{text[type_end + 1 : name_end]}",
            )
        )
    return found


def find_query_tables(view: CodeView) -> list[QueryTable]:
    """Tables named in the module's query texts, in text order."""
    strings = view.strings
    if not strings:
        return []
    # Most modules hold no query at all: one lower-cased join of the literals rules them out cheaply.
    joined = lexer.lower("\x00".join(s.text for s in strings))
    if "выбрать" not in joined and "select" not in joined:
        return []
    lowered = joined.split("\x00")  # each literal lower-cased ("\x00" lower-cases to itself)
    result: list[QueryTable] = []
    for chain in _CHAIN.finditer(view.code):
        # Most chains are one literal without a ".", so no table: ruled out before any list is made.
        if "+" in chain.group():
            indices = [int(i) for i in _INDEX.findall(chain.group())]
            if not any("." in strings[i].text for i in indices):
                continue
        else:
            index = int(chain.group(1))
            if "." not in strings[index].text:
                continue
            indices = [index]
        literals = [strings[i] for i in indices]
        texts = [s.text for s in literals]
        is_query = any(
            ("выбрать" in lowered[i] or "select" in lowered[i]) and _SELECT.search(strings[i].text)
            for i in indices
        )
        if is_query:
            texts = [_COMMENT.sub("", t) for t in texts]
            aliases = {a.lower() for t in texts for a in _ALIAS.findall(t)}
        else:
            aliases = set()
        for literal, text in zip(literals, texts, strict=True):
            result.extend(_tables(text, literal.line, is_query, aliases))
    return result
