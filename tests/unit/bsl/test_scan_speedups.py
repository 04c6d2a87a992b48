"""The C passes (``onec_analysis.bsl._scan``) give exactly what their Python twins give.

The Python versions (``lexer.code_view_python``, ``rules.source._code_view_python``, the rules'
``Counter`` of ``_IDENTIFIER``, ``complexity.method_complexity_python``,
``declarations.declaration_sites_python``, ``calls.call_sites_python``,
``queries.table_sites_python``, ``module.code_lines_python``, ``declarations.doc_comment_python``,
``rules.line_length.long_lines_python``, ``str.lower``) are the reference: regular expressions and
string methods whose behaviour the other tests pin down. The C versions must agree on any text — generated here
from the pieces that decide what is code (quotes doubled, unclosed or continued with ``|`` after
blank and comment lines, ``//`` and ``/``, ``#``, annotations with and without arguments, digits and
letters after ``&``, letters whose lower case is not one character, keyword soups cut anywhere, type
words in three spellings beside the letters re's IGNORECASE would equate with theirs) — and on every
module of both real SSL configurations.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from onec_analysis.bsl import _scan as scan
from onec_analysis.bsl import lexer
from onec_analysis.bsl.calls import call_sites_python
from onec_analysis.bsl.complexity import method_complexity, method_complexity_python
from onec_analysis.bsl.declarations import declaration_sites_python, doc_comment_python, remove_deleted_blocks
from onec_analysis.bsl.lexer import StringLiteral, code_view, code_view_python, line_starts
from onec_analysis.bsl.module import CallContext, _lower, code_lines_python, parse_module
from onec_analysis.bsl.queries import TABLE_TYPES, table_sites_python
from onec_analysis.rules import source
from onec_analysis.rules.line_length import long_lines_python
from onec_analysis.rules.source import _IDENTIFIER, _code_view, _code_view_python

_PIECES = [
    "имя", "Имя", "ИМЯ", "name", "_x", "1", "²", "٣", "Σ", "İ", "é", " ", "\t", "\xa0", "\r",
    '"', '""', "//", "/", "#", "&", "&1", "&_", "&НаСервере", "&Вместо(", "(", ")", "|", ";", "=", ".",
]  # fmt: skip
_LINE = st.lists(st.sampled_from(_PIECES), max_size=10).map("".join)
_TEXTS = st.lists(
    st.one_of(_LINE, _LINE.map("|".__add__), _LINE.map(" //".__add__), st.just("")), max_size=10
).map("\n".join)


def test_the_extension_is_built_and_used_here() -> None:
    # `make setup` builds it. Where it was not built everything still works, only slower; on the
    # machines this project's tests run on it must be there, and the views must be the C ones.
    assert lexer._scan is scan


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
@example('а = "x\n  // c\n\n  |y""z" + &Ann (1)\n#Если Сервер // к\n  // док\nб = 1; &2')
@example('"\n|')  # a literal continued into a line that ends the text
@example('"\n//')  # a comment line after an open literal, at the end of the text
def test_lexer_view_equals_the_regular_expressions(text: str) -> None:
    assert code_view(text) == code_view_python(text)


@settings(max_examples=3000, deadline=None)
@given(_TEXTS)
@example('а = "x\n  // c\n  |y""z" // к\n&НаКлиенте\nİ = Σ')
def test_rules_view_equals_the_regular_expressions(text: str) -> None:
    assert _code_view(text, None) == _code_view_python(text, None)
    lower = text.lower()
    if len(lower) == len(text) and "Σ" not in text:
        assert _code_view(text, lower) == _code_view_python(text, lower)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(st.sampled_from([*_PIECES, "ё", "Ё", "я", "а", "z", "a", "0", "9", "ж_1"]), max_size=30).map(
        "".join
    )
)
@example("а1 = аб_в.x2 + 1abc; abéc ёж ёж Ж")
def test_identifier_counts_equal_counting_the_regular_expression(code: str) -> None:
    assert scan.identifier_counts(code) == Counter(_IDENTIFIER.findall(code))
    assert scan.identifier_counts(code.lower()) == Counter(_IDENTIFIER.findall(code.lower()))


def test_identifier_counts_keep_counting_as_their_table_grows() -> None:
    # Thousands of distinct words (the table starts with room for 128 and doubles), words that
    # differ only in their last letter, and each word again after all the others: exact counts,
    # in the order of first occurrence, as Counter gives them.
    words = [f"имя{n}" for n in range(3000)] + [f"x{'ab' * (n % 7)}ж{n % 10}" for n in range(500)]
    code = " ".join(words) + ".\n" + "(".join(reversed(words)) + " ё_ё1 " * 3
    expected = Counter(_IDENTIFIER.findall(code))
    counted = scan.identifier_counts(code)
    assert counted == expected
    assert list(counted) == list(expected)
    assert counted["имя2999"] == 2 and counted["ё_ё1"] == 3


_COMPLEXITY_PIECES = [
    "если", "тогда", "иначеесли", "иначе", "конецесли", "для", "каждого", "из", "по", "пока", "цикл",
    "конеццикла", "попытка", "исключение", "конецпопытки", "перейти", "и", "или", "не", "возврат",
    "if", "then", "elsif", "else", "endif", "for", "while", "do", "enddo", "try", "except", "endtry",
    "goto", "and", "or", "not", "return", "а", "б1", "и1", "_и", "²", "?", "?(", "? (", "(", ")", "[",
    "]", ",", ";", ".", "=", "<", "+", "%", " ", "\n", "\t", "\xa0", "1",
]  # fmt: skip


@settings(max_examples=4000, deadline=None)
@given(
    st.lists(st.sampled_from(_COMPLEXITY_PIECES), max_size=40).map("".join),
    st.integers(0, 6),
    st.integers(0, 6),
    st.integers(0, 2),
)
@example("если а и б или не (в и г) тогда ф(а и б, ?(в или г, 1, 2)) конецесли", 0, 0, 0)
@example("попытка и исключение если а.и и б тогда конецесли конецпопытки", 0, 0, 1)
def test_method_complexity_equals_the_regular_expressions(
    code: str, cut_start: int, cut_end: int, recursive: int
) -> None:
    # Bodies cut anywhere, also inside a word: the scan sees the text around them as re does.
    start, end = min(cut_start, len(code)), max(len(code) - cut_end, 0)
    assert method_complexity(code, start, end, recursive) == method_complexity_python(
        code, start, end, recursive
    )


# Headers and end keywords: the words with blanks, digits, underscores and "(" around them, cut
# anywhere, on lines that start with blanks or not.
_DECLARATION_PIECES = [
    "процедура", "функция", "procedure", "function", "асинх", "async", "конецпроцедуры",
    "конецфункции", "endprocedure", "endfunction", "к", "e", "имя", "x", "_", "1", "é", "²", " ",
    "\t", "\n", "(", ")", ".", "=", ";",
]  # fmt: skip


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_DECLARATION_PIECES), max_size=30).map("".join), st.integers(0, 3))
@example("асинх  процедура ф( а )\nконецпроцедуры", 0)
@example("\nфункция\tимя1 (\n xконецфункции конецфункции_ endfunction", 0)
def test_declaration_sites_equal_the_regular_expressions(low: str, cut: int) -> None:
    low = low[cut:]
    assert scan.declaration_sites(low) == declaration_sites_python(low)


@settings(max_examples=3000, deadline=None)
@given(
    st.lists(
        st.sampled_from(["а", "модуль", "x", "_", "1", "2b", "é", "²", ".", " ", "\t", "\n", "(", ")", ","]),
        max_size=30,
    ).map("".join)
)
@example("общ.метод(1); ф( а . б .в(); 1а.б(); х.9у(")
def test_call_sites_equal_the_backward_regular_expression(low: str) -> None:
    assert scan.call_sites(low) == call_sites_python(low)


# Each type word in three spellings, with ".", "&", digits and letters around it; the characters
# that re's IGNORECASE would equate with a letter of a type word (ı, ſ, K, ᲃ) must not match.
_TABLE_PIECES = sorted(
    {spelling for word in TABLE_TYPES for spelling in (word, word.upper(), word.capitalize())}
) + ["Имя", "x", "_", "1", "²", ".", ".", "&", " ", "\n", "(", ",", "ı", "ſ", "K", "ᲃ", "İ"]


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_TABLE_PIECES), max_size=12).map("".join))
@example("ВЫБРАТЬ * ИЗ Справочник.Банки.Реквизиты КАК Т, РегистрСведений.Курсы.СрезПоследних(&П)")
@example("&Справочник.Х .Документ.Y Catalog.1a enum.Ok.2 ınformationregister.X ſequence.Y")
def test_table_sites_equal_the_regular_expression(text: str) -> None:
    assert scan.table_sites(text) == table_sites_python(text)


# What decides whether a line is code: blanks and tabs before it, other whitespace, "/" alone or
# doubled, anything else.
_CODE_LINE_PIECES = ["\n", " ", "\t", "\xa0", "\u2028", "\r", "/", "//", "а", "x", ";"]


@settings(max_examples=4000, deadline=None)
@given(
    st.lists(st.sampled_from(_CODE_LINE_PIECES), max_size=30).map("".join),
    st.integers(-2, 32),
    st.integers(-2, 34),
)
@example("\n  /\n\t//\n\xa0x\n;", 0, 99)
@example("\n /", 0, 2)  # cut before the "/": a blank line
@example("\n//", 0, 2)  # cut between the slashes: "/" with nothing after it counts, as re sees it
def test_code_lines_equal_the_regular_expression(text: str, start: int, end: int) -> None:
    assert scan.code_lines(text, start, end) == code_lines_python(text, max(start, 0), min(end, len(text)))


_DOC_PIECES = ["\n", " ", "\t", "\xa0", "\u2028", "\r", "/", "//", "///", "// ", "а", "x", "Процедура"]


@settings(max_examples=4000, deadline=None)
@given(st.lists(st.sampled_from(_DOC_PIECES), max_size=30).map("".join), st.integers(0, 40))
@example("// a\n//  b \n\t///c\nПроцедура", 3)
@example("//\n// \n", 2)  # empty comment lines stay in the block, as empty lines
@example(" x // not a line comment\n// y\n", 2)
def test_doc_comment_equals_the_line_by_line_reference(text: str, line: int) -> None:
    starts = line_starts(text)
    line = min(max(line, 1), len(starts) - 1)
    assert scan.doc_comment(text, starts[line - 1]) == doc_comment_python(text, starts, line)


_WIDTH_PIECES = ["\n", " ", "\t", "\xa0", "\u2028", "\r", "а", "x", "ab\tc", "\U0001f600", "\ud800"]


@settings(max_examples=4000, deadline=None)
@given(
    st.lists(st.sampled_from(_WIDTH_PIECES), max_size=40).map("".join),
    st.integers(0, 12),
    st.integers(0, 8),
)
@example("\tab\r\tcd\n  xxxxxxxxxx\n\n" + "y" * 30, 5, 4)  # "\r" sends the tab stops back
@example("\t\t\n", 3, 4)  # a line of blanks only: its column is past its end
def test_long_lines_equal_expanding_the_tabs(text: str, limit: int, tab: int) -> None:
    assert scan.long_lines(text, limit, tab) == long_lines_python(text, limit, tab)


def test_lower_is_str_lower_for_every_character_but_the_two_it_leaves_to_python() -> None:
    # Every code point on its own and all of them in one text, against str.lower. Capital sigma
    # lower-cases by its neighbours and dotted capital I to two characters: None sends those
    # texts to str.lower itself, which lexer.lower then calls.
    everything = "".join(chr(c) for c in range(0x110000) if c not in (0x3A3, 0x130))
    assert scan.lower(everything) == everything.lower()
    assert [chr(c) for c in range(0x110000) if len(chr(c).lower()) != 1] == ["\u0130"]
    for c in range(0x110000):
        if c not in (0x3A3, 0x130):
            assert scan.lower(chr(c)) == chr(c).lower(), hex(c)
    for text in ("ΑΣ", "ΑΣ Β", "İ", "Имя İ"):
        assert scan.lower(text) is None
        assert lexer.lower(text) == text.lower()
    assert scan.lower("") == ""
    assert scan.lower("ПРОЦЕДУРА Ёлка() ЭКСПОРТ") == "процедура ёлка() экспорт"
    assert scan.lower("\u212a").isascii()  # the Kelvin sign becomes "k": a narrower string


def test_the_keyword_tables_of_the_c_passes_are_the_python_ones() -> None:
    # The C tables are twins of TABLE_TYPES and the declaration words: each word is found exactly
    # as written, and a word that is one letter off is not.
    assert len(TABLE_TYPES) == 34
    for word in TABLE_TYPES:
        for spelling in (word, word.upper()):
            assert scan.table_sites(f" {spelling}.Имя") == [(1, 1 + len(word), 5 + len(word), 5 + len(word))]
        assert scan.table_sites(f" {word[:-1]}ъ.Имя") == []
    for keyword, is_function in [
        ("процедура", False), ("функция", True), ("procedure", False), ("function", True)
    ]:  # fmt: skip
        headers, _ = scan.declaration_sites(f"{keyword} ф()")
        assert headers == [(0, len(keyword) + 1, len(keyword) + 2, len(keyword) + 3, False, is_function)]
        assert scan.declaration_sites(f"{keyword[:-1]}ъ ф()") == ([], [])
    for end in ("конецпроцедуры", "конецфункции", "endprocedure", "endfunction"):
        assert scan.declaration_sites(f"; {end};") == ([], [2])


def test_both_views_agree_on_every_module_of_the_real_configurations(
    ssl_edt: Path, ssl_designer: Path
) -> None:
    files = sorted(ssl_edt.rglob("*.bsl")) + sorted(ssl_designer.rglob("*.bsl"))
    assert len(files) > 4000
    for path in files:
        text = path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff").replace("\r\n", "\n")
        assert code_view(text) == code_view_python(text), path
        lower = text.lower()
        lower = lower if len(lower) == len(text) and "Σ" not in text else None
        assert _code_view(text, lower) == _code_view_python(text, lower), path
        code = _code_view(text, lower)[0]
        assert scan.identifier_counts(code) == Counter(_IDENTIFIER.findall(code)), path
        view = code_view(text)
        remove_deleted_blocks(view)
        low = _lower(view.code)
        assert scan.declaration_sites(low) == declaration_sites_python(low), path
        assert scan.call_sites(low) == call_sites_python(low), path
        for literal in view.strings:
            assert scan.table_sites(literal.text) == table_sites_python(literal.text), path
        ntext = "\n" + text
        assert scan.code_lines(ntext, 0, len(ntext)) == code_lines_python(ntext), path
        assert scan.long_lines(text, 120, 4) == long_lines_python(text, 120, 4), path
        assert lexer.lower(text) == text.lower(), path
        starts = line_starts(text)
        for line in range(1, len(starts)):
            if text.startswith(("Процедура", "Функция", "Procedure", "Function"), starts[line - 1]):
                expected = doc_comment_python(text, starts, line)
                assert scan.doc_comment(text, starts[line - 1]) == expected, path


def test_the_parser_gives_the_same_rows_with_and_without_the_extension(
    ssl_edt: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    texts = [
        path.read_bytes().decode("utf-8", "replace").lstrip("\ufeff")
        for path in sorted(ssl_edt.rglob("*.bsl"))
    ]
    ctx = CallContext(
        frozenset({"ОбщегоНазначения", "СтроковыеФункцииКлиентСервер", "ОбщегоНазначенияКлиент"})
    )

    def parse_all() -> list:
        return [
            parse_module(text, module_id=f"M{n}", object_id=f"O{n}", configuration="c", ctx=ctx)
            for n, text in enumerate(texts)
        ]

    with_c = parse_all()
    monkeypatch.setattr(lexer, "_scan", None)
    assert parse_all() == with_c


def test_the_views_keep_their_types() -> None:
    view = code_view('а = "x";\n#Если Сервер Тогда\n&НаСервере')
    assert view.strings == [StringLiteral('"x"', 1)]
    assert view.preprocessor == [(2, "#Если Сервер Тогда")]
    assert view.annotations == [(3, "&НаСервере")]
    code, comments, literals = source._code_view('А = "x"; // к', None)
    assert (code, comments, literals) == ('а = " "; ', [(9, "// к")], [(4, 7)])


def test_bad_arguments_raise_instead_of_crashing() -> None:
    with pytest.raises(TypeError):
        scan.rules_view(b"bytes", "text")
    with pytest.raises(ValueError, match="differ in length"):
        scan.rules_view("ab", "abc")
    with pytest.raises(ZeroDivisionError):  # an error in the literal factory comes through
        scan.lexer_view('"x"', lambda text, line: 1 / 0)


def test_the_pure_python_switch_turns_the_extension_off() -> None:
    probe = "from onec_analysis.bsl import lexer; print(lexer._scan is None)"
    env = {**os.environ, "ONEC_ANALYSIS_PURE_PYTHON": "1"}
    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "True"
