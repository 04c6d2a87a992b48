"""Bad input becomes one problem row each, and the good objects beside it are still read."""

from __future__ import annotations

import os
import shutil
import time

import pytest

from onec_analysis.metadata import NotAConfiguration, detect_source
from onec_analysis.metadata.safe_xml import XmlProblem, parse_bytes


@pytest.fixture()
def project_copy(tmp_path, sample_root):
    """A writable copy of the sample's main configuration."""
    target = tmp_path / "source" / "DemoConfiguration"
    shutil.copytree(sample_root / "DemoConfiguration", target)
    return target


def _drop(project, fixtures_dir, fixture, folder, name):
    obj_dir = project / "src" / folder / name
    obj_dir.mkdir(parents=True)
    shutil.copy(fixtures_dir / "bad" / fixture, obj_dir / f"{name}.mdo")
    return f"DemoConfiguration/src/{folder}/{name}/{name}.mdo"


def _problems_by_path(rows):
    return {p["path"]: p for p in rows["problems"]}


@pytest.mark.parametrize(
    ("fixture", "kind", "line"),
    [
        ("malformed.mdo", "malformed_xml", 6),
        ("cp1251.mdo", "not_utf8", 3),
        ("unknown_root.mdo", "unknown_element", 1),
        ("billion_laughs.mdo", "unsafe_xml", 1),
        ("xxe.mdo", "unsafe_xml", 1),
    ],
)
def test_bad_object_file_is_one_problem(project_copy, fixtures_dir, read_all, fixture, kind, line):
    path = _drop(project_copy, fixtures_dir, fixture, "Catalogs", "Испорченный")
    rows = read_all(project_copy.parent)
    problems = _problems_by_path(rows)
    assert list(problems) == [path]
    assert problems[path]["kind"] == kind
    assert problems[path]["line"] == line
    assert problems[path]["message"]
    ids = {o["object_id"] for o in rows["objects"]}
    assert "Catalog.Испорченный" not in ids
    # the neighbours are all there
    assert {
        "Catalog.Номенклатура",
        "Catalog.Контрагенты",
        "Catalog.Склады",
        "Document.РеализацияТоваров",
    } <= ids


def test_billion_laughs_does_not_expand(fixtures_dir):
    data = (fixtures_dir / "bad" / "billion_laughs.mdo").read_bytes()
    started = time.perf_counter()
    with pytest.raises(XmlProblem) as exc:
        parse_bytes(data)
    assert exc.value.kind == "unsafe_xml"
    assert time.perf_counter() - started < 1.0


def test_xxe_never_reads_the_file(fixtures_dir, project_copy, read_all):
    _drop(project_copy, fixtures_dir, "xxe.mdo", "Catalogs", "Утечка")
    rows = read_all(project_copy.parent)
    assert "root:" not in repr(rows)  # no line of /etc/passwd anywhere in any row


def test_unknown_type_folder(project_copy, read_all):
    (project_copy / "src" / "Gizmos" / "Штука").mkdir(parents=True)
    rows = read_all(project_copy.parent)
    problems = _problems_by_path(rows)
    assert problems["DemoConfiguration/src/Gizmos"]["kind"] == "unknown_type"
    assert "Gizmos" in problems["DemoConfiguration/src/Gizmos"]["message"]
    assert "Catalog.Номенклатура" in {o["object_id"] for o in rows["objects"]}


def test_symlink_outside_is_not_followed(project_copy, tmp_path, read_all):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Module.bsl").write_text("Процедура Секрет() КонецПроцедуры\n", encoding="utf-8")
    (outside / "Чужой").mkdir()
    os.symlink(outside / "Module.bsl", project_copy / "src" / "Catalogs" / "Склады" / "ManagerModule.bsl")
    os.symlink(outside / "Чужой", project_copy / "src" / "Catalogs" / "Чужой")
    rows = read_all(project_copy.parent)
    problems = _problems_by_path(rows)
    for path in (
        "DemoConfiguration/src/Catalogs/Склады/ManagerModule.bsl",
        "DemoConfiguration/src/Catalogs/Чужой",
    ):
        assert problems[path]["kind"] == "symlink_outside"
        assert str(outside) in problems[path]["message"]
    assert "Catalog.Склады.ManagerModule" not in {m.module_id for m in rows["modules"]}
    assert "Catalog.Склады" in {o["object_id"] for o in rows["objects"]}


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file(project_copy, read_all):
    mdo = project_copy / "src" / "Catalogs" / "Склады" / "Склады.mdo"
    mdo.chmod(0)
    try:
        rows = read_all(project_copy.parent)
    finally:
        mdo.chmod(0o644)
    problems = _problems_by_path(rows)
    assert problems["DemoConfiguration/src/Catalogs/Склады/Склады.mdo"]["kind"] == "unreadable"
    assert "Catalog.Контрагенты" in {o["object_id"] for o in rows["objects"]}


def test_object_file_that_cannot_be_read(project_copy, read_all):
    """Works as root too: a folder where the .mdo should be cannot be read as a file."""
    mdo = project_copy / "src" / "Catalogs" / "Склады" / "Склады.mdo"
    mdo.unlink()
    mdo.mkdir()
    rows = read_all(project_copy.parent)
    problem = _problems_by_path(rows)["DemoConfiguration/src/Catalogs/Склады/Склады.mdo"]
    assert problem["kind"] == "unreadable"
    assert "Catalog.Склады" not in {o["object_id"] for o in rows["objects"]}
    assert "Catalog.Контрагенты" in {o["object_id"] for o in rows["objects"]}


def test_parser_itself_never_expands_entities():
    """Even past the DOCTYPE gate, the shared parser keeps entities unexpanded and loads nothing."""
    from lxml import etree

    from onec_analysis.metadata.safe_xml import make_parser

    data = b'<!DOCTYPE r [<!ENTITY e SYSTEM "file:///etc/passwd"><!ENTITY a "aaaa">]><r><x>&e;</x><y>&a;&a;</y></r>'
    root = etree.fromstring(data, make_parser())
    assert "root:" not in etree.tostring(root, encoding="unicode").replace("&e;", "")
    assert (root.find("y").text or "") == ""


def test_malformed_form_keeps_the_object(project_copy, read_all):
    form = project_copy / "src" / "Catalogs" / "Номенклатура" / "Forms" / "ФормаЭлемента" / "Form.form"
    form.write_text(
        "<form:Form xmlns:form='http://g5.1c.ru/v8/dt/form'><handlers><event>X</event>", encoding="utf-8"
    )
    rows = read_all(project_copy.parent)
    problems = _problems_by_path(rows)
    rel = "DemoConfiguration/src/Catalogs/Номенклатура/Forms/ФормаЭлемента/Form.form"
    assert problems[rel]["kind"] == "malformed_xml"
    assert "Catalog.Номенклатура" in {o["object_id"] for o in rows["objects"]}
    assert "Catalog.Номенклатура.Form.ФормаЭлемента.Module" in {m.module_id for m in rows["modules"]}


@pytest.mark.parametrize("content", [None, "random"])
def test_not_a_configuration(tmp_path, content):
    if content:
        (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
        (tmp_path / "sub").mkdir()
        (tmp_path / "sub" / "data.xml").write_text("<a/>", encoding="utf-8")
    with pytest.raises(NotAConfiguration) as exc:
        detect_source(tmp_path)
    message = str(exc.value)
    assert message.startswith(f"{tmp_path}: not a 1C configuration: ")
    assert "\n" not in message


def test_not_a_folder(tmp_path):
    with pytest.raises(NotAConfiguration, match="not a folder"):
        detect_source(tmp_path / "missing")


def test_protected_module_listed_from_bin(project_copy, read_all):
    """A module shipped without source (only Module.bin, bytes FF FF FF 7F) is still listed."""
    folder = project_copy / "src" / "CommonModules" / "ПродажиПовтИсп"
    (folder / "Module.bsl").unlink()
    (folder / "Module.bin").write_bytes(b"\xff\xff\xff\x7f" + b"\x00" * 32)
    rows = read_all(project_copy.parent)
    module = next(m for m in rows["modules"] if m.module_id == "CommonModule.ПродажиПовтИсп.Module")
    assert module.path == "DemoConfiguration/src/CommonModules/ПродажиПовтИсп/Module.bin"
    assert module.module_type == "CommonModule"
    assert (
        rows["problems"] == []
    )  # reporting it as protected is the orchestrator's job, once it reads the bytes


def test_declared_non_utf8_encoding(project_copy, read_all):
    mdo = project_copy / "src" / "Catalogs" / "Склады" / "Склады.mdo"
    text = mdo.read_text(encoding="utf-8").replace('encoding="UTF-8"', 'encoding="windows-1251"')
    mdo.write_bytes(text.encode("cp1251"))
    rows = read_all(project_copy.parent)
    problem = _problems_by_path(rows)["DemoConfiguration/src/Catalogs/Склады/Склады.mdo"]
    assert problem["kind"] == "not_utf8"
    assert "windows-1251" in problem["message"]


def test_designer_unknown_child_element(tmp_path, fixtures_dir, read_all):
    dump = tmp_path / "dump"
    shutil.copytree(fixtures_dir / "designer-demo", dump)
    xml = dump / "Catalogs" / "Номенклатура.xml"
    text = xml.read_text(encoding="utf-8").replace(
        "<ChildObjects>", "<ChildObjects>\n\t\t\t<Gadget>Штука</Gadget>", 1
    )
    xml.write_text(text, encoding="utf-8")
    rows = read_all(dump)
    (problem,) = rows["problems"]
    assert (problem["path"], problem["kind"]) == ("Catalogs/Номенклатура.xml", "unknown_element")
    assert "Gadget" in problem["message"] and problem["line"] > 1
    assert "Catalog.Номенклатура" in {o["object_id"] for o in rows["objects"]}


def test_designer_object_folder_linked_outside_spares_the_xml(tmp_path, fixtures_dir, read_all):
    dump = tmp_path / "dump"
    shutil.copytree(fixtures_dir / "designer-demo", dump)
    outside = tmp_path / "elsewhere"
    shutil.move(dump / "Catalogs" / "Номенклатура", outside)
    os.symlink(outside, dump / "Catalogs" / "Номенклатура")
    rows = read_all(dump)
    (problem,) = rows["problems"]
    assert (problem["path"], problem["kind"]) == ("Catalogs/Номенклатура", "symlink_outside")
    assert "Catalog.Номенклатура" in {o["object_id"] for o in rows["objects"]}
    assert not [m for m in rows["modules"] if m.object_id == "Catalog.Номенклатура"]


def test_nested_subsystem_linked_outside_is_not_read(project_copy, tmp_path, read_all):
    nested = project_copy / "src" / "Subsystems" / "Продажи" / "Subsystems" / "Документы"
    outside = tmp_path / "elsewhere-subsystem"
    shutil.move(nested, outside)
    os.symlink(outside, nested)
    rows = read_all(project_copy.parent)
    problems = _problems_by_path(rows)
    assert (
        problems["DemoConfiguration/src/Subsystems/Продажи/Subsystems/Документы"]["kind"] == "symlink_outside"
    )
    ids = {o["object_id"] for o in rows["objects"]}
    assert "Subsystem.Продажи" in ids
    assert not any(i.startswith("Subsystem.Продажи.Subsystem.") for i in ids)


def test_read_refuses_a_path_through_a_linked_parent(project_copy, tmp_path):
    """read_bytes resolves every component, not only the last one."""
    from onec_analysis.metadata.files import read_bytes
    from onec_analysis.metadata.model import UnitResult

    outside = tmp_path / "far"
    outside.mkdir()
    (outside / "X.mdo").write_text("<a/>", encoding="utf-8")
    os.symlink(outside, project_copy / "src" / "Catalogs" / "Ссылка")
    project = detect_source(project_copy.parent).projects[0]
    result = UnitResult()
    assert read_bytes(project, project_copy / "src" / "Catalogs" / "Ссылка" / "X.mdo", result) is None
    assert result.problems[0]["kind"] == "symlink_outside"


def test_stray_bsl_is_reported_not_dropped(project_copy, read_all):
    stray = project_copy / "src" / "Catalogs" / "Склады" / "Templates" / "Макет" / "Module.bsl"
    stray.parent.mkdir(parents=True)
    stray.write_text("Процедура А()\nКонецПроцедуры\n", encoding="utf-8")
    rows = read_all(project_copy.parent)
    problem = _problems_by_path(rows)["DemoConfiguration/src/Catalogs/Склады/Templates/Макет/Module.bsl"]
    assert problem["kind"] == "unknown_module"
    assert "Catalog" in problem["message"]


def test_unexpected_structure_becomes_a_problem(project_copy, read_all, monkeypatch):
    """A reader bug on one object is reported for that object; the others are still read."""
    from onec_analysis.metadata import extract

    original = extract.RowBuilder.object_contents

    def explode(self, bare_id, type_, node):
        if bare_id == "Catalog.Склады":
            raise KeyError("surprise")
        return original(self, bare_id, type_, node)

    monkeypatch.setattr(extract.RowBuilder, "object_contents", explode)
    rows = read_all(project_copy.parent)
    problem = _problems_by_path(rows)["DemoConfiguration/src/Catalogs/Склады/Склады.mdo"]
    assert problem["kind"] == "reader_error" and "surprise" in problem["message"]
    ids = {o["object_id"] for o in rows["objects"]}
    assert "Catalog.Склады" not in ids and "Catalog.Контрагенты" in ids


def test_configuration_folder_linked_outside_lists_no_modules(project_copy, tmp_path, read_all):
    folder = project_copy / "src" / "Configuration"
    outside = tmp_path / "elsewhere-configuration"
    shutil.move(folder, outside)
    os.symlink(outside, folder)
    rows = read_all(project_copy.parent)
    assert not [m for m in rows["modules"] if m.object_id == "Configuration"]
    problems = _problems_by_path(rows)
    assert problems["DemoConfiguration/src/Configuration"]["kind"] == "symlink_outside"
