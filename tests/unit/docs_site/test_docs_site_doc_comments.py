"""Doc comments split into the sections of 1C's documentation standard."""

from __future__ import annotations

from onec_analysis.docs_site.doc_comments import DocParam, parse_doc_comment


def test_standard_sections() -> None:
    doc = parse_doc_comment(
        " Возвращает ссылку на общий модуль по имени.\n\n Параметры:\n  Имя - Строка - имя общего модуля.\n"
        "  Параметры - Структура - настройки:\n   * Ключ - Строка - ключ.\n\n Возвращаемое значение:\n"
        '   ОбщийМодуль\n   МодульМенеджераОбъекта\n\n Пример:\n\tМодуль = ОбщегоНазначения.ОбщийМодуль("Х");\n'
    )
    assert doc is not None
    assert doc.description == "Возвращает ссылку на общий модуль по имени."
    assert doc.params == [
        DocParam("Имя", "Строка", "имя общего модуля."),
        DocParam("Параметры", "Структура", "настройки:\n* Ключ - Строка - ключ."),
    ]
    assert doc.returns == "ОбщийМодуль\nМодульМенеджераОбъекта"
    assert doc.example == 'Модуль = ОбщегоНазначения.ОбщийМодуль("Х");'
    assert not doc.deprecated


def test_english_sections_and_deprecated() -> None:
    doc = parse_doc_comment(
        "Deprecated. Use NewMethod.\nParameters:\n Name - String - the name.\nReturns:\n Boolean - True."
    )
    assert doc is not None and doc.deprecated
    assert doc.params == [DocParam("Name", "String", "the name.")]
    assert doc.returns == "Boolean - True."


def test_parameter_lines_without_the_standard_form_are_kept() -> None:
    doc = parse_doc_comment("Параметры:\n  см. ОбщегоНазначения.НовыйПараметр\n")
    assert doc is not None
    assert doc.params == []
    assert doc.params_text == "см. ОбщегоНазначения.НовыйПараметр"


def test_empty_comment_is_none() -> None:
    assert parse_doc_comment(None) is None
    assert parse_doc_comment("  \n ") is None
