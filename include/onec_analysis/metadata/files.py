"""Walking an export safely, and reading files into bytes with problems instead of exceptions."""

from __future__ import annotations

import errno
import os
import time
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


#: What a folder entry is, as a listing remembers it (see ``FolderListings``).
FILE, FOLDER, LINK, OTHER = range(4)
#: A listing is remembered only when its folder last changed this long before the walk began: a
#: change in the same tick of the file system's clock as the listing would leave its times alone.
_SETTLED_NS = 2_000_000_000


def _kind(entry: os.DirEntry) -> int:
    # From the directory entry's own type (no system call), as ``os.walk`` tells folders from files.
    if entry.is_symlink():
        return LINK
    if entry.is_dir(follow_symlinks=False):
        return FOLDER
    return FILE if entry.is_file(follow_symlinks=False) else OTHER


def _scan(folder: str) -> tuple[tuple[str, int], ...]:
    with os.scandir(folder) as listing:
        return tuple((entry.name, _kind(entry)) for entry in listing)


class FolderListings:
    """Folder listings remembered from the last walk, reused while their folder is unchanged.

    Listing a folder costs more here than looking at it: on the ERP-size copy, ``scandir`` of its 69k
    folders took 2.3 s on one core with cold directory caches, a ``stat`` of each 0.2 s; with warm
    caches, listing its type folders' objects took 1.07 s, and 0.77 s with the listings reused. A
    folder's modification and change times move whenever an entry is added, removed or renamed in it
    (editing a file in place leaves them, but the incremental parse looks at every file's own size and
    mtime anyway), so a listing is
    reused while the folder's device, inode and both times are what they were when it was taken. It is
    remembered only when the folder's change time is at least ``_SETTLED_NS`` older than the walk: a
    change later is then sure to give another change time (the kernel sets it to the present, and no
    one can set it back, unlike the modification time), where a change in the same tick of the file
    system's clock as the listing would leave it alone — what git calls a racy entry. Symbolic links
    are remembered as links and followed afresh on every walk.

    ``known`` is the last walk's ``taken``: ``{folder: ((dev, ino, mtime_ns, ctime_ns), entries)}``
    with entries ``(name, kind)``.
    """

    def __init__(self, known: dict[str, tuple[tuple[int, ...], tuple[tuple[str, int], ...]]] | None = None):
        self.known = known if isinstance(known, dict) else {}
        self.taken: dict[str, tuple[tuple[int, ...], tuple[tuple[str, int], ...]]] = {}
        self.listed = 0  # folders listed anew, not taken from ``known``
        self._settled = time.time_ns() - _SETTLED_NS

    def entries(self, folder: str) -> tuple[tuple[str, int], ...]:
        """``(name, kind)`` of every entry of *folder*; OSError when it cannot be listed."""
        st = os.stat(folder)
        signature = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns)
        known = self.known.get(folder)
        if known is not None and known[0] == signature:
            self.taken[folder] = known
            return known[1]
        self.listed += 1
        entries = _scan(folder)
        if st.st_ctime_ns < self._settled:
            self.taken[folder] = (signature, entries)
        return entries

    @property
    def changed(self) -> bool:
        """Whether ``taken`` differs from ``known`` (a folder listed anew, added or gone)."""
        return self.listed > 0 or len(self.taken) != len(self.known)


def walk_files(
    folder: Path | str,
    source_root: Path,
    problems: list[tuple[str, str, str]],
    *,
    real: str | None = None,
    listings: FolderListings | None = None,
) -> list[str]:
    """Every regular file under *folder*, as '/'-separated paths relative to it, in path order
    (component by component, as ``sorted(Path…)`` orders them); symlinks leading outside
    *source_root* are reported, not followed, and a folder reached twice (a symlink loop) is walked once.

    Strings, not ``Path`` objects, and one system call per folder: an ERP-size export has 95k files,
    and building and resolving a ``Path`` per file took most of a parse's discovery phase. Only a
    symbolic link is resolved; a plain folder's real path is its parent's plus its name. *real* is
    *folder*'s real path when the caller knows it. With *listings*, folders unchanged since the last
    walk are not listed again (see ``FolderListings``).
    """
    out: list[str] = []
    top = str(folder)
    seen: set[str] = set()
    stack = [(top, real or os.path.realpath(top), "")]
    scan = listings.entries if listings is not None else _scan
    while stack:
        current, real, rel = stack.pop()
        if real in seen:
            continue
        seen.add(real)
        try:
            entries = scan(current)
        except OSError as exc:
            problems.append(
                (
                    Path(current).relative_to(source_root).as_posix(),
                    "unreadable",
                    f"cannot list folder: {exc.strerror}",
                )
            )
            continue
        for name, kind in entries:
            child_rel = f"{rel}{name}"
            path = f"{current}/{name}"
            if kind == LINK:
                if problem := outside_link(Path(path), source_root):
                    problems.append(problem)
                    continue
                child_real = os.path.realpath(path)
                if os.path.isdir(path):
                    stack.append((path, child_real, child_rel + "/"))
                elif os.path.isfile(path):
                    out.append(child_rel)
            elif kind == FOLDER:
                stack.append((path, f"{real}/{name}", child_rel + "/"))
            elif kind == FILE:
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
