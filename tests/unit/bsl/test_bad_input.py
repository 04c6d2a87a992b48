"""Broken or unusual module text never loses the good parts."""

from __future__ import annotations

from onec_analysis.bsl import parse_module


def _parse(text: str):
    return parse_module(text, module_id="M", object_id="O", configuration="C")


def test_empty_module() -> None:
    mp = _parse("")
    assert (mp.lines, mp.ncloc, mp.methods, mp.calls, mp.query_tables) == (0, 0, [], [], [])


def test_unterminated_string_ends_at_its_line() -> None:
    text = 'Процедура А()\n\tТ = "не закрыта;\nКонецПроцедуры\n\nПроцедура Б()\n\tА();\nКонецПроцедуры\n'
    mp = _parse(text)
    assert [(m["name"], m["start_line"], m["end_line"]) for m in mp.methods] == [("А", 1, 3), ("Б", 5, 7)]
    assert [(c["line"], c["callee_method"], c["caller_method_id"]) for c in mp.calls] == [(6, "А", "M.Б")]


def test_unbalanced_preprocessor_and_regions() -> None:
    text = "#КонецОбласти\n#КонецЕсли\n#Иначе\nПроцедура А()\nКонецПроцедуры\n#Область Открытая\n"
    (method,) = _parse(text).methods
    assert (method["region"], method["preprocessor"]) == (None, None)
