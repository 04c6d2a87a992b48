"""Lexical layer for 1C BSL module text: a token stream for rules, and a fast code view for the parser.

Two entry points, built on the same regular expressions so they agree on what is a comment or a string:

``tokenize(text, *, keep_comments=False) -> Iterator[Token]``
    The reusable token stream (for the best-practice rule engine). ``Token`` is a ``NamedTuple``:

    ``kind``
        one of the ``TokenKind`` constants: ``keyword``, ``identifier``, ``number``, ``string``,
        ``date``, ``operator``, ``preprocessor``, ``annotation``, ``label``, ``comment``.
    ``text``
        the token exactly as written. A string token keeps its quotes, its ``""`` escapes and, for a
        multi-line string, the newlines, the ``|`` continuation marks and any ``//`` lines inside it.
        A preprocessor token is the whole ``#…`` line (``#Область Имя``); an annotation is ``&Имя``
        with its argument list when present (``&Перед("Метод")``).
    ``line``, ``column``
        1-based position of the token's first character (column counts characters, not bytes).

    Whitespace and newlines are not emitted; comments are emitted only with ``keep_comments=True``.
    Keywords are recognised in any letter case, in Russian and English; use ``token.text.lower()``
    or ``KEYWORDS[token.text.lower()]`` (the English canonical name) to compare them.
    Anything the lexer does not recognise (a stray character) comes out as an ``operator`` token of
    one character, so a rule never loses its place in a broken module.

``code_view(text) -> CodeView``
    The parser's fast path. It blanks out comments, preprocessor lines and annotations and replaces
    every string literal by a placeholder ``"<index>"`` (keeping the literal's newlines), all in one
    ``re.sub`` pass, so later passes run plain regular expressions over code only and never match
    inside a comment or a string. Line structure is preserved exactly: line *n* of ``code`` is line
    *n* of the module. The literals, preprocessor lines and annotations are kept with their lines.

Strings: ``"…"`` with ``""`` as an escaped quote; a literal continues on the next line when that line
starts (after blanks) with ``|``; ``//`` comment lines between continuation lines belong to the literal,
as the 1C platform allows. A literal left open at the end of a line ends there (a syntax error in 1C,
but one broken literal must not swallow the rest of the module).
"""

from __future__ import annotations

import os
import re
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np


class TokenKind:
    KEYWORD = "keyword"
    IDENTIFIER = "identifier"
    NUMBER = "number"
    STRING = "string"
    DATE = "date"
    OPERATOR = "operator"
    PREPROCESSOR = "preprocessor"
    ANNOTATION = "annotation"
    LABEL = "label"
    COMMENT = "comment"


class Token(NamedTuple):
    kind: str
    text: str
    line: int
    column: int


# Lower-cased keyword -> English canonical spelling. 1C keywords are case-insensitive and bilingual.
KEYWORDS: dict[str, str] = {}
for _ru, _en in [
    ("Процедура", "Procedure"),
    ("Функция", "Function"),
    ("КонецПроцедуры", "EndProcedure"),
    ("КонецФункции", "EndFunction"),
    ("Экспорт", "Export"),
    ("Знач", "Val"),
    ("Перем", "Var"),
    ("Асинх", "Async"),
    ("Ждать", "Await"),
    ("Если", "If"),
    ("Тогда", "Then"),
    ("ИначеЕсли", "ElsIf"),
    ("Иначе", "Else"),
    ("КонецЕсли", "EndIf"),
    ("Для", "For"),
    ("Каждого", "Each"),
    ("Из", "In"),
    ("По", "To"),
    ("Пока", "While"),
    ("Цикл", "Do"),
    ("КонецЦикла", "EndDo"),
    ("Прервать", "Break"),
    ("Продолжить", "Continue"),
    ("Попытка", "Try"),
    ("Исключение", "Except"),
    ("ВызватьИсключение", "Raise"),
    ("КонецПопытки", "EndTry"),
    ("Возврат", "Return"),
    ("Перейти", "Goto"),
    ("Новый", "New"),
    ("И", "And"),
    ("ИЛИ", "Or"),
    ("НЕ", "Not"),
    ("Истина", "True"),
    ("Ложь", "False"),
    ("Неопределено", "Undefined"),
    ("Null", "Null"),
    ("ДобавитьОбработчик", "AddHandler"),
    ("УдалитьОбработчик", "RemoveHandler"),
]:
    KEYWORDS[_ru.lower()] = _en
    KEYWORDS[_en.lower()] = _en

# The literal and skip patterns shared by tokenize() and code_view().
COMMENT = r"//[^\n]*"
# Blank lines are tolerated between continuation lines: code_view() empties whole-line comments first.
STRING = r'"[^"\n]*(?:(?:""|\n[ \t]*(?:(?://[^\n]*)?\n[ \t]*)*\|)[^"\n]*)*"?'
PREPROCESSOR = r"\#[^\n]*"
ANNOTATION = r"&[^\W\d]\w*(?:[ \t]*\([^)\n]*\))?"

_TOKEN = re.compile(
    rf"""
    (?P<ws>[ \t\r\f\v\ufeff\xa0]+)
    |(?P<nl>\n)
    |(?P<comment>{COMMENT})
    |(?P<string>{STRING})
    |(?P<date>'[^'\n]*'?)
    |(?P<preprocessor>{PREPROCESSOR})
    |(?P<annotation>{ANNOTATION})
    |(?P<label>~[^\W\d]\w*)
    |(?P<number>\d+(?:\.\d+)?)
    |(?P<word>[^\W\d]\w*)
    |(?P<operator><>|<=|>=|[-+*/%=<>()\[\],;.?:])
    |(?P<other>.)
    """,
    re.VERBOSE,
)


def tokenize(text: str, *, keep_comments: bool = False) -> Iterator[Token]:
    """Yield the tokens of a module's text (see the module docstring for the token API)."""
    line = 1
    line_start = 0
    for m in _TOKEN.finditer(text):
        kind = m.lastgroup
        start = m.start()
        if kind == "nl":
            line += 1
            line_start = m.end()
            continue
        if kind == "ws":
            continue
        value = m.group()
        if kind == "comment":
            if keep_comments:
                yield Token(TokenKind.COMMENT, value, line, start - line_start + 1)
            continue
        if kind == "word":
            kind = TokenKind.KEYWORD if value.lower() in KEYWORDS else TokenKind.IDENTIFIER
        elif kind == "other":
            kind = TokenKind.OPERATOR
        yield Token(kind, value, line, start - line_start + 1)
        if kind == TokenKind.STRING and "\n" in value:
            # A multi-line literal moves the line counter itself: the next token is on a later line.
            line += value.count("\n")
            line_start = start + value.rindex("\n") + 1


@dataclass(slots=True)
class StringLiteral:
    """A string literal as written (with quotes), and the module line it starts on."""

    text: str
    line: int


@dataclass(slots=True)
class CodeView:
    """A module's code with comments, preprocessor lines and annotations blanked and strings replaced.

    ``code`` has the same lines as the module; literal *i* is written there as ``"i"`` followed by as
    many newlines as the literal spans. ``preprocessor`` and ``annotations`` are ``(line, text)`` pairs in
    text order (comments after a preprocessor instruction stripped).
    """

    code: str
    strings: list[StringLiteral] = field(default_factory=list)
    preprocessor: list[tuple[int, str]] = field(default_factory=list)
    annotations: list[tuple[int, str]] = field(default_factory=list)


# No capturing groups: a group around the first alternative hides its leading character from the regex
# engine's fast scan (measured on SSL: 0.25 s instead of 1.15 s). The alternatives start with distinct
# characters, so the first character tells which one matched.
_SKIP = re.compile(f"{STRING}|{COMMENT}|{PREPROCESSOR}|{ANNOTATION}")


def lower(text: str) -> str:
    """``text.lower()``: in C (``_scan.lower``) when the extension was built and no character needs
    str.lower's own handling (capital sigma, dotted capital I): 0.43 s against 2.1-2.2 s of
    str.lower over the code views of the ERP-size copy's modules, whose Cyrillic takes the slow way there."""
    if _scan is not None and (lowered := _scan.lower(text)) is not None:
        return lowered
    return text.lower()


def line_starts(text: str) -> list[int]:
    """Offsets where each line begins: ``line_starts(t)[n - 1]`` is the start of line ``n``; one more
    entry, ``len(t) + 1``, ends the last line (so line ``n`` is ``t[starts[n - 1] : starts[n] - 1]``)."""
    # The newlines found by numpy over the text's code points: half the time of splitting the text
    # into lines and summing their lengths, and this runs several times on every module (the parser's
    # passes and the rules' views). "surrogatepass": a text may hold a lone surrogate.
    points = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), np.uint32)
    ends = np.flatnonzero(points == 10)
    ends += 1
    return [0, *ends.tolist(), len(text) + 1]


def line_of(starts: list[int], pos: int) -> int:
    """1-based line of offset ``pos`` given ``line_starts``."""
    return bisect_right(starts, pos)


# Whole-line comments (most comments: doc blocks) go in a callback-free pass first; in the module's
# lines they can only be comments, also between the lines of a multi-line literal.
_COMMENT_LINE = re.compile(r"\n[ \t]*//[^\n]*")


def code_view(text: str) -> CodeView:
    """Blank comments, preprocessor lines and annotations; replace literals by indexed placeholders.

    In C (``_scan.lexer_view``) when the extension was built, else :func:`code_view_python`; the two
    give the same view (tests/unit/bsl/test_scan_speedups.py).
    """
    if _scan is None:
        return code_view_python(text)
    code, strings, preprocessor, annotations = _scan.lexer_view(text, StringLiteral)
    return CodeView(code, strings, preprocessor, annotations)


def code_view_python(text: str) -> CodeView:
    """:func:`code_view` with the regular expressions above: the reference for the C version."""
    view = CodeView("")
    strings = view.strings
    text = _COMMENT_LINE.sub("\n", "\n" + text)[1:]
    count = text.count
    # The line of a match: the matches come in text order, so count the newlines since the last one.
    last = [0, 1]  # offset, line there

    def line_at(pos: int) -> int:
        line = last[1] + count("\n", last[0], pos)
        last[0], last[1] = pos, line
        return line

    def replace(m: re.Match[str]) -> str:
        value = m.group()
        first = value[0]
        if first == "/":
            return ""
        if first == '"':
            strings.append(StringLiteral(value, line_at(m.start())))
            return f'"{len(strings) - 1}' + "\n" * value.count("\n") + '"'
        line = line_at(m.start())
        if first == "#":
            view.preprocessor.append((line, value.split("//", 1)[0].strip()))
        else:
            view.annotations.append((line, value))
        return ""

    view.code = _SKIP.sub(replace, text)
    return view


def _speedups():
    """The C passes of ``_scan.c`` (code views, word counts, complexity, declaration, call and
    query-table sites), unless they were not built or ``ONEC_ANALYSIS_PURE_PYTHON`` is set."""
    if os.environ.get("ONEC_ANALYSIS_PURE_PYTHON"):
        return None
    try:
        from onec_analysis.bsl import _scan as module
    except ImportError:  # installed without a C compiler: the Python views, slower
        return None
    return module


_scan = _speedups()
