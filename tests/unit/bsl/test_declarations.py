"""Method declarations: keywords in any case and language, headers over several lines, parameters,
directives and annotations, regions, preprocessor conditions, doc comments, line ranges, ids."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from onec_analysis.bsl import parse_module
from onec_analysis.snapshot.schema import TABLES

M = "Catalog.Банки.ObjectModule"
SUMMARY_COLUMNS = (
    "method_id",
    "kind",
    "is_async",
    "export",
    "directives",
    "annotations",
    "region",
    "preprocessor",
)
OR_CONDITION = "(Сервер Или ТолстыйКлиентОбычноеПриложение)"


def test_rows_have_exactly_the_schema_columns(parse_fixture) -> None:
    mp = parse_fixture("declarations.bsl")
    assert mp.methods
    assert all(list(row) == TABLES["methods"].names for row in mp.methods)


def test_module_lines_and_ncloc(parse_fixture) -> None:
    mp = parse_fixture("declarations.bsl")
    # 78 lines; blank lines and //-only lines do not count, preprocessor and | lines do.
    assert (mp.lines, mp.ncloc) == (78, 52)


def test_every_declaration_with_its_context(parse_fixture) -> None:
    rows = [tuple(m[c] for c in SUMMARY_COLUMNS) for m in parse_fixture("declarations.bsl").methods]
    assert rows == [
        (f"{M}.СуммаЗаказа", "Function", False, True, ["AtServer"], [], "ПрограммныйИнтерфейс", None),
        (f"{M}.ПустаяБезПараметров", "Procedure", False, False, [], [], "ПрограммныйИнтерфейс", None),
        (
            f"{M}.Многострочная", "Procedure", False, True, ["AtClientAtServerNoContext"], [],
            "СлужебныеПроцедурыИФункции/Вложенная", None,
        ),
        (f"{M}.EnglishAsync", "Procedure", True, True, ["AtClient"], [], "СлужебныеПроцедурыИФункции", None),
        (
            f"{M}.Расш_ПередЗаписью", "Procedure", False, False, [], ['Перед("ПередЗаписью")'],
            "СлужебныеПроцедурыИФункции", None,
        ),
        (
            f"{M}.Расш_Проверить", "Function", True, False, ["AtServer"], ['ИзменениеИКонтроль("Проверить")'],
            "СлужебныеПроцедурыИФункции", None,
        ),
        # The same name in two #If branches: both ids get "#<line>".
        (f"{M}.Вариант#62", "Procedure", False, False, [], [], None, f"{OR_CONDITION} И НЕ ВебКлиент"),
        (
            f"{M}.Вариант#65", "Procedure", False, False, [], [], None,
            f"{OR_CONDITION} И НЕ (НЕ ВебКлиент) И МобильныйКлиент",
        ),
        (
            f"{M}.ВИначе", "Procedure", False, False, [], [], None,
            f"{OR_CONDITION} И НЕ (НЕ ВебКлиент) И НЕ (МобильныйКлиент)",
        ),
    ]  # fmt: skip


def test_parameters_keep_val_and_defaults_as_written(parse_fixture) -> None:
    methods = {m["name"]: m for m in parse_fixture("declarations.bsl").methods}
    assert methods["СуммаЗаказа"]["params"] == [
        {"name": "Заказ", "by_value": True, "default": None},
        {"name": "Округлять", "by_value": False, "default": "Истина"},
        {"name": "Разделитель", "by_value": False, "default": '"строка, с запятой"'},
        {"name": "Сдвиг", "by_value": False, "default": "-1"},
    ]
    # Spread over lines, comments between parameters, ")" inside a default string, Экспорт on its own line.
    assert methods["Многострочная"]["params"] == [
        {"name": "Первый", "by_value": False, "default": None},
        {"name": "Второй", "by_value": True, "default": "Неопределено"},
        {"name": "Третий", "by_value": False, "default": '"а)б"'},
    ]
    assert methods["EnglishAsync"]["params"] == [{"name": "Param", "by_value": True, "default": None}]
    assert methods["ПустаяБезПараметров"]["params"] == []


def test_line_ranges_and_method_ncloc(parse_fixture) -> None:
    rows = [
        (m["name"], m["start_line"], m["end_line"], m["ncloc"])
        for m in parse_fixture("declarations.bsl").methods
    ]
    assert rows == [
        ("СуммаЗаказа", 9, 11, 3),
        ("ПустаяБезПараметров", 13, 14, 2),
        ("Многострочная", 25, 33, 7),  # the // lines between parameters and the blank line do not count
        ("EnglishAsync", 38, 39, 2),
        ("Расш_ПередЗаписью", 42, 43, 2),
        ("Расш_Проверить", 47, 55, 9),
        ("Вариант", 62, 63, 2),
        ("Вариант", 65, 66, 2),
        ("ВИначе", 68, 69, 2),
    ]


def test_doc_comment_is_the_block_right_above_the_directives(parse_fixture) -> None:
    methods = {m["name"]: m for m in parse_fixture("declarations.bsl").methods}
    assert methods["СуммаЗаказа"]["doc_comment"] == (
        "Возвращает сумму заказа.\n\nПараметры:\n  Заказ - ДокументСсылка.Заказ - чей итог.\n"
    )
    # A blank line between the comment and the method breaks the block.
    assert methods["Многострочная"]["doc_comment"] is None
    assert methods["ПустаяБезПараметров"]["doc_comment"] is None


def test_deleted_extension_code_does_not_count(parse_fixture) -> None:
    methods = {m["name"]: m for m in parse_fixture("declarations.bsl").methods}
    # "Если Б Тогда" sits in a #Удаление block: it is not code of the method.
    assert (methods["Расш_Проверить"]["cyclomatic"], methods["Расш_Проверить"]["cognitive"]) == (1, 0)


def test_declarations_in_comments_and_strings_are_ignored(parse_fixture) -> None:
    names = {m["name"] for m in parse_fixture("declarations.bsl").methods}
    assert not names & {"Ложная", "ВКомментарии", "ВСтроке"}


def test_missing_end_keyword_ends_the_method_before_the_next_one() -> None:
    text = "Процедура А()\n\tБ();\n\nПроцедура Б()\nКонецПроцедуры\n"
    mp = parse_module(text, module_id="M", object_id="O", configuration="C")
    assert [(m["name"], m["start_line"], m["end_line"]) for m in mp.methods] == [("А", 1, 3), ("Б", 4, 5)]


# --- ncloc: a line with something other than blanks and a // comment, counted line by line ----------

_LINES = st.sampled_from(
    [
        "Процедура А()",
        "Функция Б(Знач П) Экспорт",
        "КонецПроцедуры",
        "КонецФункции",
        "\tА = 1;",
        "  // комментарий",
        "",
        "   ",
        "/ деление",
        '  Текст = "строка',
        '  |продолжение";',
        "#Область Р",
        "\xa0х",
    ]
)


def _code_lines(text: str) -> int:
    rest = [line.lstrip(" \t") for line in text.split("\n")]
    return sum(1 for line in rest if line and not line[0].isspace() and not line.startswith("//"))


@settings(max_examples=300, deadline=None)
@given(st.lists(_LINES, max_size=25).map("\n".join))
def test_ncloc_of_module_and_methods_count_code_lines(text: str) -> None:
    mp = parse_module(text, module_id="M", object_id="O", configuration="C")
    assert mp.ncloc == _code_lines(text)
    lines = text.split("\n")
    for method in mp.methods:
        body = "\n".join(lines[method["start_line"] - 1 : method["end_line"]])
        assert method["ncloc"] == _code_lines(body)
