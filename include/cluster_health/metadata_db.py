"""What Airflow's metadata DB knows about workers and queues, read incrementally.

Functions take a DB-API connection to the metadata DB (PostgreSQL, ``%(name)s`` parameters) and a
half-open time window ``(since, until]`` so that each collection reads only what happened since the
last one. Both the current try (``task_instance``) and earlier tries (``task_instance_history``)
are read; ``UNION`` removes a try present in both while it is being moved.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

#: The window ends this far before the DB's clock, so rows committed a little late are not skipped.
SETTLE = dt.timedelta(seconds=5)

_TRIES = """
    SELECT dag_id, task_id, run_id, map_index, try_number, state, hostname, queue, queued_dttm, start_date, end_date
      FROM task_instance WHERE {where}
    UNION
    SELECT dag_id, task_id, run_id, map_index, try_number, state, hostname, queue, queued_dttm, start_date, end_date
      FROM task_instance_history WHERE {where}
"""


def window_end(conn) -> dt.datetime:
    with conn.cursor() as cur:
        cur.execute("SELECT now()")
        return cur.fetchone()[0] - SETTLE


def failures_by_host(conn, since: dt.datetime, until: dt.datetime) -> dict[str, int]:
    """{short host: tries that ended failed or up_for_retry in the window}."""
    where = "state IN ('failed', 'up_for_retry') AND end_date > %(since)s AND end_date <= %(until)s"
    sql = f"SELECT hostname, count(*) FROM ({_TRIES.format(where=where)}) AS tries GROUP BY hostname"
    with conn.cursor() as cur:
        cur.execute(sql, {"since": since, "until": until})
        counts: dict[str, int] = {}
        for hostname, count in cur.fetchall():
            host = (hostname or "").split(".", 1)[0].lower()
            counts[host] = counts.get(host, 0) + int(count)
    return counts


def queue_latencies(conn, since: dt.datetime, until: dt.datetime) -> list[tuple[str, float]]:
    """(queue, seconds from queued to started) for every try that started in the window."""
    where = "start_date > %(since)s AND start_date <= %(until)s AND queued_dttm IS NOT NULL"
    sql = (
        f"SELECT queue, EXTRACT(EPOCH FROM start_date - queued_dttm) FROM ({_TRIES.format(where=where)}) AS t"
    )
    with conn.cursor() as cur:
        cur.execute(sql, {"since": since, "until": until})
        return [(queue or "default", max(0.0, float(seconds))) for queue, seconds in cur.fetchall()]


def started_again(conn, pending: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The pending task instances whose current try is newer than the one that was lost and has started."""
    pending = list(pending)
    if not pending:
        return []
    found = []
    with conn.cursor() as cur:
        # One query for all of them: the VALUES list is as long as the pending list (bounded by retention).
        values = ", ".join(["(%s, %s, %s, %s)"] * len(pending))
        params: list[Any] = []
        for p in pending:
            params += [p["dag_id"], p["task_id"], p["run_id"], p["map_index"]]
        cur.execute(
            f"""SELECT ti.dag_id, ti.task_id, ti.run_id, ti.map_index, ti.try_number
                  FROM task_instance ti
                  JOIN (VALUES {values}) AS p(dag_id, task_id, run_id, map_index)
                    ON ti.dag_id = p.dag_id AND ti.task_id = p.task_id
                   AND ti.run_id = p.run_id AND ti.map_index = p.map_index
                 WHERE ti.start_date IS NOT NULL""",
            params,
        )
        current = {tuple(row[:4]): row[4] for row in cur.fetchall()}
    for p in pending:
        try_now = current.get((p["dag_id"], p["task_id"], p["run_id"], p["map_index"]))
        if try_now is not None and try_now > p["try_number"]:
            found.append(p)
    return found
