"""list_units / read_unit: one unit = one top-level object folder (or the Configuration itself).

A unit never looks at another unit's files, so any subset of units (a shard) can be read in any
process in any order and the rows are the same.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from . import forms
from .extract import RowBuilder
from .files import FolderListings, inside, outside_link, read_bytes, walk_files
from .layout import LAYOUTS
from .model import Project, Unit, UnitResult
from .modules import CONFIGURATION_STEMS, MODULE_SUFFIXES, configuration_module, module_for, prefer_source
from .safe_xml import XmlProblem, local, parse_bytes
from .types import FOLDER_TYPES

CONFIGURATION = "Configuration"
# Designer dump root entries that are not type folders.
_DESIGNER_NON_TYPE_DIRS = frozenset({"Ext"})


def _configuration_files(project: Project) -> tuple[Path, list[Path]]:
    """(Configuration.mdo/xml, the application/session module files beside it)."""
    if project.format == "edt":
        main = project.metadata_root / CONFIGURATION / "Configuration.mdo"
        module_dir = main.parent
    else:
        main = project.root / "Configuration.xml"
        module_dir = project.root / "Ext"
    # Module files are read later by the orchestrator from abs_path, so nothing outside may be listed.
    extra = sorted(
        p
        for p in module_dir.glob("*.*")
        if p.suffix in MODULE_SUFFIXES and p.stem in CONFIGURATION_STEMS and inside(p, project.source_root)
    )
    return main, extra


def list_units(project: Project) -> list[Unit]:
    """Every unit of *project*: the objects of each type folder in turn, then the Configuration.

    The same as :func:`type_folders`, :func:`type_units` of each and :func:`configuration_unit`,
    which let a caller list the type folders side by side."""
    folders, problems = type_folders(project)
    units: list[Unit] = []
    for folder in folders:
        found, folder_problems = type_units(project, folder)
        units.extend(found)
        problems.extend(folder_problems)
    units.append(configuration_unit(project, problems))
    return units


def type_folders(project: Project) -> tuple[list[Path], list[tuple[str, str, str]]]:
    """The project's metadata type folders in name order, and the problems of its top folder
    (unknown type folders, links leading outside)."""
    problems: list[tuple[str, str, str]] = []
    folders: list[Path] = []
    for entry in _entries(project.metadata_root, project, problems):
        path = Path(entry.path)
        if not entry.is_dir():
            continue
        if entry.is_symlink() and (problem := outside_link(path, project.source_root)):
            problems.append(problem)
            continue
        if entry.name == CONFIGURATION or (
            project.format == "designer" and entry.name in _DESIGNER_NON_TYPE_DIRS
        ):
            continue
        if entry.name not in FOLDER_TYPES:
            if not entry.name.startswith("."):
                message = f"unknown metadata type folder '{entry.name}'; its contents were skipped"
                problems.append((project.rel(path), "unknown_type", message))
            continue
        folders.append(path)
    return folders, problems


def type_units(
    project: Project, folder: Path, listings: FolderListings | None = None
) -> tuple[list[Unit], list[tuple[str, str, str]]]:
    """The units of one type folder (see :func:`type_folders`), and the problems of listing it
    (they belong to the Configuration unit). *listings*: the objects' folders as the last listing
    saw them, reused where unchanged (see ``FolderListings``)."""
    problems: list[tuple[str, str, str]] = []
    return _type_units(project, LAYOUTS[project.format], folder, problems, listings), problems


def configuration_unit(project: Project, problems: list[tuple[str, str, str]]) -> Unit:
    """The Configuration itself, carrying the listing *problems* of the top and type folders."""
    main, extra = _configuration_files(project)
    return Unit(
        key=CONFIGURATION,
        type_folder=CONFIGURATION,
        name=project.name,
        files=tuple(p.relative_to(project.root).as_posix() for p in [main, *extra]),
        listing_problems=tuple(problems),
    )


def _entries(folder: Path, project: Project, problems: list) -> list[os.DirEntry]:
    try:
        return sorted(os.scandir(folder), key=lambda e: e.name)
    except OSError as exc:
        problems.append((project.rel(folder), "unreadable", f"cannot list folder: {exc.strerror or exc}"))
        return []


def _type_units(
    project: Project, layout, type_dir: Path, folder_problems: list, listings: FolderListings | None = None
) -> list[Unit]:
    """One unit per object of a type folder. EDT: a folder per object; Designer: <Name>.xml (+ <Name>/).

    The type folder's entries say what each object's folder is (``DirEntry`` knows without a system
    call unless it is a symbolic link), and paths are built as strings: an ERP-size export has 33k
    objects, and a ``Path`` and four ``stat`` calls per object were most of the listing's time."""
    names: set[str] = set()
    folders: dict[str, os.DirEntry] = {}
    files: dict[str, os.DirEntry] = {}
    for entry in _entries(type_dir, project, folder_problems):
        if entry.is_dir() or entry.is_symlink():
            folders[entry.name] = entry
            if layout.format == "edt":
                names.add(entry.name)
        if layout.format == "designer" and entry.name.endswith(".xml"):
            names.add(entry.name[:-4])
            files[entry.name[:-4]] = entry
    listing = _TypeListing(
        project,
        layout,
        type_dir,
        type_dir.relative_to(project.root).as_posix(),
        os.path.realpath(type_dir),
        listings,
    )
    return [listing.unit(name, folders.get(name), files.get(name)) for name in sorted(names)]


class _TypeListing:
    """What every object of one type folder shares while its unit is listed."""

    def __init__(
        self, project: Project, layout, type_dir: Path, rel: str, real: str, listings: FolderListings | None
    ) -> None:
        self.project, self.layout, self.type_dir, self.rel, self.real = project, layout, type_dir, rel, real
        self.listings = listings
        self.edt = layout.format == "edt"

    def _outside(self, relative: str) -> tuple[str, str, str] | None:
        return outside_link(self.type_dir / relative, self.project.source_root)

    def unit(self, name: str, folder: os.DirEntry | None, file: os.DirEntry | None) -> Unit:
        problems: list[tuple[str, str, str]] = []
        files: list[str] = []
        file_name = self.layout.object_file_name(name)
        # A link out of the export is reported where it is and never read or walked. In EDT the
        # object file lives inside the folder; in Designer they are siblings, so a bad folder spares
        # the .xml.
        folder_is_link = folder is not None and folder.is_symlink()
        dir_link = self._outside(name) if folder_is_link else None
        if dir_link and self.edt:
            file_link = None
        elif self.edt:  # the one file not seen in the type folder's listing
            file_link = self._outside(file_name) if os.path.islink(f"{self.type_dir}/{file_name}") else None
        else:
            file_link = self._outside(file_name) if file is not None and file.is_symlink() else None
        problems.extend(p for p in (dir_link, file_link) if p)
        if not file_link and not (dir_link and self.edt):
            files.append(f"{self.rel}/{file_name}")
            if not dir_link and folder is not None and folder.is_dir():
                prefix = f"{self.rel}/{name}/"
                # The folder's real path, resolved only when it is a link (one resolve per type)
                real = os.path.realpath(folder.path) if folder_is_link else f"{self.real}/{name}"
                for rel in walk_files(
                    folder.path, self.project.source_root, problems, real=real, listings=self.listings
                ):
                    path = prefix + rel
                    if path != files[0] and self.layout.is_relevant(tuple(rel.split("/"))):
                        files.append(path)
        return Unit(
            key=f"{self.type_dir.name}/{name}",
            type_folder=self.type_dir.name,
            name=name,
            files=tuple(files),
            listing_problems=tuple(problems),
        )


def common_module_names(project: Project) -> frozenset[str]:
    folder = project.metadata_root / "CommonModules"
    if not folder.is_dir():
        return frozenset()
    if project.format == "edt":
        return frozenset(e.name for e in os.scandir(folder) if e.is_dir())
    return frozenset(e.name[:-4] for e in os.scandir(folder) if e.is_file() and e.name.endswith(".xml"))


# ---------------------------------------------------------------------------------------------
def read_unit(project: Project, unit: Unit) -> UnitResult:
    result = UnitResult()
    try:
        if unit.key == CONFIGURATION:
            _read_configuration(project, unit, result)
        elif unit.files:
            _read_object(project, unit, result)
    except Exception as exc:  # one odd object must not stop a worker reading thousands
        # Structure the reader did not expect: keep the unit out rather than half-read, and say so.
        where = unit.files[0] if unit.files else unit.key
        result = UnitResult(problems=list(result.problems))
        result.problem(project.rel(project.root / where), "reader_error",
                       f"could not read {unit.key}: {type(exc).__name__}: {exc}")  # fmt: skip
    for path, kind, message in unit.listing_problems:
        result.problem(path, kind, message)
    return result


def _parse(project: Project, path: Path, result: UnitResult):
    data = read_bytes(project, path, result)
    if data is None:
        return None
    try:
        return parse_bytes(data)
    except XmlProblem as exc:
        result.problem(project.rel(path), exc.kind, exc.message, exc.line)
        return None


def _read_object(project: Project, unit: Unit, result: UnitResult) -> None:
    layout = LAYOUTS[project.format]
    type_ = FOLDER_TYPES[unit.type_folder]
    type_dir = project.metadata_root / unit.type_folder
    obj_file = layout.object_file(type_dir, unit.name)
    root = _parse(project, obj_file, result)
    if root is None:
        return
    root_type = layout.root_type(root)
    if root_type != type_:
        result.problem(
            project.rel(obj_file),
            "unknown_element",
            f"root element '{root_type}' is not a {type_} (expected in folder {unit.type_folder}); object skipped",
            1,
        )
        return
    rows = RowBuilder(project, result)
    node = layout.node(root)
    _check_designer_children(project, obj_file, node, result)
    name = node.text("name") or unit.name
    bare_id = f"{type_}.{name}"
    rows.add_object(bare_id=bare_id, type_=type_, name=name, node=node, path=project.rel(obj_file))
    rows.object_contents(bare_id, type_, node)
    obj_dir = layout.object_dir(type_dir, unit.name)
    if type_ == "Subsystem":
        _read_nested_subsystems(project, layout, rows, obj_dir, bare_id, frozenset(unit.files))
    modules = []
    obj_file_rel = obj_file.relative_to(project.root).as_posix()
    obj_prefix = obj_dir.relative_to(project.root).as_posix() + "/"
    for rel in unit.files:
        if rel == obj_file_rel or not rel.startswith(obj_prefix):
            continue
        path = project.root / rel
        parts = tuple(rel[len(obj_prefix) :].split("/"))
        form = layout.form_of(parts)
        if form is not None and (form or type_ == "CommonForm"):
            form_id = bare_id if type_ == "CommonForm" else f"{bare_id}.Form.{form}"
            _read_form(project, layout, rows, path, form_id)
        elif parts == layout.rights_parts:
            _read_rights(project, rows, path, bare_id)
        elif parts == layout.content_parts and type_ == "ExchangePlan":
            _read_exchange_plan_content(project, rows, path, bare_id)
        elif module := module_for(project, type_, name, bare_id, layout.parts(parts), path):
            modules.append(module)
        elif rel.endswith(".bsl"):
            result.problem(project.rel(path), "unknown_module",
                           f"BSL file is not a module a {type_} can have here; skipped")  # fmt: skip
    result.modules.extend(prefer_source(modules))


# Elements a Designer <ChildObjects> may hold; anything else is reported, not silently dropped.
_DESIGNER_CHILD_TAGS = frozenset(
    {
        "Attribute", "TabularSection", "Form", "Command", "Template", "Dimension", "Resource", "EnumValue",
        "Subsystem", "Column", "Operation", "Parameter", "URLTemplate", "Method", "AccountingFlag",
        "ExtDimensionAccountingFlag", "AddressingAttribute", "Recalculation", "Cube", "Table", "Function",
        "Channel", "DimensionTable", "Field",
    }
)  # fmt: skip


def _check_designer_children(project: Project, path: Path, node, result: UnitResult) -> None:
    if project.format != "designer":
        return
    for tag, elements in node.kids.items():
        if tag not in _DESIGNER_CHILD_TAGS:
            result.problem(project.rel(path), "unknown_element",
                           f"unknown child object element <{tag}> in ChildObjects; skipped", elements[0].sourceline)  # fmt: skip


def _read_nested_subsystems(
    project: Project, layout, rows: RowBuilder, folder: Path, parent_id: str, unit_files: frozenset[str]
) -> None:
    for child_name, child_file, child_dir in layout.nested_subsystems(folder):
        if child_file.relative_to(project.root).as_posix() not in unit_files:
            continue  # not listed for the unit (e.g. behind a link leading outside): never read
        root = _parse(project, child_file, rows.result)
        if root is None:
            continue
        if layout.root_type(root) != "Subsystem":
            rows.result.problem(
                project.rel(child_file),
                "unknown_element",
                f"root element '{layout.root_type(root)}' is not a Subsystem; skipped",
                1,
            )
            continue
        node = layout.node(root)
        name = node.text("name") or child_name
        bare_id = f"{parent_id}.Subsystem.{name}"
        rows.add_object(
            bare_id=bare_id,
            type_="Subsystem",
            name=name,
            node=node,
            path=project.rel(child_file),
            parent_bare_id=parent_id,
        )
        rows.object_contents(bare_id, "Subsystem", node)
        _read_nested_subsystems(project, layout, rows, child_dir, bare_id, unit_files)


def _read_form(project: Project, layout, rows: RowBuilder, path: Path, form_bare_id: str) -> None:
    data = read_bytes(project, path, rows.result)
    if data is None:
        return
    try:
        handlers = forms.edt_handlers(data) if layout.format == "edt" else forms.designer_handlers(data)
    except XmlProblem as exc:
        rows.result.problem(project.rel(path), exc.kind, exc.message, exc.line)
        return
    form_id = rows.oid(form_bare_id)
    seen = set()
    for item, event, method in handlers:
        key = (item, event, method)
        if key in seen:
            continue
        seen.add(key)
        rows.result.form_handlers.append(
            {
                "form_id": form_id,
                "module_id": f"{form_id}.Module",
                "item": item,
                "event": event,
                "method_name": method,
                "method_id": None,  # resolved by the orchestrator once the module is parsed
                "configuration": project.name,
            }
        )


def _read_rights(project: Project, rows: RowBuilder, path: Path, role_id: str) -> None:
    """Role -> every object the role grants at least one right on (same XML in both formats)."""
    root = _parse(project, path, rows.result)
    if root is None:
        return
    for obj in root:
        if local(obj.tag) != "object":
            continue
        target = None
        granted = False
        for sub in obj:
            tag = local(sub.tag)
            if tag == "name":
                target = (sub.text or "").strip()
            elif tag == "right" and not granted:
                granted = any(local(v.tag) == "value" and (v.text or "").strip() == "true" for v in sub)
        if target and granted:
            rows.add_reference(role_id, target, "role_rights", None)


def _read_exchange_plan_content(project: Project, rows: RowBuilder, path: Path, plan_id: str) -> None:
    root = _parse(project, path, rows.result)
    if root is None:
        return
    for item in root:
        for sub in item:
            if local(sub.tag) == "Metadata" and sub.text:
                rows.add_reference(plan_id, sub.text.strip(), "exchange_plan_content", "content")


def _read_configuration(project: Project, unit: Unit, result: UnitResult) -> None:
    layout = LAYOUTS[project.format]
    main, _ = _configuration_files(project)
    modules = []
    for rel in unit.files:
        path = project.root / rel
        if path != main and (module := configuration_module(project, path)):
            modules.append(module)
    result.modules.extend(prefer_source(modules))
    root = _parse(project, main, result)
    if root is None:
        return
    if layout.root_type(root) != CONFIGURATION:
        result.problem(
            project.rel(main),
            "unknown_element",
            f"root element '{layout.root_type(root)}' is not a Configuration",
            1,
        )
        return
    node = layout.node(root)
    rows = RowBuilder(project, result)
    props = {}
    if project.purpose:
        props["configurationExtensionPurpose"] = project.purpose
    if project.name_prefix:
        props["namePrefix"] = project.name_prefix
    rows.add_object(
        bare_id=CONFIGURATION,
        type_=CONFIGURATION,
        name=node.text("name") or project.name,
        node=node,
        path=project.rel(main),
        properties=json.dumps(props, ensure_ascii=False, sort_keys=True),
    )
    for value in node.values("defaultRoles"):
        rows.add_reference(CONFIGURATION, value, "default_role", "defaultRoles")
    if project.format == "edt":
        # EDT keeps languages inside Configuration.mdo; Designer has Languages/*.xml (their own units).
        for language in node.children("languages"):
            name = language.text("name")
            if name:
                rows.add_object(
                    bare_id=f"Language.{name}",
                    type_="Language",
                    name=name,
                    node=language,
                    path=project.rel(main),
                )
