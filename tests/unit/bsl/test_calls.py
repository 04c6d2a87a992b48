"""Calls to common modules (direct and through ОбщийМодуль("…")), managers and the module's own methods."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from onec_analysis.bsl.calls import call_sites, word_before
from onec_analysis.snapshot.schema import TABLES

M = "Catalog.Банки.ObjectModule"


def test_call_rows(parse_fixture) -> None:
    mp = parse_fixture("calls.bsl")
    assert all(list(row) == TABLES["calls"].names for row in mp.calls)
    assert {row["caller_module_id"] for row in mp.calls} == {M}
    assert {row["configuration"] for row in mp.calls} == {"Тест"}
    rows = [
        (c["line"], c["caller_method_id"], c["callee_object_id"], c["callee_method"], c["callee_kind"])
        for c in mp.calls
    ]
    assert rows == [
        (4, f"{M}.Заполнить", "CommonModule.ОбщегоНазначения", "СообщитьПользователю", "common_module"),
        # any letter case; the row names the module as the configuration spells it
        (5, f"{M}.Заполнить", "CommonModule.ОбщегоНазначения", "ЗначениеРеквизита", "common_module"),
        # lines 6-8: a comment, a string, and a property that happens to be called ОбщегоНазначения
        (9, f"{M}.Заполнить", "Catalog.Банки", "СоздатьЭлемент", "manager"),
        (10, f"{M}.Заполнить", "InformationRegister.КурсыВалют", "СоздатьНаборЗаписей", "manager"),
        (11, f"{M}.Заполнить", "Catalog.Currencies", "FindByCode", "manager"),
        (12, f"{M}.Заполнить", "AccumulationRegister.Остатки", "ПересчитатьИтоги", "manager"),
        # line 13 calls a method of a predefined value, not of the manager
        (14, f"{M}.Заполнить", "Catalog.Банки", "Вспомогательная", "local"),
        (15, f"{M}.Заполнить", "Catalog.Банки", "Вспомогательная", "local"),
        (16, f"{M}.Заполнить", "Catalog.Банки", "Вспомогательная", "local"),
        (21, f"{M}.Динамические", "CommonModule.ОбщегоНазначения", "ПодсистемаСуществует", "common_module"),
        (22, f"{M}.Динамические", "CommonModule.ОбщегоНазначения", "ОбщийМодуль", "common_module"),
        (23, f"{M}.Динамические", "CommonModule.УправлениеПечатью", "Напечатать", "common_module_dynamic"),
        (25, f"{M}.Динамические", "CommonModule.ОбщегоНазначенияКлиент", "ОбщийМодуль", "common_module"),
        (
            25,
            f"{M}.Динамические",
            "CommonModule.РаботаСФайламиКлиент",
            "ОткрытьФайл",
            "common_module_dynamic",
        ),
        (26, f"{M}.Динамические", "CommonModule.Common", "CommonModule", "common_module"),
        (27, f"{M}.Динамические", "CommonModule.FilesOperations", "Attach", "common_module_dynamic"),
        # line 31: МодульПечать was assigned in another method, so it is not resolved here
        (35, None, "Catalog.Банки", "Вспомогательная", "local"),  # module body
    ]


# --- the backward scan finds exactly the sites of the forward pattern it replaced ----------------

# The definition: a forward scan from each word (what the parser ran before, 7x slower).
_FORWARD = re.compile(r"\b(?:([^\W\d]\w*+)[ \t]*+\.[ \t]*+)?([^\W\d]\w*+)[ \t]*+\(")


def _forward_sites(low: str) -> list[tuple[int, int, int, int, int]]:
    return [(m.start(1), m.end(1), m.start(2), m.end(2), m.end()) for m in _FORWARD.finditer(low)]


# Pieces that make the tricky neighbourhoods: chains, digits at word starts, blanks around dots,
# Cyrillic and Latin words, underscores, a newline between qualifier and name.
_PIECES = st.sampled_from(
    ["а", "модуль", "x", "_", "1", "2b", "é", ".", " ", "\t", "\n", "(", ")", "=", ",", "ф1", "общиймодуль"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_call_sites_equal_the_forward_scan(low: str) -> None:
    assert call_sites(low) == _forward_sites(low)


def test_call_sites_examples() -> None:
    low = "общ.метод(1); ф( а . б .в(); 1а.б(); х.9у("
    assert call_sites(low) == _forward_sites(low)
    assert [low[s:e] for _, _, s, e, _ in call_sites(low)] == ["метод", "ф", "в", "б"]


_PREVIOUS_FORWARD = re.compile(r"([^\W\d]\w*)[ \t]*\.[ \t]*\Z")


@settings(max_examples=400, deadline=None)
@given(st.lists(_PIECES, max_size=40).map("".join), st.integers(0, 200))
def test_word_before_equals_the_forward_search(low: str, at: int) -> None:
    position = min(at, len(low))
    forward = _PREVIOUS_FORWARD.search(low, max(0, position - 80), position)
    expected = None if forward is None else (forward.start(1), forward.group(1))
    assert word_before(low, low[::-1], position) == expected


def test_word_before_examples() -> None:
    low = "справочники.банки.x 1ab . c.d" + "я" * 90 + ".e"
    assert word_before(low, low[::-1], low.index("банки")) == (0, "справочники")
    assert word_before(low, low[::-1], low.index("c.")) == (21, "ab")  # from the first non-digit on
    assert word_before(low, low[::-1], len(low) - 1) == (len(low) - 81, "я" * 79)  # the 80-character window
