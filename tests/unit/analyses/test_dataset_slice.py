"""The dataset's code column: lines of a module's text cut on its UTF-8 bytes, as Python lines would be."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from onec_analysis.analyses.dataset.records import CodeColumn, slice_lines


def by_lines(text: str | None, start: int, end: int) -> str | None:
    """The definition: lines start..end of the text split at LF, or None when start is not a line."""
    lines = (text or "").split("\n")
    if start < 1 or end < 1 or start > len(lines):
        return None
    return "\n".join(lines[start - 1 : end])


LARGE = pa.large_string()


def sliced(
    texts: list[str | None], picks: list[tuple[int, int, int]], type_: pa.DataType = LARGE
) -> list[str | None]:
    module_of, starts, ends = np.array(picks, np.int64).reshape(-1, 3).T
    return slice_lines(pa.array(texts, type_), module_of, starts, ends).to_pylist()


def test_method_lines_of_each_module_with_multibyte_letters():
    texts = [
        'Процедура А()\n\tСообщить("Ё");\nКонецПроцедуры\n',
        "// пусто",
        "Функция Б()\n\tВозврат 1;\nКонецФункции",
    ]
    picks = [(0, 1, 3), (2, 1, 3), (2, 2, 2), (1, 1, 1), (0, 4, 4)]
    assert sliced(texts, picks) == [
        'Процедура А()\n\tСообщить("Ё");\nКонецПроцедуры',
        "Функция Б()\n\tВозврат 1;\nКонецФункции",
        "\tВозврат 1;",
        "// пусто",
        "",  # the empty line after the final LF is a line
    ]


def test_bounds_outside_the_text():
    texts = ["a\nb\nc", None]
    picks = [(0, 2, 9), (0, 3, 2), (0, 4, 4), (0, 0, 2), (0, 2, 0), (1, 1, 1), (1, 2, 2)]
    assert sliced(texts, picks) == ["b\nc", "", None, None, None, "", None]


def test_no_methods():
    none = np.zeros(0, np.int64)
    assert slice_lines(pa.array(["x"], pa.large_string()), none, none, none).to_pylist() == []


def test_a_slice_of_a_larger_array():
    texts = pa.array(["skip\nme", "one\ntwo", None], pa.large_string()).slice(1)
    code = slice_lines(texts, np.array([0, 0, 1]), np.array([2, 1, 1]), np.array([2, 1, 1]))
    assert code.to_pylist() == ["two", "one", ""]


def test_string_offsets_and_a_null_text_that_spans_bytes(monkeypatch):
    # snapshot texts are `string` (32-bit offsets), read in place; a null slot may keep its bytes
    assert sliced(["a\nb", None, "c"], [(0, 2, 2), (2, 1, 1)], pa.string()) == ["b", "c"]
    spanning = pa.StringArray.from_buffers(
        3, pa.py_buffer(np.array([0, 3, 6, 7], np.int32)), pa.py_buffer(b"a\nbx\nyc"),
        pa.py_buffer(np.packbits([1, 0, 1], bitorder="little")), 1,
    )  # fmt: skip
    assert spanning.to_pylist() == ["a\nb", None, "c"]
    # the newline scan goes a few bytes at a time, so a slice boundary falls inside the texts
    monkeypatch.setattr("onec_analysis.analyses.dataset.records._NEWLINE_SCAN_BYTES", 2)
    code = slice_lines(
        spanning, np.array([0, 0, 1, 1, 2]), np.array([1, 2, 1, 2, 1]), np.array([2, 2, 1, 2, 1])
    )
    assert code.to_pylist() == ["a\nb", "b", "", None, "c"]


line = st.text(alphabet=st.sampled_from(["a", "Я", "ё", " ", "\t", '"', "€", "😀"]), max_size=6)
module = st.one_of(st.none(), st.lists(line, max_size=6).map("\n".join))


@settings(max_examples=300, deadline=None)
@given(
    texts=st.lists(module, min_size=1, max_size=4),
    bounds=st.lists(st.tuples(st.integers(0, 3), st.integers(-1, 8), st.integers(-1, 8)), max_size=12),
)
def test_same_as_splitting_into_lines(texts, bounds):
    picks = [(which % len(texts), start, end) for which, start, end in bounds]
    expected = [by_lines(texts[which], start, end) for which, start, end in picks]
    assert sliced(texts, picks) == expected
    assert sliced(texts, picks, pa.string()) == expected
    # the same built from two pieces of the texts, as a batch of records is
    code, cut = CodeColumn(), len(texts) // 2
    for first, end in ((0, cut), (cut, len(texts))):
        mine = [(which - first, start, end_) for which, start, end_ in picks if first <= which < end]
        module_of, starts, ends = np.array(mine, np.int64).reshape(-1, 3).T
        code.add(pa.array(texts[first:end], pa.string()), module_of, starts, ends)
    in_pieces = sorted(picks, key=lambda pick: pick[0] >= cut)  # stable: by piece, then as picked
    assert code.array().to_pylist() == [by_lines(texts[which], start, end) for which, start, end in in_pieces]
