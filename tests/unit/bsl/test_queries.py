"""Metadata tables named in query texts."""

from __future__ import annotations

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
