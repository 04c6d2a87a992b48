"""``FolderListings``: a walk reuses the last walk's listing of a folder only while that folder is unchanged."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onec_analysis.metadata import files
from onec_analysis.metadata.files import FolderListings, walk_files


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    root = tmp_path / "source"
    (root / "Catalogs" / "Склады" / "Forms" / "ФормаЭлемента" / "Ext").mkdir(parents=True)
    (root / "Catalogs" / "Склады" / "Склады.mdo").write_text("mdo")
    (root / "Catalogs" / "Склады" / "ObjectModule.bsl").write_text("bsl")
    (root / "Catalogs" / "Склады" / "Forms" / "ФормаЭлемента" / "Form.form").write_text("form")
    (root / "Catalogs" / "Склады" / "Forms" / "ФормаЭлемента" / "Ext" / "Module.bsl").write_text("bsl")
    return root


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Folders count as settled as soon as they were changed (the tests' folders are seconds old)."""
    monkeypatch.setattr(files, "_SETTLED_NS", 0)


def _walk(root: Path, listings: FolderListings | None) -> list[str]:
    problems: list = []
    found = walk_files(root / "Catalogs" / "Склады", root, problems, listings=listings)
    assert problems == []
    return found


def _again(listings: FolderListings) -> FolderListings:
    return FolderListings(listings.taken)


def test_a_walk_with_listings_finds_what_a_plain_walk_finds(tree: Path, settled: None) -> None:
    listings = FolderListings()
    assert _walk(tree, listings) == _walk(tree, None)
    assert listings.listed == 4 and len(listings.taken) == 4 and listings.changed


def test_an_unchanged_tree_is_not_listed_again(tree: Path, settled: None) -> None:
    first = FolderListings()
    expected = _walk(tree, first)
    second = _again(first)
    assert _walk(tree, second) == expected
    assert second.listed == 0 and not second.changed


def test_a_file_added_or_removed_is_seen(tree: Path, settled: None) -> None:
    first = FolderListings()
    _walk(tree, first)
    form = tree / "Catalogs" / "Склады" / "Forms" / "ФормаЭлемента"
    (form / "Ext" / "Module.bsl").unlink()
    (form / "Ext" / "Template.txt").write_text("new")
    second = _again(first)
    assert _walk(tree, second) == [
        "Forms/ФормаЭлемента/Ext/Template.txt",
        "Forms/ФормаЭлемента/Form.form",
        "ObjectModule.bsl",
        "Склады.mdo",
    ]
    assert second.listed == 1  # only the folder that changed
    assert _walk(tree, FolderListings(second.taken)) == _walk(tree, None)


def test_a_folder_replaced_by_another_of_the_same_name_is_listed_again(tree: Path, settled: None) -> None:
    first = FolderListings()
    _walk(tree, first)
    forms = tree / "Catalogs" / "Склады" / "Forms"
    os.rename(forms / "ФормаЭлемента", tree / "old")
    (forms / "ФормаЭлемента").mkdir()
    (forms / "ФормаЭлемента" / "Form.form").write_text("other")
    second = _again(first)
    assert "Forms/ФормаЭлемента/Ext/Module.bsl" not in _walk(tree, second)
    assert second.listed >= 2


def test_a_folder_changed_just_now_is_not_remembered(tree: Path) -> None:
    # Its change time is within the clock-tick margin of the walk: a change in the same tick would
    # leave it as it is, so the listing must not be trusted next time.
    listings = FolderListings()
    _walk(tree, listings)
    assert listings.listed == 4 and listings.taken == {}
    assert _again(listings).known == {}


def test_a_link_is_followed_afresh_every_walk(tree: Path, settled: None) -> None:
    target = tree / "Catalogs" / "Склады" / "Forms" / "ФормаЭлемента" / "Ext"
    os.symlink(target / "Module.bsl", tree / "Catalogs" / "Склады" / "Linked.bsl")
    first = FolderListings()
    assert "Linked.bsl" in _walk(tree, first)
    (target / "Module.bsl").unlink()  # the link now dangles; its own folder did not change
    second = _again(first)
    assert "Linked.bsl" not in _walk(tree, second)


def test_damaged_known_listings_are_no_listings() -> None:
    assert FolderListings(None).known == {} and FolderListings(["not", "a", "dict"]).known == {}  # type: ignore[arg-type]
