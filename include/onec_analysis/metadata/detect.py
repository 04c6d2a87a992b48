"""detect_source: what kind of export a folder holds, and the projects (configuration, extensions) in it."""

from __future__ import annotations

import os
from pathlib import Path

from .files import inside
from .layout import LAYOUTS
from .model import NotAConfiguration, Project, Source
from .safe_xml import XmlProblem, parse_bytes
from .types import FOLDER_TYPES

_SEARCH_DEPTH = 3  # a workspace holds projects one level down; a Designer dump is often under src/cf


def _marker(folder: Path) -> str | None:
    if (folder / "src" / "Configuration" / "Configuration.mdo").is_file():
        return "edt"
    if (folder / "Configuration.xml").is_file():
        return "designer"
    return None


def _find_projects(root: Path) -> list[tuple[Path, str]]:
    found = []
    queue = [(root, 0)]
    while queue:
        folder, depth = queue.pop(0)
        kind = _marker(folder)
        if kind:
            found.append((folder, kind))
            continue  # nothing nests inside a project
        if depth >= _SEARCH_DEPTH:
            continue
        try:
            children = [
                e
                for e in os.scandir(folder)
                if e.is_dir(follow_symlinks=False) and not e.name.startswith(".")
            ]
        except OSError:
            continue
        queue.extend((Path(e.path), depth + 1) for e in sorted(children, key=lambda e: e.name))
    return found


def _base_project(project_root: Path) -> str | None:
    pmf = project_root / "DT-INF" / "PROJECT.PMF"
    try:
        text = pmf.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() == "Base-Project":
            return value.strip() or None
    return None


def _header(project_root: Path, kind: str, source_root: Path) -> dict[str, str | None]:
    """name / purpose / prefix / belonging from Configuration.mdo|xml; empty when unreadable
    (read_unit of the Configuration unit then reports the file as a problem)."""
    path = project_root / ("src/Configuration/Configuration.mdo" if kind == "edt" else "Configuration.xml")
    if not inside(path, source_root):
        return {}  # a link out of the source folder: read_unit reports it, nothing outside is read
    try:
        root = parse_bytes(path.read_bytes())
    except (OSError, XmlProblem):
        return {}
    node = LAYOUTS[kind].node(root)
    return {
        "name": node.text("name"),
        "purpose": node.text("configurationExtensionPurpose"),
        "prefix": node.text("namePrefix"),
        "belonging": node.text("objectBelonging"),
    }


def _own_objects(project_root: Path, kind: str) -> frozenset[str]:
    top = project_root / "src" if kind == "edt" else project_root
    ids = set()
    for folder, type_ in FOLDER_TYPES.items():
        type_dir = top / folder
        if not type_dir.is_dir():
            continue
        for entry in os.scandir(type_dir):
            if kind == "edt" and entry.is_dir():
                ids.add(f"{type_}.{entry.name}")
            elif kind == "designer" and entry.name.endswith(".xml"):
                ids.add(f"{type_}.{entry.name[:-4]}")
    return frozenset(ids)


def detect_source(path: str | os.PathLike) -> Source:
    root = Path(path).resolve()
    if not root.is_dir():
        raise NotAConfiguration(f"{path}: not a 1C configuration: not a folder")
    found = _find_projects(root)
    if not found:
        raise NotAConfiguration(
            f"{path}: not a 1C configuration: no src/Configuration/Configuration.mdo (EDT) or "
            f"Configuration.xml (Designer) within {_SEARCH_DEPTH} folder levels"
        )
    projects = []
    for project_root, kind in found:
        header = _header(project_root, kind, root)
        purpose = header.get("purpose")
        is_extension = bool(purpose) or header.get("belonging") == "Adopted"
        name = header.get("name") or project_root.name
        projects.append(
            Project(
                name=name,
                root=project_root,
                format=kind,
                role="extension" if is_extension else "configuration",
                purpose=purpose,
                name_prefix=header.get("prefix"),
                base_project=_base_project(project_root) if kind == "edt" else None,
                source_root=root,
                id_prefix=f"{name}:" if is_extension else "",
                own_objects=_own_objects(project_root, kind) if is_extension else frozenset(),
            )
        )
    projects.sort(key=lambda p: (p.role != "configuration", p.name))
    edt_count = sum(p.format == "edt" for p in projects)
    if edt_count > 1:
        fmt = "edt-workspace"
    elif edt_count == 1 and len(projects) == 1:
        fmt = "edt"
    elif edt_count == 0:
        fmt = "designer"
    else:
        fmt = "edt-workspace"  # an EDT project beside Designer dumps: read as a workspace of mixed projects
    return Source(root=root, format=fmt, projects=projects)
