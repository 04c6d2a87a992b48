"""Build small snapshot folders by hand, for exact-result tests of the analyses.

    make_snapshot(tmp_path / "snap",
                  objects=[{"object_id": "Catalog.Банки", "type": "Catalog", "name": "Банки"}],
                  methods=[...])

Columns left out of a row are null; ``configuration`` defaults to "Test". The folder is written by
the real snapshot writer, so the analyses read it exactly as they read a parsed configuration.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa

from onec_analysis.snapshot.io import count_by, write_snapshot
from onec_analysis.snapshot.schema import TABLES


def make_snapshot(path: Path, *, configuration: str = "Test", **rows: list[dict[str, Any]]) -> Path:
    unknown = set(rows) - set(TABLES)
    if unknown:
        raise KeyError(f"unknown snapshot tables: {sorted(unknown)}")
    tables = {}
    for name, schema in TABLES.items():
        filled = []
        for row in rows.get(name, []):
            extra = set(row) - set(schema.names)
            if extra:
                raise KeyError(f"{name}: unknown columns {sorted(extra)}")
            full = {column: row.get(column) for column in schema.names}
            if "configuration" in full and full["configuration"] is None:
                full["configuration"] = configuration
            filled.append(full)
        tables[name] = pa.Table.from_pylist(filled, schema=schema)
    summary = {
        "source": "hand-made",
        "format": "edt",
        "reader_version": "test",
        "configurations": [{"name": configuration, "role": "configuration", "format": "edt"}],
        "counts": {name: table.num_rows for name, table in tables.items()},
        "objects_per_type": count_by(tables["objects"], "type"),
        "modules_per_type": count_by(tables["modules"], "module_type"),
        "problems_by_kind": count_by(tables["problems"], "kind"),
        "shard": None,
    }
    return write_snapshot(path, tables, summary)
