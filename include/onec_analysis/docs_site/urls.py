"""Where each page of the site lives: ASCII file names transliterated from 1C names.

Why transliteration rather than UTF-8 file names: the site is copied around as a folder or an
archive (artifact stores, zip on Windows, a share opened from macOS). UTF-8 names break there in
ways a browser cannot repair — HFS+ stores names decomposed (NFD) so a percent-encoded NFC href no
longer matches, Windows caps paths at 260 characters (a Cyrillic letter is two bytes in UTF-8 and
six characters when percent-encoded), old zip tools mangle non-ASCII names. ASCII slugs work on
every file system, from ``file://`` and over HTTP, without any encoding step. The real Cyrillic
names are shown everywhere a person reads them (titles, headings, link texts, search).

Scheme (all paths relative to the site root)::

    objects/<Type>/<slug>.html      e.g. objects/Catalog/Banki.html for Catalog.Банки
    types/<Type>.html               the objects of one type

The slug is the object's id without its type word, transliterated (GOST 7.79 B-like, case kept:
``ОбщегоНазначения`` -> ``ObshchegoNaznacheniya``), ``:`` of extension ids becomes ``--``.
Two ids whose slugs coincide ignoring case (case-insensitive file systems) both get a short hash of
their id appended, so the result does not depend on the order objects are seen in. Slugs longer than
:data:`MAX_SLUG` are cut and get the hash too.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Iterable

MAX_SLUG = 96

_CYRILLIC = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh", "з": "z",
    "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "c", "ч": "ch", "ш": "sh", "щ": "shch",
    "ъ": "", "ы": "y", "ь": "", "э": "eh", "ю": "yu", "я": "ya",
    "є": "ye", "і": "i", "ї": "yi", "ґ": "g", "ў": "w",
}  # fmt: skip
_TABLE: dict[int, str] = {}
for _lower, _latin in _CYRILLIC.items():
    _TABLE[ord(_lower)] = _latin
    _TABLE[ord(_lower.upper())] = _latin[:1].upper() + _latin[1:]
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def transliterate(text: str) -> str:
    """Cyrillic letters to Latin ones, everything else unchanged."""
    return text.translate(_TABLE)


def _short_hash(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=4).hexdigest()


def slugify(text: str) -> str:
    """A file-name-safe ASCII form of *text* (may be empty for text without letters or digits)."""
    slug = _UNSAFE.sub("_", transliterate(text.replace(":", "--"))).strip("._")
    return slug


def object_tail(object_id: str, type_: str) -> str:
    """``Catalog.Банки`` -> ``Банки``; ``Ext:Catalog.X`` -> ``Ext:X``; nested subsystems keep their path."""
    prefix, sep, rest = (
        object_id.rpartition(":") if ":" in object_id.split(".", 1)[0] else ("", "", object_id)
    )
    head = f"{type_}."
    if rest.startswith(head):
        rest = rest[len(head) :]
    return f"{prefix}{sep}{rest}"


def object_paths(objects: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``{object_id: "objects/<Type>/<slug>.html"}`` for ``(object_id, type)`` pairs, collision-free."""
    wanted: dict[str, tuple[str, str]] = {}
    by_folder_slug: dict[tuple[str, str], list[str]] = defaultdict(list)
    for object_id, type_ in objects:
        folder = slugify(type_ or "Other") or "Other"
        slug = slugify(object_tail(object_id, type_ or ""))
        if not slug or len(slug) > MAX_SLUG:
            slug = f"{slug[: MAX_SLUG - 10]}-{_short_hash(object_id)}".lstrip("-")
        wanted[object_id] = (folder, slug)
        by_folder_slug[(folder.lower(), slug.lower())].append(object_id)
    paths = {}
    for object_id, (folder, slug) in wanted.items():
        if len(by_folder_slug[(folder.lower(), slug.lower())]) > 1:
            slug = f"{slug}-{_short_hash(object_id)}"
        paths[object_id] = f"objects/{folder}/{slug}.html"
    return paths


def type_path(type_: str) -> str:
    return f"types/{slugify(type_ or 'Other') or 'Other'}.html"


def relative_root(page_path: str) -> str:
    """The prefix that leads from *page_path* back to the site root (``""``, ``"../"``, ``"../../"``)."""
    return "../" * page_path.count("/")
