"""RowTaker: rows of a many-chunk table by index, as ``Table.take`` gives them."""

from __future__ import annotations

import numpy as np
import pyarrow as pa

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
