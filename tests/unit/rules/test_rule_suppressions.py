"""Suppression comments: BSLLS ranges and lines, АПК numbers mapped per rule, EDT's @skip-check."""

from __future__ import annotations

from onec_analysis.rules.engine import check_module
from tests.unit.rules.support import module_from_text


def lines_found(text: str, *rules: str) -> list[tuple[str, int]]:
    table, errors = check_module(module_from_text(text), only=rules or None)
    assert not errors
    return sorted(
        (row["rule"], row["line"]) for row in table.to_pylist() if not rules or row["rule"] in rules
    )


BODY = """#Область СлужебныеПроцедурыИФункции
Процедура Тест()
{lines}
КонецПроцедуры
#КонецОбласти
"""


def body(*lines: str) -> str:
    return BODY.format(lines="\n".join(lines))


def test_a_bslls_range_silences_only_its_rule_between_off_and_on() -> None:
    text = body(
        "\tСообщить(1);",  # 3
        "\t// BSLLS:DeprecatedMessage-off",  # 4
        "\tСообщить(2); Д = ТекущаяДата();",  # 5
        "\t// BSLLS:DeprecatedMessage-on",  # 6
        "\tСообщить(3);",  # 7
    )
    assert lines_found(text, "DeprecatedMessage", "DeprecatedCurrentDate") == [
        ("DeprecatedCurrentDate", 5),
        ("DeprecatedMessage", 3),
        ("DeprecatedMessage", 7),
    ]


def test_bslls_off_without_a_key_silences_every_rule_to_the_end_without_on() -> None:
    text = body("\tСообщить(1);", "\t// BSLLS-off", "\tСообщить(2); Д = ТекущаяДата();", "\tСообщить(3);")
    assert lines_found(text, "DeprecatedMessage", "DeprecatedCurrentDate") == [("DeprecatedMessage", 3)]


def test_a_trailing_off_silences_only_its_own_line() -> None:
    text = body("\tСообщить(1); // BSLLS:DeprecatedMessage-off", "\tСообщить(2);")
    assert lines_found(text, "DeprecatedMessage") == [("DeprecatedMessage", 4)]


def test_apk_numbers_silence_the_rules_that_list_them() -> None:
    text = body(
        "\t// АПК:143-выкл в фоновом задании нужна дата сервера",  # 3
        "\tД = ТекущаяДата(); Сообщить(Д);",  # 4
        "\t// АПК:143-вкл",  # 5
        "\tД = ТекущаяДата();",  # 6
    )
    # 143 is DeprecatedCurrentDate's check; DeprecatedMessage does not list it and still reports.
    assert lines_found(text, "DeprecatedMessage", "DeprecatedCurrentDate") == [
        ("DeprecatedCurrentDate", 6),
        ("DeprecatedMessage", 4),
    ]


def test_several_apk_numbers_in_one_comment() -> None:
    text = body(
        "\t// АПК:96-выкл, АПК:336-выкл - проектное решение", '\tЕсли РольДоступна("А") Тогда', "\tКонецЕсли;"
    )
    assert lines_found(text, "IsInRoleMethod") == []


def test_edt_skip_check_silences_the_next_code_line_or_its_own_line() -> None:
    text = body(
        "\tЗапрос = Новый Запрос;",  # 3
        "\tДля Каждого Строка Из Таблица Цикл",  # 4
        "\t\t// @skip-check query-in-loop - порционная обработка",  # 5
        "\t\tЗапрос.Выполнить();",  # 6
        "\t\tЗапрос.Выполнить(); // @skip-check query-in-loop",  # 7
        "\t\tЗапрос.Выполнить();",  # 8
        "\tКонецЦикла;",  # 9
    )
    assert lines_found(text, "CreateQueryInCycle") == [("CreateQueryInCycle", 8)]


def test_comments_that_only_mention_a_rule_do_not_silence_it() -> None:
    text = body("\t// См. также BSLLS и АПК в документации", "\tСообщить(1);")
    assert lines_found(text, "DeprecatedMessage") == [("DeprecatedMessage", 4)]
