"""The client-side search index: one JavaScript file, loaded by ``search.js`` on first use.

Why JavaScript and not JSON: browsers refuse ``fetch`` of a local JSON file from a ``file://`` page,
but a ``<script src>`` works from ``file://`` and over HTTP alike, with no server and no network.

What is indexed, and why it stays small for a 1C:ERP: every metadata object (id, name, synonym, type,
page) and only the *exported* methods of common modules (their public API — what people look up),
not the ≈500k methods of every module. Rows are arrays, not objects, a method row points at its
module's object row instead of repeating the URL, and parts that follow from others are omitted: ≈10k objects plus ≈40k exported methods come to a
few megabytes, fetched once and cached by the browser. The file is loaded lazily (when the search
box gets focus), so pages open without it.

Format (``search.js`` expands the omitted parts)::

    window.DOCS_SEARCH_INDEX = {"version": 2,
        "objects": [[object_id or "" when it is Type.Name, name, synonym, type,
                     page slug when the page is objects/<Type>/<slug>.html, else the page path], ...],
        "methods": [[method_name, object_row(, anchor when not "m-Module.<name>")], ...]};
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from .object_page import method_anchor
from .site_data import SiteData

INDEX_VERSION = 2
#: A common-module method's anchor on its page, before the name (see ``method_anchor``).
DEFAULT_METHOD_ANCHOR = "m-Module."


def search_index(data: SiteData) -> dict[str, Any]:
    rows = {obj["object_id"]: position for position, obj in enumerate(data.objects)}
    objects = []
    for obj in data.objects:
        type_, name = obj["type"] or "", obj["name"] or ""
        object_id, path = obj["object_id"], data.paths[obj["object_id"]]
        folder, _, file = path.removeprefix("objects/").partition("/")
        objects.append(
            [
                "" if object_id == f"{type_}.{name}" else object_id,  # the id only when not Type.Name
                name,
                obj["synonym"] or "",
                type_,
                file.removesuffix(".html") if folder == type_ and path.startswith("objects/") else path,
            ]
        )
    methods = []
    table = data.methods.table
    if table.num_rows:
        exported = table.filter(
            pc.and_(
                pc.fill_null(table["export"], False),
                pc.is_in(table["object_id"], value_set=_common_module_ids(data)),
            )
        )
        for object_id, method_id, name in zip(
            exported["object_id"].to_pylist(),
            exported["method_id"].to_pylist(),
            exported["name"].to_pylist(),
            strict=True,
        ):
            anchor = method_anchor(method_id, object_id)
            row = [name, rows[object_id]]
            if anchor != f"{DEFAULT_METHOD_ANCHOR}{name}":  # a name declared twice (#Если branches)
                row.append(anchor)
            methods.append(row)
    return {"version": INDEX_VERSION, "objects": objects, "methods": methods}


def _common_module_ids(data: SiteData) -> pa.Array:
    return pa.array([obj["object_id"] for obj in data.types.get("CommonModule", [])], pa.string())


def write_search_index(data: SiteData, path: Path) -> dict[str, int]:
    index = search_index(data)
    body = json.dumps(index, ensure_ascii=False, separators=(",", ":"))
    # "</" cannot close anything in a .js file, but escaping it keeps the file safe to inline too.
    text = "window.DOCS_SEARCH_INDEX = " + body.replace("</", "<\\/") + ";\n"
    path.write_text(text, encoding="utf-8")
    return {
        "objects": len(index["objects"]),
        "methods": len(index["methods"]),
        "bytes": len(text.encode("utf-8")),
    }
