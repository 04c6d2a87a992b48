"""``read_bytes``: files read only from inside the source folder, whatever links lie on the way."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from onec_analysis.metadata.files import forget_real_paths, read_bytes
from onec_analysis.metadata.model import Project, UnitResult


@pytest.fixture
def project(tmp_path: Path) -> Project:
    source = tmp_path / "source"
    (source / "Catalogs" / "Склады").mkdir(parents=True)
    (source / "Catalogs" / "Склады" / "ObjectModule.bsl").write_bytes(b"inside")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "Secret.bsl").write_bytes(b"secret")
    forget_real_paths()
    return Project("Demo", source, "edt", "configuration", None, None, None, source)


def _read(project: Project, rel: str) -> tuple[bytes | None, list[tuple[str, str]]]:
    result = UnitResult()
    data = read_bytes(project, project.root / rel, result)
    return data, [(p["path"], p["kind"]) for p in result.problems]


def test_a_plain_file_is_read(project: Project) -> None:
    assert _read(project, "Catalogs/Склады/ObjectModule.bsl") == (b"inside", [])


def test_a_file_linked_outside_is_not_read(project: Project) -> None:
    os.symlink(project.root.parent / "outside" / "Secret.bsl", project.root / "Catalogs" / "Link.bsl")
    assert _read(project, "Catalogs/Link.bsl") == (None, [("Catalogs/Link.bsl", "symlink_outside")])


def test_a_file_linked_inside_is_read(project: Project) -> None:
    os.symlink(
        project.root / "Catalogs" / "Склады" / "ObjectModule.bsl", project.root / "Catalogs" / "Link.bsl"
    )
    assert _read(project, "Catalogs/Link.bsl") == (b"inside", [])


def test_a_folder_that_became_a_link_is_caught_after_forgetting(project: Project) -> None:
    rel = "Catalogs/Склады/ObjectModule.bsl"
    assert _read(project, rel)[0] == b"inside"  # the folder's real path is remembered now
    folder = project.root / "Catalogs" / "Склады"
    (folder / "ObjectModule.bsl").rename(project.root.parent / "outside" / "ObjectModule.bsl")
    folder.rmdir()
    os.symlink(project.root.parent / "outside", folder)
    forget_real_paths()  # what parse_source does when it starts
    assert _read(project, rel) == (None, [(rel, "symlink_outside")])


def test_missing_and_unreadable_files_are_problems(project: Project) -> None:
    assert _read(project, "Catalogs/Нет.bsl") == (None, [("Catalogs/Нет.bsl", "missing_file")])
    assert _read(project, "Catalogs/Склады") == (None, [("Catalogs/Склады", "unreadable")])


def test_a_file_below_a_linked_folder_several_levels_up_is_not_read(project: Project) -> None:
    # The real path of each folder is built from its parent's: a link two levels above the file
    # still decides, whichever folders were read before it.
    outside = project.root.parent / "outside" / "Forms" / "Форма" / "Ext"
    outside.mkdir(parents=True)
    (outside / "Form.xml").write_bytes(b"secret")
    os.symlink(project.root.parent / "outside", project.root / "Catalogs" / "Чужой")
    assert _read(project, "Catalogs/Склады/ObjectModule.bsl")[0] == b"inside"
    rel = "Catalogs/Чужой/Forms/Форма/Ext/Form.xml"
    assert _read(project, rel) == (None, [(rel, "symlink_outside")])


def test_a_source_folder_reached_through_a_link_is_read(project: Project, tmp_path: Path) -> None:
    os.symlink(project.root, tmp_path / "via-link")
    linked = Project(
        "Demo", tmp_path / "via-link", "edt", "configuration", None, None, None, tmp_path / "via-link"
    )
    assert _read(linked, "Catalogs/Склады/ObjectModule.bsl") == (b"inside", [])
