"""Read the EDT ML dataset's splits for one model, with errors that say which model, file and what.

The dataset is the folder ``edt-analysis dataset`` writes: ``data/{train,validation,test}-00000-of-00001.parquet``
(one row per BSL method; columns in ``onec_analysis.analyses.dataset.records``). Only the columns a
model needs are read, so the classification model does not pay for the findings and vice versa.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

SPLITS = ("train", "validation", "test")


class DatasetError(ValueError):
    """A split a model cannot learn from: names the model, the file and what was wrong."""


def split_file(folder: Path, split: str) -> Path:
    return Path(folder) / "data" / f"{split}-00000-of-00001.parquet"


@dataclass
class Splits:
    """The three splits of a dataset as data frames, and who reads them (for error messages)."""

    folder: Path
    label: str
    frames: dict[str, pd.DataFrame]

    def __getitem__(self, split: str) -> pd.DataFrame:
        return self.frames[split]

    def file(self, split: str) -> Path:
        return split_file(self.folder, split)

    def fail(self, split: str, what: str) -> DatasetError:
        """The exception to raise when *split* does not hold what the model needs."""
        return DatasetError(f"{self.label}: {self.file(split)}: {what}")

    def require(self, split: str, rows: int, what: str) -> None:
        """Raise when *split* has no usable row; *what* says which rows were looked for."""
        if rows == 0:
            raise self.fail(split, f"no {what} ({len(self[split])} rows in the split)")


def load_splits(folder: Path | str, columns: list[str], label: str) -> Splits:
    """The *columns* of the train, validation and test splits of the dataset in *folder*.

    Raises DatasetError (naming *label*, the file and the problem) when the folder is not a
    dataset, a split file is missing or unreadable, lacks a column, or has no rows.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DatasetError(f"{label}: {folder}: dataset folder does not exist")
    frames = {}
    for split in SPLITS:
        path = split_file(folder, split)
        if not path.is_file():
            raise DatasetError(f"{label}: {path}: {split} split is missing (is {folder} an ML dataset?)")
        try:
            schema = pq.read_schema(path)
            missing = [column for column in columns if column not in schema.names]
            if missing:
                raise DatasetError(f"{label}: {path}: missing column(s) {', '.join(missing)}")
            frame = pq.read_table(path, columns=columns).to_pandas()
        except (OSError, pa.ArrowException) as exc:
            raise DatasetError(f"{label}: {path}: not a readable Parquet file ({exc})") from None
        if frame.empty:
            raise DatasetError(f"{label}: {path}: the {split} split has no rows")
        frames[split] = frame
    return Splits(folder, label, frames)
