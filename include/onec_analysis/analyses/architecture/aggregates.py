"""The architecture aggregates, each one DuckDB query over the views of ``tables.connect``.

Every function returns an Arrow table sorted deterministically (ties broken by id), so equal snapshots
give byte-equal Parquet files.

Code volume: ``ncloc`` is the module's non-comment, non-blank line count (module-body code included);
``methods``/``exported_methods`` count method rows. The code of an object is the code of all its
modules (object, manager, forms, commands …).
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

# Per-object code: the building block of per-type and per-subsystem volume.
_OBJECT_CODE = """
    SELECT object_id,
           count(*) AS modules,
           coalesce(sum(ncloc), 0) AS ncloc,
           coalesce(sum(protected::INTEGER), 0) AS protected_modules
    FROM module_facts GROUP BY object_id
"""
_OBJECT_METHODS = """
    SELECT object_id,
           count(*) AS methods,
           count(*) FILTER (WHERE export) AS exported_methods
    FROM method_facts GROUP BY object_id
"""


def _arrow(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> pa.Table:
    return con.sql(sql, params=params).to_arrow_table()


def per_type(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per object type: objects, modules, ncloc, methods, exported methods, protected modules."""
    return _arrow(
        con,
        """
        WITH obj AS (SELECT type AS object_type, any_value(type_folder ORDER BY type_folder) AS type_folder,
                            count(*) AS objects
                     FROM objects GROUP BY type),
             mo AS (SELECT object_type, count(*) AS modules, coalesce(sum(ncloc), 0) AS ncloc,
                           coalesce(sum(protected::INTEGER), 0) AS protected_modules
                    FROM module_facts GROUP BY object_type),
             me AS (SELECT object_type, count(*) AS methods, count(*) FILTER (WHERE export) AS exported_methods
                    FROM method_facts GROUP BY object_type),
             types AS (SELECT object_type FROM obj UNION SELECT object_type FROM mo UNION SELECT object_type FROM me)
        SELECT t.object_type, obj.type_folder,
               coalesce(obj.objects, 0)::BIGINT AS objects,
               coalesce(mo.modules, 0)::BIGINT AS modules,
               coalesce(mo.ncloc, 0)::BIGINT AS ncloc,
               coalesce(me.methods, 0)::BIGINT AS methods,
               coalesce(me.exported_methods, 0)::BIGINT AS exported_methods,
               coalesce(mo.protected_modules, 0)::BIGINT AS protected_modules
        FROM types t
        LEFT JOIN obj USING (object_type) LEFT JOIN mo USING (object_type) LEFT JOIN me USING (object_type)
        ORDER BY objects DESC, ncloc DESC, t.object_type
        """,
    )


def per_module_type(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per module type (ObjectModule, FormModule, CommonModule …): modules, ncloc, methods, exported."""
    return _arrow(
        con,
        """
        WITH mo AS (SELECT module_type, count(*) AS modules, coalesce(sum(ncloc), 0) AS ncloc
                    FROM module_facts GROUP BY module_type),
             me AS (SELECT module_type, count(*) AS methods, count(*) FILTER (WHERE export) AS exported_methods
                    FROM method_facts GROUP BY module_type)
        SELECT coalesce(mo.module_type, me.module_type) AS module_type,
               coalesce(mo.modules, 0)::BIGINT AS modules, coalesce(mo.ncloc, 0)::BIGINT AS ncloc,
               coalesce(me.methods, 0)::BIGINT AS methods,
               coalesce(me.exported_methods, 0)::BIGINT AS exported_methods
        FROM mo FULL OUTER JOIN me ON me.module_type = mo.module_type
        ORDER BY ncloc DESC, module_type
        """,
    )


def create_subsystem_views(con: duckdb.DuckDBPyConnection) -> None:
    """``subsystem_members`` (direct content) and ``subsystem_subtree_members`` (content of nested ones too)."""
    con.execute(
        """
        CREATE OR REPLACE TABLE subsystems AS
        SELECT object_id AS subsystem_id, configuration, name, synonym, parent_id
        FROM objects WHERE type = 'Subsystem'
        """
    )
    # ancestor_id is the subsystem itself (depth 0) and every enclosing subsystem.
    con.execute(
        """
        CREATE OR REPLACE TABLE subsystem_ancestors AS
        WITH RECURSIVE up(subsystem_id, ancestor_id, depth) AS (
            SELECT subsystem_id, subsystem_id, 0 FROM subsystems
            UNION ALL
            SELECT up.subsystem_id, s.parent_id, up.depth + 1
            FROM up JOIN subsystems s ON s.subsystem_id = up.ancestor_id
            WHERE s.parent_id IS NOT NULL AND up.depth < 64
        )
        SELECT * FROM up
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE subsystem_members AS
        SELECT DISTINCT r.source_id AS subsystem_id, r.target_id AS object_id
        FROM "references" r JOIN subsystems s ON s.subsystem_id = r.source_id
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TABLE subsystem_subtree_members AS
        SELECT DISTINCT a.ancestor_id AS subsystem_id, m.object_id
        FROM subsystem_ancestors a JOIN subsystem_members m ON m.subsystem_id = a.subsystem_id
        """
    )


def per_subsystem(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per subsystem: its place in the tree and the code of its objects.

    Plain columns count the subsystem's own content; ``*_total`` columns the distinct objects of the
    subsystem and all nested subsystems. An object in several subsystems counts in each of them.
    """
    return _arrow(
        con,
        f"""
        WITH code AS (
                SELECT o.object_id, coalesce(c.modules, 0) AS modules, coalesce(c.ncloc, 0) AS ncloc,
                       coalesce(m.methods, 0) AS methods, coalesce(m.exported_methods, 0) AS exported_methods
                FROM (SELECT object_id FROM subsystem_subtree_members GROUP BY object_id) o
                LEFT JOIN ({_OBJECT_CODE}) c USING (object_id)
                LEFT JOIN ({_OBJECT_METHODS}) m USING (object_id)),
             direct AS (
                SELECT sm.subsystem_id, count(*) AS objects, sum(modules) AS modules, sum(ncloc) AS ncloc,
                       sum(methods) AS methods, sum(exported_methods) AS exported_methods
                FROM subsystem_members sm JOIN code USING (object_id) GROUP BY sm.subsystem_id),
             total AS (
                SELECT st.subsystem_id, count(*) AS objects, sum(modules) AS modules, sum(ncloc) AS ncloc,
                       sum(methods) AS methods, sum(exported_methods) AS exported_methods
                FROM subsystem_subtree_members st JOIN code USING (object_id) GROUP BY st.subsystem_id),
             levels AS (SELECT subsystem_id, max(depth) + 1 AS level FROM subsystem_ancestors GROUP BY subsystem_id)
        SELECT s.subsystem_id, s.configuration, s.name, s.synonym, s.parent_id, l.level::INTEGER AS level,
               coalesce(d.objects, 0)::BIGINT AS objects,
               coalesce(d.modules, 0)::BIGINT AS modules,
               coalesce(d.ncloc, 0)::BIGINT AS ncloc,
               coalesce(d.methods, 0)::BIGINT AS methods,
               coalesce(d.exported_methods, 0)::BIGINT AS exported_methods,
               coalesce(t.objects, 0)::BIGINT AS objects_total,
               coalesce(t.modules, 0)::BIGINT AS modules_total,
               coalesce(t.ncloc, 0)::BIGINT AS ncloc_total,
               coalesce(t.methods, 0)::BIGINT AS methods_total,
               coalesce(t.exported_methods, 0)::BIGINT AS exported_methods_total
        FROM subsystems s
        JOIN levels l USING (subsystem_id)
        LEFT JOIN direct d USING (subsystem_id)
        LEFT JOIN total t USING (subsystem_id)
        ORDER BY s.subsystem_id
        """,
    )


def subsystem_members(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """(subsystem_id, object_id, object_type) of every subsystem's direct content."""
    return _arrow(
        con,
        """
        SELECT m.subsystem_id, m.object_id, o.type AS object_type
        FROM subsystem_members m LEFT JOIN objects o USING (object_id)
        ORDER BY m.subsystem_id, m.object_id
        """,
    )


def outside_subsystems(con: duckdb.DuckDBPyConnection) -> dict:
    """Objects (subsystems themselves excluded) that no subsystem lists, and their code."""
    row = con.execute(
        f"""
        SELECT count(*), coalesce(sum(c.ncloc), 0), coalesce(sum(m.methods), 0)
        FROM objects o
        LEFT JOIN ({_OBJECT_CODE}) c USING (object_id)
        LEFT JOIN ({_OBJECT_METHODS}) m USING (object_id)
        WHERE o.type <> 'Subsystem'
          AND o.object_id NOT IN (SELECT object_id FROM subsystem_members)
        """
    ).fetchone()
    return {"objects": int(row[0]), "ncloc": int(row[1]), "methods": int(row[2])}


def extension_footprint(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Per configuration and belonging (Own / Adopted): objects and the code in them.

    ``annotated_methods`` counts methods with extension annotations (&Перед, &После, &Вместо …).
    """
    return _arrow(
        con,
        f"""
        SELECT o.configuration, coalesce(o.belonging, 'Own') AS belonging,
               count(*)::BIGINT AS objects,
               coalesce(sum(c.modules), 0)::BIGINT AS modules,
               coalesce(sum(c.ncloc), 0)::BIGINT AS ncloc,
               coalesce(sum(m.methods), 0)::BIGINT AS methods,
               coalesce(sum(m.exported_methods), 0)::BIGINT AS exported_methods,
               coalesce(sum(a.annotated_methods), 0)::BIGINT AS annotated_methods
        FROM objects o
        LEFT JOIN ({_OBJECT_CODE}) c USING (object_id)
        LEFT JOIN ({_OBJECT_METHODS}) m USING (object_id)
        LEFT JOIN (SELECT object_id, count(*) AS annotated_methods FROM method_facts
                   WHERE len(coalesce(annotations, [])) > 0 GROUP BY object_id) a USING (object_id)
        GROUP BY ALL
        ORDER BY o.configuration, belonging
        """,
    )


def adopted_per_type(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Adopted objects per configuration and type: what extensions borrow from the main configuration."""
    return _arrow(
        con,
        """
        SELECT configuration, type AS object_type, count(*)::BIGINT AS objects
        FROM objects WHERE belonging = 'Adopted'
        GROUP BY ALL ORDER BY configuration, objects DESC, object_type
        """,
    )


def client_server(con: duckdb.DuckDBPyConnection) -> pa.Table:
    """Methods and their ncloc per module type, side and the rule that decided it (see ``sides``)."""
    return _arrow(
        con,
        """
        SELECT module_type, side, decided_by, count(*)::BIGINT AS methods,
               coalesce(sum(ncloc), 0)::BIGINT AS ncloc
        FROM method_facts GROUP BY ALL ORDER BY module_type, side, decided_by
        """,
    )


def top_methods(con: duckdb.DuckDBPyConnection, top: int) -> pa.Table:
    """The *top* largest (ncloc), most cyclomatic and most cognitive methods, one ranking per ``ranking``."""
    parts = []
    for ranking, metric in (
        ("largest", "ncloc"),
        ("most_cyclomatic", "cyclomatic"),
        ("most_cognitive", "cognitive"),
    ):
        # LIMIT first (a top-N scan), rank after: a window over all 500k methods would sort them all
        parts.append(
            f"""
            SELECT '{ranking}' AS ranking,
                   row_number() OVER (ORDER BY {metric} DESC NULLS LAST, method_id)::INTEGER AS rank, *
            FROM (SELECT method_id, module_id, object_id, object_type, module_type, name, start_line,
                         ncloc, cyclomatic, cognitive, side
                  FROM method_facts ORDER BY {metric} DESC NULLS LAST, method_id LIMIT {int(top)})
            """
        )
    return _arrow(con, " UNION ALL ".join(f"({p})" for p in parts) + " ORDER BY ranking, rank")


def top_modules(con: duckdb.DuckDBPyConnection, top: int) -> pa.Table:
    """The *top* largest (ncloc) and most complex (sum of cognitive complexity of methods) modules."""
    base = """
        SELECT mo.module_id, mo.object_id, mo.object_type, mo.module_type, mo.lines, mo.ncloc,
               coalesce(me.methods, 0)::BIGINT AS methods,
               coalesce(me.cyclomatic_sum, 0)::BIGINT AS cyclomatic_sum,
               coalesce(me.cognitive_sum, 0)::BIGINT AS cognitive_sum,
               me.cognitive_max
        FROM module_facts mo LEFT JOIN (
            SELECT module_id, count(*) AS methods, sum(cyclomatic) AS cyclomatic_sum,
                   sum(cognitive) AS cognitive_sum, max(cognitive) AS cognitive_max
            FROM method_facts GROUP BY module_id) me USING (module_id)
    """
    parts = []
    for ranking, metric in (("largest", "ncloc"), ("most_complex", "cognitive_sum")):
        parts.append(
            f"""
            SELECT '{ranking}' AS ranking,
                   row_number() OVER (ORDER BY {metric} DESC NULLS LAST, module_id)::INTEGER AS rank, *
            FROM ({base} ORDER BY {metric} DESC NULLS LAST, module_id LIMIT {int(top)})
            """
        )
    return _arrow(con, " UNION ALL ".join(f"({p})" for p in parts) + " ORDER BY ranking, rank")


# Histogram buckets: lower bounds; the last bucket is open. Chosen so the usual thresholds
# (cyclomatic 10/20, cognitive 15, methods of 50/100/200 lines) fall on edges.
BUCKETS: dict[str, tuple[int, ...]] = {
    "method_cyclomatic": (0, 1, 2, 3, 5, 8, 11, 16, 21, 31, 51, 101),
    "method_cognitive": (0, 1, 2, 3, 5, 8, 11, 16, 21, 31, 51, 101),
    "method_ncloc": (0, 1, 5, 10, 20, 50, 100, 200, 500, 1000),
    "module_ncloc": (0, 1, 10, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000),
}
_METRIC_SQL = {
    "method_cyclomatic": "SELECT cyclomatic FROM method_facts WHERE cyclomatic IS NOT NULL",
    "method_cognitive": "SELECT cognitive FROM method_facts WHERE cognitive IS NOT NULL",
    "method_ncloc": "SELECT ncloc FROM method_facts WHERE ncloc IS NOT NULL",
    "module_ncloc": "SELECT ncloc FROM module_facts WHERE ncloc IS NOT NULL AND NOT coalesce(protected, false)",
}


def _bucket_label(low: int, high: int | None) -> str:
    if high is None:
        return f"{low}+"
    return str(low) if high == low + 1 else f"{low}-{high - 1}"


def distributions(con: duckdb.DuckDBPyConnection) -> tuple[pa.Table, dict]:
    """Histogram rows (metric, bucket, low, high, count) and summary statistics per metric."""
    rows: dict[str, list] = {"metric": [], "bucket": [], "low": [], "high": [], "count": []}
    stats = {}
    for metric, edges in BUCKETS.items():
        values = con.execute(_METRIC_SQL[metric]).fetchnumpy()
        column = next(iter(values.values()))
        column = np.asarray(column, dtype=np.int64)
        counts = np.bincount(np.searchsorted(edges, column, side="right") - 1, minlength=len(edges))
        for index, low in enumerate(edges):
            high = edges[index + 1] if index + 1 < len(edges) else None
            rows["metric"].append(metric)
            rows["bucket"].append(_bucket_label(low, high))
            rows["low"].append(low)
            rows["high"].append(high)
            rows["count"].append(int(counts[index]))
        stats[metric] = _stats(column)
    schema = pa.schema(
        [("metric", pa.string()), ("bucket", pa.string()), ("low", pa.int64()), ("high", pa.int64()),
         ("count", pa.int64())]
    )  # fmt: skip
    return pa.table(rows, schema=schema), stats


def _stats(values: np.ndarray) -> dict:
    if values.size == 0:
        return {"count": 0, "mean": None, "p50": None, "p90": None, "p99": None, "max": None}
    p50, p90, p99 = np.percentile(values, [50, 90, 99], method="lower")
    return {
        "count": int(values.size),
        "mean": round(float(values.mean()), 3),
        "p50": int(p50),
        "p90": int(p90),
        "p99": int(p99),
        "max": int(values.max()),
    }
