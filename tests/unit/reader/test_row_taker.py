"""RowTaker: rows of a many-chunk table by index, as ``Table.take`` gives them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from onec_analysis.snapshot.io import RowTaker

SCHEMA = pa.schema([("id", pa.string()), ("calls", pa.list_(pa.string()))])


def many_chunks() -> pa.Table:
    parts = [
        pa.table({"id": [f"m{i}" for i in range(start, start + size)],
                  "calls": [[f"c{i}"] * (i % 3) for i in range(start, start + size)]}, schema=SCHEMA)
        for start, size in ((0, 3), (3, 0), (3, 5), (8, 1), (9, 4))
    ]  # fmt: skip
    return pa.concat_tables(parts)


def test_rows_in_the_order_asked_across_chunks():
    table = many_chunks()
    rows = np.array([12, 0, 5, 5, 8, 2, 9])
    taken = RowTaker(table).take(rows)
    assert taken.column("id").num_chunks == 1
    assert taken.to_pylist() == table.take(pa.array(rows)).to_pylist()
    assert taken.column("id").to_pylist() == ["m12", "m0", "m5", "m5", "m8", "m2", "m9"]


def test_no_rows_and_an_empty_table():
    assert RowTaker(many_chunks()).take(np.array([], np.int64)).num_rows == 0
    empty = pa.table({"id": pa.array([], pa.string())})
    assert RowTaker(empty).take(np.array([], np.int64)).schema == empty.schema


def test_runs_of_neighbours_come_as_slices_and_other_rows_gathered():
    table = pa.concat_tables(
        [pa.table({"id": [f"m{start + i}" for i in range(20)]}) for start in (0, 20, 40)]
    )
    rows = np.r_[5:20, 20:40, 40:45]  # three runs of neighbours, one per chunk
    taken = RowTaker(table).take(rows, slices=True)
    assert taken.column("id").num_chunks == 3
    assert taken.to_pylist() == table.take(pa.array(rows)).to_pylist()
    scattered = np.array([12, 0, 5, 5, 8, 2, 9, 41, 40])  # runs too short: gathered into one chunk
    gathered = RowTaker(table).take(scattered, slices=True)
    assert gathered.column("id").num_chunks == 1
    assert gathered.to_pylist() == table.take(pa.array(scattered)).to_pylist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 12), max_size=40), st.booleans())
def test_with_or_without_slices_the_rows_are_those_of_take(picked, sort):
    table = many_chunks()
    rows = np.array(sorted(picked) if sort else picked, np.int64)
    expected = table.take(pa.array(rows, pa.int64())).to_pylist()
    assert RowTaker(table).take(rows, slices=True).to_pylist() == expected
    assert RowTaker(table).take(rows).to_pylist() == expected
