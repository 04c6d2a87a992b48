"""Deterministic train/validation/test assignment by a hash of the method id."""

from __future__ import annotations

from collections import Counter

import pyarrow as pa

from onec_analysis.analyses.dataset.split import SPLITS, split_of, splits_of


def test_split_depends_on_the_id_only_and_never_changes() -> None:
    # Golden values: BLAKE2b is fixed, so these hold on every machine and every Python version.
    # A change here moves methods between splits of published datasets — do it on purpose only.
    assert split_of("CommonModule.ОбщегоНазначения.Module.СообщитьПользователю") == "train"
    assert split_of("Catalog.Банки.ObjectModule.ПередЗаписью") == "test"
    assert split_of("Document.Order.Form.Doc.Module.Recalc") == "train"
    assert split_of("Ext:Catalog.Customers.ObjectModule.Ext_BeforeWrite") == "train"
    assert split_of("CommonModule.ОбщегоНазначения.Module.Метод0") == "validation"


def test_split_sizes_are_80_10_10() -> None:
    ids = [f"CommonModule.M{i // 50}.Module.Method{i}" for i in range(20_000)]
    counts = Counter(splits_of(pa.array(ids)).to_pylist())
    assert set(counts) == set(SPLITS)
    assert abs(counts["train"] / 20_000 - 0.8) < 0.01
    assert abs(counts["validation"] / 20_000 - 0.1) < 0.01
    assert abs(counts["test"] / 20_000 - 0.1) < 0.01


def test_adding_methods_keeps_every_existing_assignment() -> None:
    before = [f"Catalog.C{i}.ObjectModule.M" for i in range(500)]
    after = before[:250] + [f"Document.D{i}.ObjectModule.New" for i in range(300)] + before[250:]
    old = dict(zip(before, splits_of(pa.array(before)).to_pylist(), strict=True))
    new = dict(zip(after, splits_of(pa.chunked_array([after])).to_pylist(), strict=True))
    assert all(new[method_id] == split for method_id, split in old.items())


def test_the_column_at_once_gives_each_ids_own_split() -> None:
    ids = [f"Catalog.C{i}.ObjectModule.Метод{i % 7}" for i in range(3_000)]
    assert splits_of(pa.array(ids)).to_pylist() == [split_of(method_id) for method_id in ids]
