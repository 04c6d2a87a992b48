"""An ERP-sized snapshot made from a real one, to measure the site's build time at full scale.

A full 1C:ERP has ≈10k objects and ≈500k methods; SSL has 3.5k objects and 43k methods. Every
object is copied ``copies`` times under a new name (``<id>_k<i>``) and every method repeated
``method_repeat`` times in its module (``<name>_r<j>``), with the references, calls and query
reads that point inside a copy redirected to it. The result is written by the real snapshot
writer, so the site reads it exactly as it reads a parsed configuration.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa

from onec_analysis.snapshot.io import read_summary, read_table, sort_table, write_snapshot
from onec_analysis.snapshot.schema import TABLES


def _renamer(object_ids: set[str], suffix: str):
    """Rename ids that are, or start with, an object id of the snapshot."""
    cache: dict[str, str] = {}

    def rename(value: str | None, owner: str | None = None) -> str | None:
        if value is None:
            return None
        if owner is not None and value.startswith(owner):
            return owner + suffix + value[len(owner) :]
        if value in object_ids:
            return value + suffix
        found = cache.get(value)
        if found is None:
            parts = value.split(".")
            found = value
            for cut in range(len(parts) - 1, 1, -1):
                head = ".".join(parts[:cut])
                if head in object_ids:
                    found = head + suffix + value[len(head) :]
                    break
            cache[value] = found
        return found

    return rename


def make_erp_scale_snapshot(source: Path, target: Path, *, copies: int = 3, method_repeat: int = 4) -> Path:
    tables = {name: read_table(source, name).to_pylist() for name in TABLES if name != "module_texts"}
    object_ids = {row["object_id"] for row in tables["objects"]}
    out: dict[str, list[dict]] = {name: [] for name in tables}
    for copy in range(copies):
        suffix = "" if copy == 0 else f"_k{copy}"
        rename = _renamer(object_ids, suffix) if suffix else (lambda value, owner=None: value)
        for row in tables["objects"]:
            out["objects"].append({**row, "object_id": rename(row["object_id"]), "name": row["name"] + suffix,
                                   "parent_id": rename(row["parent_id"])})  # fmt: skip
        for name in ("attributes", "modules"):
            for row in tables[name]:
                changed = {**row, "object_id": rename(row["object_id"])}
                if "module_id" in row:
                    changed["module_id"] = rename(row["module_id"], row["object_id"])
                out[name].append(changed)
        for row in tables["methods"]:
            module_id = rename(row["module_id"], row["object_id"])
            for repeat in range(method_repeat):
                name = row["name"] + (f"_r{repeat}" if repeat else "")
                out["methods"].append({**row, "object_id": rename(row["object_id"]), "module_id": module_id,
                                       "name": name, "method_id": f"{module_id}.{name}"})  # fmt: skip
        for row in tables["references"]:
            out["references"].append(
                {**row, "source_id": rename(row["source_id"]), "target_id": rename(row["target_id"])}
            )
        for row in tables["calls"]:
            out["calls"].append({**row, "caller_module_id": rename(row["caller_module_id"]),
                                 "caller_method_id": rename(row["caller_method_id"]),
                                 "callee_object_id": rename(row["callee_object_id"])})  # fmt: skip
        for row in tables["query_tables"]:
            out["query_tables"].append({**row, "module_id": rename(row["module_id"]), "method_id": rename(row["method_id"]),
                                        "object_id": rename(row["object_id"])})  # fmt: skip
    out["problems"] = tables["problems"]
    summary = read_summary(source)
    summary = {key: value for key, value in summary.items() if key not in ("kind", "snapshot_format")}
    summary["counts"] = {name: len(rows) for name, rows in out.items()}
    arrow = {
        name: sort_table(name, pa.Table.from_pylist(rows, schema=TABLES[name])) for name, rows in out.items()
    }
    return write_snapshot(target, arrow, summary)
