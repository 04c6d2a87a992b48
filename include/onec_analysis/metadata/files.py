"""Walking an export safely, and reading files into bytes with problems instead of exceptions."""

from __future__ import annotations

import errno
import os
from functools import lru_cache
from pathlib import Path

from .model import Project, UnitResult


@lru_cache(maxsize=8)
def _real_root(root: str) -> str:
    return os.path.realpath(root)


def inside(path: Path, root: Path) -> bool:
    """Whether path, with every symlink on the way resolved, stays within root."""
    real_root = _real_root(str(root))
    real = os.path.realpath(path)
    return real == real_root or real.startswith(real_root + os.sep)


def outside_link(path: Path, source_root: Path) -> tuple[str, str, str] | None:
    """A 'symlink_outside' problem when path is a symbolic link leading out of the source folder."""
    if not path.is_symlink() or inside(path, source_root):
        return None
    return (
        path.relative_to(source_root).as_posix(),
        "symlink_outside",
        f"symbolic link to {os.readlink(path)} leads outside the source folder; not followed",
    )


def walk_files(
    folder: Path | str, source_root: Path, problems: list[tuple[str, str, str]], *, real: str | None = None
) -> list[str]:
    """Every regular file under *folder*, as '/'-separated paths relative to it, in path order
    (component by component, as ``sorted(Path…)`` orders them); symlinks leading outside
    *source_root* are reported, not followed, and a folder reached twice (a symlink loop) is walked once.

    Strings, not ``Path`` objects, and one system call per folder: an ERP-size export has 95k files,
    and building and resolving a ``Path`` per file took most of a parse's discovery phase. Only a
    symbolic link is resolved; a plain folder's real path is its parent's plus its name. *real* is
    *folder*'s real path when the caller knows it.
    """
    out: list[str] = []
    top = str(folder)
    seen: set[str] = set()
    stack = [(top, real or os.path.realpath(top), "")]
    while stack:
        current, real, rel = stack.pop()
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = list(os.scandir(current))
        except OSError as exc:
            problems.append(
                (
                    Path(current).relative_to(source_root).as_posix(),
                    "unreadable",
                    f"cannot list folder: {exc.strerror}",
                )
            )
            continue
        for entry in entries:
            child_rel = f"{rel}{entry.name}"
            if entry.is_symlink():
                path = Path(entry.path)
                if problem := outside_link(path, source_root):
                    problems.append(problem)
                    continue
                child_real = os.path.realpath(entry.path)
            else:
                child_real = f"{real}/{entry.name}"
            if entry.is_dir():
                stack.append((entry.path, child_real, child_rel + "/"))
            elif entry.is_file():
                out.append(child_rel)
    out.sort(key=lambda rel: rel.split("/"))
    return out


def read_bytes(project: Project, path: Path, result: UnitResult) -> bytes | None:
    """The file's bytes, or None with an 'unreadable'/'symlink_outside' problem recorded."""
    name = str(path)
    try:
        # Checked on every read, not only at listing: a linked parent folder also leads outside. The
        # file itself is opened without following a link (a link takes the full check below).
        if _real_folder(os.path.dirname(name)).startswith(_real_root(str(project.source_root)) + os.sep):
            with open(os.open(name, _NO_LINK), "rb") as handle:
                return handle.read()
    except OSError as exc:
        if exc.errno != errno.ELOOP:
            return _unreadable(project, path, exc, result)
    if not inside(path, project.source_root):
        message = f"resolves to {os.path.realpath(path)}, outside the source folder; not read"
        result.problem(project.rel(path), "symlink_outside", message)
        return None
    try:
        return path.read_bytes()
    except OSError as exc:
        return _unreadable(project, path, exc, result)


_NO_LINK = os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_CLOEXEC", 0)


@lru_cache(maxsize=16384)
def _real_folder(folder: str) -> str:
    """The real path of a folder, with a separator after it.

    Built from the parent's real path when the folder itself is no link: one ``lstat`` per folder,
    where ``realpath`` takes one per component of the path (an ERP-size export has 95k files ten
    folders deep, and this machine's system calls are dear: ``realpath`` was a tenth of reading the
    metadata). Remembered, since the files of one folder are read one after the other;
    ``parse_source`` forgets them when it starts.
    """
    parent, name = os.path.split(folder)
    if not name or name in (".", "..") or not parent or parent == folder or os.path.islink(folder):
        return os.path.join(os.path.realpath(folder), "")
    return _real_folder(parent) + name + os.sep


def forget_real_paths() -> None:
    """Drop the remembered real paths (a folder may have become a link since the last parse)."""
    _real_folder.cache_clear()
    _real_root.cache_clear()


def _unreadable(project: Project, path: Path, exc: OSError, result: UnitResult) -> None:
    if isinstance(exc, FileNotFoundError):
        result.problem(project.rel(path), "missing_file", "file listed for this object does not exist")
    else:
        result.problem(project.rel(path), "unreadable", f"cannot read file: {exc.strerror or exc}")
    return None
