"""The shortcuts of the rules' shared views give what their plain definitions give, on any text.

Texts are drawn from the pieces that decide what is code: quotes (doubled, unclosed, continued with
``|`` on the next line), comments, preprocessor lines, annotations, words that contain each other, and
the letters whose lower case is not one character on its own (İ, Σ).
"""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st

from onec_analysis.rules.code_out_of_region import _inside
from onec_analysis.rules.create_query_in_cycle import _CALL, _Calls
from onec_analysis.rules.source import Method, ModuleSource, Region, _code_view, _starts_of, line_starts
from onec_analysis.rules.suppressions import _MARK, _marks
from onec_analysis.rules.unused_local_method import _used, _used_in_text

_PIECES = [
    "имя", "Имя", "имя1", "1имя", "имяб", "бимя", "_имя", "ИМЯ", "name", "Σ", "İ", "ё", "é", "x",
    " ", "\t", '"', '""', "//", "/", "#", "&", "&Вместо(", ")", "(", ".", ",", ";", "=",
]  # fmt: skip
_LINE = st.lists(st.sampled_from(_PIECES), max_size=8).map("".join)
texts = st.lists(st.one_of(_LINE, _LINE.map("|".__add__)), max_size=8).map("\n".join)


@settings(max_examples=1500, deadline=None)
@given(texts)
def test_the_code_view_over_the_lower_cased_text_is_the_plain_one(text: str) -> None:
    module = ModuleSource("m", None, "CommonModule", None, text)
    plain = _code_view(text, None)
    assert module._code_and_comments == plain
    if module.lower_is_charwise:
        assert _code_view(text, text.lower()) == plain


@settings(max_examples=1500, deadline=None)
@given(texts, st.sampled_from(["имя", "name", "имя1", "_имя", "x"]), st.integers(1, 4), st.integers(0, 3))
def test_unused_local_method_shortcut_agrees_with_the_scan(
    text: str, name: str, start: int, length: int
) -> None:
    method = _method(name, start, start + length)
    module = ModuleSource("m", None, "CommonModule", None, text, methods=[method])
    assert _used(module, name, method) == _used_in_text(module, name, method)


_CALL_PIECES = ["а", "аб", "абв", "аб1", "1", "²", "é", "_", ".", "~", "(", " ", "\t", "\n", "/", '"', ";"]


@settings(max_examples=1500, deadline=None)
@given(
    st.lists(st.sampled_from(_CALL_PIECES), max_size=30).map("".join),
    st.sets(st.sampled_from(["а", "аб", "абв", "аб1", "абé", "é", "²а"]), max_size=4),
    st.sets(st.sampled_from(["а", "аб", "абв", "аб1", "абé", "é", "²а"]), max_size=3),
)
@example("а(а(", {"а"}, {"а"})  # calls of one name, in the order of the module
def test_create_query_in_cycle_call_index_agrees_with_find_all(text: str, names: set, anchors: set) -> None:
    methods = [_method(name, 1, 1) for name in sorted(names)]  # the index holds the module's own methods
    module = ModuleSource("m", None, "CommonModule", None, text, methods=methods)
    expected = [
        (call.start(), call.end(), call.group(1))
        for call in module.find_all(_CALL, sorted(anchors))
        if call.group(1) in names
    ]
    assert _Calls(module).of(names, sorted(anchors)) == expected


_MARK_PIECES = [
    "bslls",
    "bsl",
    "ls",
    ":",
    "-",
    "off",
    "on",
    "апк:",
    "апк",
    "12",
    "выкл",
    "вкл",
    "@skip-check",
    " ",
    "x",
]


@settings(max_examples=800, deadline=None)
@given(st.lists(st.sampled_from(_MARK_PIECES), max_size=20).map("".join))
def test_suppression_marks_are_the_ones_the_pattern_finds(text: str) -> None:
    def found(marks):
        return [(mark.span(), mark.groups()) for mark in marks]

    assert found(_marks(text)) == found(_MARK.finditer(text))


@given(st.text(st.characters(blacklist_categories=()), max_size=60) | st.text("ab\n\r\t", max_size=30))
def test_line_starts_are_the_sums_of_line_lengths(text: str) -> None:
    assert line_starts(text) == _starts_of(text.split("\n"))


@given(st.lists(st.tuples(st.integers(1, 15), st.integers(0, 6)), max_size=6))
def test_lines_inside_regions_are_the_ones_some_region_holds(spans: list) -> None:
    regions = [Region("r", start, start + length, 1, 0) for start, length in spans]
    inside = _inside(regions)
    for line in range(0, 25):
        assert inside(line) == any(r.start_line < line < r.end_line for r in regions)


def _method(name: str, start_line: int, end_line: int) -> Method:
    return Method(
        method_id=f"m.{name}", name=name, kind="Procedure", export=False, directives=(), param_names=(),
        optional_params=0, region=None, has_description=False, start_line=start_line, end_line=end_line,
        ncloc=1, cyclomatic=1, cognitive=0,
    )  # fmt: skip
