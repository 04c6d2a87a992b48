"""The object-level edge list: every kind of dependency, aggregated by DuckDB before any graph exists.

One row per (source, target, kind) with ``weight`` = how many snapshot rows back it (calls, query
table mentions, bound form events, metadata links). Kinds:

* every ``references.kind`` except ``subsystem_content`` (membership, used to place objects in
  subsystems, not a dependency); ``event_subscription_handler`` becomes ``event_subscription`` and
  ``scheduled_job_method`` becomes ``scheduled_job``, their target cut from ``CommonModule.M.Method``
  to the module ``CommonModule.M``;
* ``call``: code of an object's modules calling a common module (also through
  ``ОбщегоНазначения.ОбщийМодуль("…")``) or an object manager;
* ``query``: an object's modules reading a table in a query text;
* ``form_handler``: a form (``Catalog.X.Form.F``) whose events are bound to methods of its module,
  pointing at the object that owns that module.

Self-loops are kept in the edge list (a module calling itself by name is real) but never count
towards fan-in/fan-out or cycles.
"""

from __future__ import annotations

import duckdb
import pyarrow as pa

#: The calls that leave the caller's module for a named object.
CROSS_OBJECT_CALL_KINDS = ("common_module", "common_module_dynamic", "manager")

# Reference kinds renamed in the graph, and whose target names a method rather than an object.
_HANDLER_KINDS = {"event_subscription_handler": "event_subscription", "scheduled_job_method": "scheduled_job"}

_EDGES_SQL = f"""
CREATE OR REPLACE TEMP TABLE dep_edges AS
WITH reference_edges AS (
    SELECT source_id AS source,
           CASE WHEN kind IN {tuple(_HANDLER_KINDS)} AND len(string_split(target_id, '.')) >= 3
                THEN regexp_replace(target_id, '\\.[^.]+$', '') ELSE target_id END AS target,
           CASE kind {" ".join(f"WHEN '{old}' THEN '{new}'" for old, new in _HANDLER_KINDS.items())}
                ELSE kind END AS kind,
           count(*) AS weight
    FROM snap_references
    WHERE kind <> 'subsystem_content' AND source_id IS NOT NULL AND target_id IS NOT NULL
    GROUP BY ALL
),
calls_by_module AS (
    SELECT caller_module_id, callee_object_id, count(*) AS weight
    FROM snap_calls
    WHERE callee_kind IN {CROSS_OBJECT_CALL_KINDS} AND callee_object_id IS NOT NULL
    GROUP BY ALL
),
call_edges AS (
    SELECT m.object_id AS source, c.callee_object_id AS target, 'call' AS kind, sum(c.weight) AS weight
    FROM calls_by_module c JOIN snap_modules m ON m.module_id = c.caller_module_id
    GROUP BY ALL
),
queries_by_module AS (
    SELECT module_id, object_id, count(*) AS weight
    FROM snap_query_tables WHERE object_id IS NOT NULL
    GROUP BY ALL
),
query_edges AS (
    SELECT m.object_id AS source, q.object_id AS target, 'query' AS kind, sum(q.weight) AS weight
    FROM queries_by_module q JOIN snap_modules m ON m.module_id = q.module_id
    GROUP BY ALL
),
form_handler_edges AS (
    -- A form without a module row still belongs to the object its id starts with.
    SELECT f.form_id AS source,
           coalesce(m.object_id, regexp_replace(f.form_id, '\\.Form\\.[^.]+$', '')) AS target,
           'form_handler' AS kind, count(*) AS weight
    FROM snap_form_handlers f LEFT JOIN snap_modules m ON m.module_id = f.module_id
    WHERE f.form_id IS NOT NULL
    GROUP BY ALL
)
SELECT source, target, kind, weight::BIGINT AS weight FROM (
    SELECT * FROM reference_edges
    UNION ALL SELECT * FROM call_edges
    UNION ALL SELECT * FROM query_edges
    UNION ALL SELECT * FROM form_handler_edges
)
"""

# Node type: the objects table when the node is an object, else read from the id
# (``Catalog.X.Form.F`` is a Form; ``Ext:CommonModule.M`` a CommonModule; ``Configuration`` itself).
_NODES_SQL = """
CREATE OR REPLACE TEMP TABLE dep_nodes AS
WITH ids AS (
    SELECT source AS node FROM dep_edges UNION SELECT target FROM dep_edges UNION SELECT object_id FROM snap_objects
),
bare AS (
    SELECT node, string_split(regexp_replace(node, '^[^.:]*:', ''), '.') AS parts FROM ids
)
SELECT b.node,
       coalesce(o.type, CASE WHEN len(b.parts) >= 4 AND b.parts[3] = 'Form' THEN 'Form' ELSE b.parts[1] END) AS type,
       coalesce(o.name, b.parts[-1]) AS name,
       o.object_id IS NOT NULL AS known_object
FROM bare b LEFT JOIN snap_objects o ON o.object_id = b.node
"""


def build_edges(connection: duckdb.DuckDBPyConnection) -> tuple[pa.Table, pa.Table]:
    """Create ``dep_edges`` and ``dep_nodes`` in *connection*; return both, sorted.

    Nodes are every object of the snapshot (isolated ones too, so other tools see them) plus every
    edge end that is not an object row: forms, ``Configuration``, links to objects the source lacks.
    """
    connection.execute(_EDGES_SQL)
    connection.execute(_NODES_SQL)
    edges = connection.sql(
        "SELECT e.source, s.type AS source_type, e.target, t.type AS target_type, e.kind, e.weight "
        "FROM dep_edges e JOIN dep_nodes s ON s.node = e.source JOIN dep_nodes t ON t.node = e.target "
        "ORDER BY e.source, e.target, e.kind"
    ).to_arrow_table()
    nodes = connection.sql("SELECT * FROM dep_nodes ORDER BY node").to_arrow_table()
    return edges, nodes
