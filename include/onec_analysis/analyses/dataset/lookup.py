"""The rows of a big table whose key is one of a few keys, without holding the table in memory.

The dataset is built one batch of modules at a time; each batch needs the methods of its modules,
their calls and their findings. Those tables are sorted by a key that is ordered like the modules
(method id, caller module), so a batch's rows sit in one narrow stretch of the table: a Parquet file
is read only in the row groups whose key statistics overlap the batch's key range, an in-memory
table through a sort order of its key. Either gives exactly the rows with a wanted key, in table
order; an unsorted table is still read right, only slower (more row groups overlap the range).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from onec_analysis.snapshot.io import RowTaker


def _key_range(keys: pa.Array) -> tuple[str, str] | None:
    """``(smallest, largest)`` of *keys*, None when there is no non-null key."""
    bounds = pc.min_max(keys)
    low, high = bounds["min"].as_py(), bounds["max"].as_py()
    return None if low is None else (low, high)


class FileLookup:
    """Rows of a Parquet file by key, reading only the row groups that may hold a wanted key.

    The last group read by one call is kept for the next: neighbouring batches share the group at
    their boundary, which is then read once.
    """

    def __init__(self, path: Path, key: str, columns: list[str]) -> None:
        self.file = pq.ParquetFile(path, pre_buffer=False)
        self.key, self.columns = key, columns
        meta = self.file.metadata
        leaf = next(i for i in range(meta.num_columns) if meta.schema.column(i).path == key)
        # (min, max) of the key in each row group; None (read it always) without statistics
        self.bounds: list[tuple[str, str] | None] = []
        for group in range(meta.num_row_groups):
            stats = meta.row_group(group).column(leaf).statistics
            has_bounds = stats is not None and stats.has_min_max
            self.bounds.append((stats.min, stats.max) if has_bounds else None)
        self._kept: dict[int, pa.Table] = {}

    @property
    def schema(self) -> pa.Schema:
        return pa.schema([self.file.schema_arrow.field(name) for name in self.columns])

    def groups(self, keys: pa.Array) -> list[int]:
        """The row groups whose key range overlaps that of *keys*."""
        span = _key_range(keys)
        if span is None:
            return []
        low, high = span
        return [
            group
            for group, bounds in enumerate(self.bounds)
            if bounds is None or (bounds[0] <= high and bounds[1] >= low)
        ]

    def rows(self, keys: pa.Array) -> pa.Table:
        """The rows whose key is in *keys*, in file order."""
        pieces, kept = [], {}
        for group in self.groups(keys):
            table = self._kept.get(group)
            if table is None:
                table = self.file.read_row_group(group, columns=self.columns, use_threads=False)
            kept = {group: table}
            pieces.append(table.filter(pc.is_in(table[self.key], value_set=keys)))
            del table
        self._kept = kept
        return pa.concat_tables(pieces) if pieces else self.schema.empty_table()


class _SortedKeys:
    """The key column seen through its sort order, as a sequence for ``bisect``."""

    def __init__(self, column: pa.ChunkedArray, order: np.ndarray) -> None:
        self.column, self.order = column, order

    def __len__(self) -> int:
        return len(self.order)

    def __getitem__(self, position: int) -> str:
        return self.column[int(self.order[position])].as_py()


class TableLookup:
    """Rows of an in-memory table by key: the key is sorted once, a lookup is two binary searches."""

    def __init__(self, table: pa.Table, key: str) -> None:
        self.table, self.key = table, key
        column = table[key]
        order = pc.sort_indices(column).to_numpy()  # nulls last
        self._sorted = _SortedKeys(column, order[: len(column) - column.null_count])
        self._rows = RowTaker(table)

    @property
    def schema(self) -> pa.Schema:
        return self.table.schema

    def rows(self, keys: pa.Array) -> pa.Table:
        """The rows whose key is in *keys*, in table order."""
        span = _key_range(keys)
        if span is None:
            return self.schema.empty_table()
        first, end = bisect_left(self._sorted, span[0]), bisect_right(self._sorted, span[1])
        table = self._rows.take(np.sort(self._sorted.order[first:end]))
        return table.filter(pc.is_in(table[self.key], value_set=keys))


def write_sorted(table: pa.Table, key: str, path: Path, group_rows: int = 16 * 1024) -> None:
    """Write *table* to *path* sorted by *key*, in row groups of *group_rows*, for a ``FileLookup``.

    The sort is stable (rows of one key keep their order) and the rows without a key are left out.
    Uncompressed: the file is scratch, read back once.
    """
    column = table[key]
    order = pc.sort_indices(column).to_numpy()[: len(column) - column.null_count]  # nulls sort last
    rows = RowTaker(table)
    with pq.ParquetWriter(path, table.schema, compression="none") as writer:
        if not len(order):
            writer.write_table(table.schema.empty_table())
        for start in range(0, len(order), group_rows):
            writer.write_table(rows.take(order[start : start + group_rows]), row_group_size=group_rows)
