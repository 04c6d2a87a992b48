"""The snapshot tables the architecture analysis reads (as DuckDB views over the Parquet files, see
``analyses.duckdb_views``) and the derived ``module_facts`` / ``method_facts``."""

from __future__ import annotations

from pathlib import Path

import duckdb

from onec_analysis.analyses import duckdb_views

COLUMNS: dict[str, list[str]] = {
    "objects": ["object_id", "configuration", "type", "type_folder", "name", "synonym", "parent_id", "belonging",
                "properties"],
    "modules": ["module_id", "configuration", "object_id", "module_type", "lines", "ncloc", "protected"],
    "methods": ["method_id", "module_id", "object_id", "configuration", "name", "export", "directives",
                "annotations", "start_line", "ncloc", "cyclomatic", "cognitive"],
    "references": ["source_id", "target_id", "kind"],
    "problems": ["kind"],
}  # fmt: skip

# The owner's type when the object has no row (the Configuration owns application/session modules):
# the first dotted part of the id after an extension's "<configuration>:" prefix.
_TYPE_FROM_ID = "split_part(regexp_replace({id}, '^[^:]*:', ''), '.', 1)"


def connect(snapshot: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with the snapshot's tables, the view ``module_facts`` and the table ``method_facts``.

    ``method_facts`` (methods with module type, owner type and side) is materialised once: every
    aggregate reads it, and the joins behind it are the costly part at 500k methods.
    """
    from .sides import create_method_sides, create_module_sides

    con = duckdb_views.connect()
    for name, columns in COLUMNS.items():
        # of the references, only subsystem content is used
        where = "WHERE kind = 'subsystem_content'" if name == "references" else ""
        duckdb_views.create_view(con, Path(snapshot), name, columns, where)
    create_module_sides(con)
    create_method_sides(con)
    con.execute(
        f"""
        CREATE OR REPLACE VIEW module_facts AS
        SELECT mo.module_id, mo.configuration, mo.object_id, mo.module_type, mo.lines, mo.ncloc, mo.protected,
               coalesce(o.type, {_TYPE_FROM_ID.format(id="mo.object_id")}) AS object_type
        FROM modules mo LEFT JOIN objects o ON o.object_id = mo.object_id
        """
    )
    con.execute(
        f"""
        CREATE OR REPLACE TABLE method_facts AS
        SELECT me.method_id, me.module_id, me.object_id, me.configuration, me.name, me.export, me.annotations,
               me.start_line, me.ncloc, me.cyclomatic, me.cognitive,
               coalesce(mo.module_type, 'unknown') AS module_type,
               coalesce(o.type, {_TYPE_FROM_ID.format(id="me.object_id")}) AS object_type,
               s.side, s.decided_by
        FROM methods me
        LEFT JOIN modules mo ON mo.module_id = me.module_id
        LEFT JOIN objects o ON o.object_id = me.object_id
        LEFT JOIN method_sides s ON s.method_id = me.method_id
        """
    )
    return con
