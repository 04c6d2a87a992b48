"""The body of the cluster_health DAG's collection task: wire the sources, run one cycle, store it."""

from __future__ import annotations

import logging
from typing import Any

from cluster_health.celery_workers import CeleryInspector, declared_queues, queue_lengths
from cluster_health.redis_nodes import RedisNodeCollector
from cluster_health.snapshot import Settings, SnapshotStore, run_cycle

log = logging.getLogger(__name__)


def collect_cluster_health(
    *,
    redis_conn_id: str,
    metadata_db_conn_id: str,
    inspect_timeout: float = 0.5,
    dead_worker_retention_seconds: float = 900.0,
) -> dict[str, Any]:
    """One collection cycle; returns a small summary for XCom. Fails only if the snapshot cannot be saved."""
    from cluster_health_hook import ClusterHealthRedisHook, broker_client, celery_broker_url, snapshot_key

    broker = broker_client()
    store = SnapshotStore(broker, snapshot_key())
    try:
        previous = store.load()
    except Exception as exc:  # a missing/garbled snapshot must not stop monitoring; start over
        log.warning("previous snapshot unreadable, starting over: %s", exc)
        previous = None

    def redis_source(known):
        hook = ClusterHealthRedisHook(redis_conn_id)
        return RedisNodeCollector(hook.redis_target(), hook.node_client_factory()).collect(known)

    def celery_source(expected):
        inspector = CeleryInspector(celery_broker_url(), timeout=inspect_timeout)
        try:
            workers = inspector.workers(expected)
        finally:
            inspector.close()
        queues, discovery_commands = declared_queues(broker)
        lengths, commands = queue_lengths(broker, queues | _configured_default_queue())
        return workers, lengths, discovery_commands + commands

    db = _metadata_db(metadata_db_conn_id)
    try:
        snap = run_cycle(
            previous,
            redis_source=redis_source,
            celery_source=celery_source,
            db=db,
            settings=Settings(dead_worker_retention_seconds=dead_worker_retention_seconds),
        )
    finally:
        if db is not None:
            db.close()
    store.save(snap)
    broker.close()
    summary = {
        "sources": snap["sources"],
        "errors": snap["errors"],
        "duration_seconds": round(snap["duration_seconds"], 3),
        "timings": snap["timings"],
        "redis_commands": snap["redis_commands"],
        "workers_up": sum(w["up"] for w in snap["workers"].values()),
        "workers_down": sum(not w["up"] for w in snap["workers"].values()),
    }
    log.info("cluster health collected: %s", summary)
    return summary


def _configured_default_queue() -> set[str]:
    from airflow.configuration import conf

    return {conf.get("operators", "default_queue", fallback="default")}


def _metadata_db(conn_id: str):
    """A psycopg2 connection on the metadata DB (read-only use), or None if it cannot be opened."""
    try:
        from airflow.providers.postgres.hooks.postgres import PostgresHook

        conn = PostgresHook(postgres_conn_id=conn_id).get_conn()  # psycopg 3 or psycopg2
        conn.autocommit = True
        with conn.cursor() as cur:  # this collector only reads; say so to the server too
            cur.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        return conn
    except Exception as exc:
        log.warning("metadata DB connection %s unavailable: %s", conn_id, exc)
        return None
