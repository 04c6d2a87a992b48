"""Plain, picklable value types the metadata reader hands to the snapshot orchestrator.

Everything here crosses a process boundary (units are read in worker processes), so only
dataclasses of strings, paths and tuples live here: no parsers, no open files.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path


class NotAConfiguration(ValueError):
    """The folder holds no 1C configuration (no Configuration.mdo / Configuration.xml)."""


@dataclass(frozen=True)
class Project:
    """One configuration or extension: an EDT project or a Designer dump."""

    name: str  # configuration name from Configuration.mdo/xml
    root: Path  # EDT: folder holding src/; Designer: folder holding Configuration.xml
    format: str  # "edt" | "designer"
    role: str  # "configuration" | "extension"
    purpose: str | None  # configurationExtensionPurpose (Customization, AddOn, Patch) or None
    name_prefix: str | None
    base_project: str | None  # Base-Project from DT-INF/PROJECT.PMF (EDT extensions)
    source_root: Path  # the folder detect_source was given; problem and module paths are relative to it
    id_prefix: str = ""  # "<extension name>:" for extensions, "" for the main configuration
    # Object ids ("Catalog.X") defined by an extension, so references to them get the extension's
    # prefix while references to objects of the base configuration stay unprefixed.
    own_objects: frozenset[str] = frozenset()

    @property
    def cache_salt(self) -> str:
        """What, besides a unit's own files, shapes its rows: mix into cache keys.

        The configuration name and id prefix go into every row, and an extension's set of own
        objects decides which reference targets get its prefix, so adding an object to an
        extension must invalidate the cached units that reference it.
        """
        digest = hashlib.sha256("\n".join(sorted(self.own_objects)).encode()).hexdigest()[:16]
        return f"{self.name}|{self.id_prefix}|{self.role}|{self.purpose}|{self.name_prefix}|{digest}"

    @property
    def metadata_root(self) -> Path:
        """Folder holding the type folders (EDT src/, the Designer dump root)."""
        return self.root / "src" if self.format == "edt" else self.root

    def rel(self, path: Path) -> str:
        """Path relative to the source root, '/' separated, as problems and modules report it."""
        text, base = str(path), str(self.source_root)
        # string prefix first: PurePath.relative_to is a hot spot when reading 20k objects
        if text.startswith(base) and text[len(base) : len(base) + 1] == "/":
            return text[len(base) + 1 :]
        return path.relative_to(self.source_root).as_posix()


@dataclass(frozen=True)
class Source:
    """What detect_source found: the format and the projects to read."""

    root: Path
    format: str  # "edt" | "designer" | "edt-workspace"
    projects: list[Project]


@dataclass(frozen=True)
class Unit:
    """A piece of work for one worker: a top-level object (with its nested parts) or the Configuration."""

    key: str  # stable: "Catalogs/Номенклатура", "Configuration"
    type_folder: str  # "Catalogs", "Configuration"
    name: str
    files: tuple[str, ...]  # every file the unit reads, relative to the project root (cache key input)
    # Problems found while listing (a symlink leading outside, an unknown type folder …):
    # (path relative to source root, kind, message) — reported by read_unit so they reach the snapshot.
    listing_problems: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class ModuleFile:
    module_id: str
    object_id: str
    module_type: str
    form: str | None
    command: str | None
    path: str  # relative to the source root
    abs_path: Path


@dataclass
class UnitResult:
    objects: list[dict] = field(default_factory=list)
    attributes: list[dict] = field(default_factory=list)
    references: list[dict] = field(default_factory=list)
    form_handlers: list[dict] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    modules: list[ModuleFile] = field(default_factory=list)

    def problem(self, path: str, kind: str, message: str, line: int | None = None) -> None:
        self.problems.append({"path": path, "kind": kind, "message": message, "line": line})
