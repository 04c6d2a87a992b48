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
