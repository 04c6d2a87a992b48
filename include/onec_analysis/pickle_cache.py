"""A folder of pickled values under content keys: the rule engine's per-batch cache.

Each key's entry is written under a temporary name and renamed into place, so a reader (another
process may be reading while one writes) sees a whole entry or none. Any entry that cannot be read
back is a miss: the caller computes the value again.
"""

from __future__ import annotations

import os
import pickle
import uuid
from pathlib import Path
from typing import Any


def entry_path(folder: Path, key: str) -> Path:
    return Path(folder) / key[:2] / f"{key}.pickle"


def load(folder: Path, key: str) -> Any | None:
    """The value stored under *key*, or None when there is none (or it is damaged)."""
    try:
        with open(entry_path(folder, key), "rb") as handle:
            return pickle.load(handle)  # noqa: S301 - our own cache, written by store()
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        return None


def store(folder: Path, key: str, value: Any) -> None:
    """Store *value* under *key* atomically; OSError when the folder cannot take it."""
    path = entry_path(folder, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex[:8]}")
    try:
        with open(tmp, "wb") as handle:
            pickle.dump(value, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
