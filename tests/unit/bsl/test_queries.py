"""Metadata tables named in query texts."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from onec_analysis.bsl import queries
from onec_analysis.snapshot.schema import TABLES

M = "Catalog.Банки.ObjectModule"


def test_query_table_rows(parse_fixture) -> None:
    mp = parse_fixture("queries.bsl")
    assert all(list(row) == TABLES["query_tables"].names for row in mp.query_tables)
    assert {(r["module_id"], r["configuration"]) for r in mp.query_tables} == {(M, "Тест")}
    rows = [(r["line"], r["method_id"], r["table_name"], r["object_id"]) for r in mp.query_tables]
    assert rows == [
        # ЗНАЧЕНИЕ(Справочник.Валюты…) on line 6 is a predefined value, not a table
        (8, f"{M}.Выборка", "Справочник.Банки", "Catalog.Банки"),
        (9, f"{M}.Выборка", "РегистрСведений.КурсыВалют.СрезПоследних", "InformationRegister.КурсыВалют"),
        # line 11 is a // line inside the literal; "Документ.Ссылка" on line 13 is a field of the alias
        (12, f"{M}.Выборка", "Документ.Заказ.Товары", "Document.Заказ"),
        # line 15: a type in ВЫРАЗИТЬ(… КАК Справочник.Контрагенты) is not a table
        (
            18,
            f"{M}.Выборка",
            "РегистрНакопления.Остатки.Остатки",
            "AccumulationRegister.Остатки",
        ),  # concatenated
        (23, f"{M}.Фрагмент", "Catalog.Banks", "Catalog.Banks"),  # a fragment after ИЗ
        # line 24 is a message, not a query
        (25, f"{M}.Фрагмент", "InformationRegister.Rates.SliceLast", "InformationRegister.Rates"),
    ]


def test_a_type_word_matches_in_any_letter_case_and_nothing_else() -> None:
    # "ı" (dotless i) and "ᲃ" (a Cyrillic "с" variant) are equal to "i" and "с" under re's
    # IGNORECASE, but their lower case is no type word: they once failed the type lookup and with
    # it the whole unit. Only a type word's letters, in either case, make a table.
    from onec_analysis.bsl.module import parse_module

    text = (
        "Процедура П()\n"
        '\tЗ = "ВЫБРАТЬ * ИЗ ınformationregister.X, ᲃправочник.Y, СПРАВОЧНИК.Z, catalog.W";\n'
        "КонецПроцедуры\n"
    )
    rows = parse_module(text, module_id="M", object_id="O", configuration="c").query_tables
    assert [(r["table_name"], r["object_id"]) for r in rows] == [
        ("СПРАВОЧНИК.Z", "Catalog.Z"),
        ("catalog.W", "Catalog.W"),
    ]


_BEFORE_PIECES = [
    "из",
    "ИЗ",
    "Как",
    "значение",
    "x_1",
    "_",
    "²",
    " ",
    "\t",
    "\n",
    "\xa0",
    "|",
    "(",
    ",",
    ".",
    ")",
]


@settings(max_examples=5000, deadline=None)
@given(st.lists(st.sampled_from(_BEFORE_PIECES), max_size=40).map("".join), st.integers(0, 90))
@example("ВЫБРАТЬ * ИЗ\n\t|", 14)
@example("ЗНАЧЕНИЕ (", 10)
@example(", (", 3)  # "(" after a comma: neither
@example("слово |(", 8)  # "|" between the word and "(": neither
@example("x" * 70 + " ", 71)  # a word longer than the window is cut at the window
def test_the_word_before_a_table_is_what_the_regular_expression_finds(text: str, start: int) -> None:
    start = min(start, len(text))
    m = queries._BEFORE.search(text, max(0, start - 60), start)
    expected = (
        (m.group(1).lower() if m.group(1) else "", bool(m.group(2)), bool(m.group(3)))
        if m
        else ("", False, False)
    )
    assert queries._before(text, start) == expected
