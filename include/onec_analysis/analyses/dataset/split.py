"""Deterministic train / validation / test assignment by a hash of the method's stable id.

A method's split depends on its own id only (BLAKE2b, so the same on every machine and Python
version, unlike ``hash()``): adding or removing other methods never moves it, and a method keeps its
split across snapshots of the same configuration as long as its id (module and name) is unchanged.
"""

from __future__ import annotations

from hashlib import blake2b

import pyarrow as pa

SPLITS = ("train", "validation", "test")
# Cumulative upper bounds of the 100 hash buckets: 0-79 train, 80-89 validation, 90-99 test.
_BOUNDS = (80, 90, 100)


#: The split of each of the 100 buckets.
_BUCKETS = tuple(next(n for n, b in zip(SPLITS, _BOUNDS, strict=True) if bucket < b) for bucket in range(100))


def split_of(method_id: str) -> str:
    return _BUCKETS[int.from_bytes(blake2b(method_id.encode("utf-8"), digest_size=8).digest(), "big") % 100]


def splits_of(method_ids: pa.Array | pa.ChunkedArray) -> pa.Array:
    """The split of every id, as a dictionary-free string array aligned with *method_ids*."""
    return pa.array([split_of(method_id) for method_id in method_ids.to_pylist()], type=pa.string())
