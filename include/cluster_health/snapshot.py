"""One collection cycle: observations from every source merged with the previous snapshot.

The snapshot is a JSON-able dict (format ``VERSION``). It carries what must survive between
cycles — when each worker was last seen, counters, DB cursors, task instances lost with a dead
worker — so the cycle itself is stateless and can run in any Airflow worker.

A source that fails is marked ``sources[source] = 0`` and its part of the previous snapshot is kept
only as state (counters, cursors, known workers); the collector does not serve it as data.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any

import redis

from cluster_health import metadata_db
from cluster_health.celery_workers import WorkerReply, worker_host
from cluster_health.redis_nodes import RedisHealth

log = logging.getLogger(__name__)

VERSION = 1
SOURCES = ("redis", "celery", "airflow_db")
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 600.0)  # + Inf
#: How far back the very first collection reads failures and latencies.
FIRST_LOOKBACK = dt.timedelta(hours=1)
#: Task instances lost with a dead worker are watched this long for a re-run, then forgotten.
RERUN_WATCH_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Settings:
    dead_worker_retention_seconds: float = 900.0
    redis_node_retention_seconds: float = 900.0


@dataclass
class Observations:
    """What one cycle saw; ``None`` for a source means it failed (see ``errors``)."""

    redis: RedisHealth | None = None
    workers: list[WorkerReply] | None = None
    queues: dict[str, int] | None = None
    db: Any = None  # a DB-API connection to read from, or None
    errors: dict[str, str] | None = None
    redis_commands: int = 0


def empty_snapshot() -> dict[str, Any]:
    return {
        "version": VERSION,
        "collected_at": None,
        "duration_seconds": None,
        "redis_commands": 0,
        "sources": dict.fromkeys(SOURCES, 0),
        "errors": {},
        "redis": {"nodes": {}},
        "workers": {},
        "queues": {},
        "dead_workers_detected_total": 0,
        "tasks_reassigned_total": 0,
        "pending_reruns": [],
        "failures": {"cursor": None, "by_host": {}},
        "latency": {"cursor": None, "queues": {}},
    }


def merge(
    previous: dict[str, Any] | None, seen: Observations, now: float, settings: Settings
) -> dict[str, Any]:
    """The next snapshot from the previous one and this cycle's observations."""
    prev = previous if previous and previous.get("version") == VERSION else empty_snapshot()
    snap = json.loads(json.dumps(prev))  # a deep copy that is JSON-able by construction
    snap["collected_at"] = now
    snap["errors"] = dict(seen.errors or {})
    snap["redis_commands"] = seen.redis_commands
    snap["sources"] = dict.fromkeys(SOURCES, 0)

    if seen.redis is not None:
        _merge_redis(snap, seen.redis, now, settings)
        snap["sources"]["redis"] = 1
    if seen.workers is not None:
        _merge_workers(snap, seen.workers, now, settings)
        snap["queues"] = dict(seen.queues or {})
        snap["sources"]["celery"] = 1
    if seen.db is not None:
        try:
            _merge_db(snap, seen.db)
            snap["sources"]["airflow_db"] = 1
        except Exception as exc:  # any driver error: say so, keep the rest of the snapshot
            log.warning("metadata DB collection failed: %s", exc)
            snap["errors"]["airflow_db"] = f"{type(exc).__name__}: {exc}"
            _rollback(seen.db)
    return snap


def _merge_redis(snap, health: RedisHealth, now: float, settings: Settings) -> None:
    previous_nodes = snap["redis"].get("nodes", {})
    nodes = {}
    for node in health.nodes:
        entry = asdict(node)
        entry["last_seen"] = now if node.up else previous_nodes.get(node.node, {}).get("last_seen", now)
        nodes[node.node] = entry
    for name, entry in previous_nodes.items():  # known before, gone from the topology now
        if name not in nodes and now - entry.get("last_seen", now) <= settings.redis_node_retention_seconds:
            nodes[name] = {**entry, "up": False, "error": "no longer in the topology"}
    snap["redis"] = {
        "cluster": health.cluster,
        "deployment": health.deployment,
        "state_ok": int(health.state_ok),
        "slots_assigned": health.slots_assigned,
        "slots_fail": health.slots_fail,
        "nodes": nodes,
    }


def _merge_workers(snap, replies: list[WorkerReply], now: float, settings: Settings) -> None:
    workers = snap["workers"]
    answered = {reply.name for reply in replies}
    for reply in replies:
        old = workers.get(reply.name, {})
        workers[reply.name] = {
            "up": 1,
            "processed": reply.processed,
            "uptime_seconds": reply.uptime_seconds,
            "max_rss_bytes": reply.max_rss_bytes,
            # Not answering `active` this time is "unknown", not "idle": keep what was known.
            "active": reply.active if reply.active is not None else old.get("active", []),
            "last_seen": now,
            "failed": old.get("failed", 0),
        }
    for name in list(workers):
        if name in answered:
            continue
        worker = workers[name]
        if worker["up"]:
            worker["up"] = 0
            snap["dead_workers_detected_total"] += 1
            log.warning(
                "worker %s stopped answering; %d task(s) were running on it", name, len(worker["active"])
            )
            for ti in worker["active"]:
                snap["pending_reruns"].append({**ti, "worker": name, "since": now})
            worker["active"] = []
            worker["uptime_seconds"] = 0.0
        elif now - worker["last_seen"] > settings.dead_worker_retention_seconds:
            del workers[name]
    snap["pending_reruns"] = [p for p in snap["pending_reruns"] if now - p["since"] <= RERUN_WATCH_SECONDS]


def _merge_db(snap, conn) -> None:
    until = metadata_db.window_end(conn)
    failures, latency = snap["failures"], snap["latency"]
    f_since = _parse(failures["cursor"]) or until - FIRST_LOOKBACK
    if until > f_since:
        for host, count in metadata_db.failures_by_host(conn, f_since, until).items():
            failures["by_host"][host] = failures["by_host"].get(host, 0) + count
        failures["cursor"] = until.isoformat()
    l_since = _parse(latency["cursor"]) or until - FIRST_LOOKBACK
    if until > l_since:
        for queue, seconds in metadata_db.queue_latencies(conn, l_since, until):
            h = latency["queues"].setdefault(
                queue, {"buckets": [0] * (len(LATENCY_BUCKETS) + 1), "sum": 0.0, "count": 0}
            )
            h["buckets"][
                next((i for i, b in enumerate(LATENCY_BUCKETS) if seconds <= b), len(LATENCY_BUCKETS))
            ] += 1
            h["sum"] += seconds
            h["count"] += 1
        latency["cursor"] = until.isoformat()
    rerun = metadata_db.started_again(conn, snap["pending_reruns"])
    if rerun:
        snap["tasks_reassigned_total"] += len(rerun)
        snap["pending_reruns"] = [p for p in snap["pending_reruns"] if p not in rerun]
    for name, worker in snap["workers"].items():
        worker["failed"] = failures["by_host"].get(worker_host(name), 0)


def _parse(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _rollback(conn) -> None:
    try:
        conn.rollback()
    except Exception:  # the connection may be gone; nothing more to undo
        pass


class SnapshotStore:
    """The latest snapshot as one JSON string under one Redis key (kept a day, then it expires)."""

    def __init__(self, client: redis.Redis, key: str = "cluster_health:snapshot") -> None:
        self.client = client
        self.key = key

    def load(self) -> dict[str, Any] | None:
        raw = self.client.get(self.key)
        return json.loads(raw) if raw else None

    def save(self, snapshot: dict[str, Any]) -> None:
        self.client.set(self.key, json.dumps(snapshot, separators=(",", ":")), ex=86400)


def run_cycle(
    previous: dict[str, Any] | None,
    *,
    redis_source: Callable[[list[tuple[str, str]]], RedisHealth] | None,
    celery_source: Callable[[list[str]], tuple[list[WorkerReply], dict[str, int], int]] | None,
    db: Any,
    settings: Settings = Settings(),
    clock: Callable[[], float] = time.time,
) -> dict[str, Any]:
    """Ask every source, record which failed and why, and merge. Never raises for a source failure."""
    started = time.perf_counter()
    now = clock()
    seen = Observations(errors={})
    timings: dict[str, float] = {}
    lap = time.perf_counter()
    known = [
        (name, n.get("role", "primary"))
        for name, n in ((previous or {}).get("redis", {}).get("nodes") or {}).items()
    ]
    if redis_source is not None:
        try:
            seen.redis = redis_source(known)
            seen.redis_commands += seen.redis.commands
            if not any(n.up for n in seen.redis.nodes):
                raise ConnectionError("no Redis node answered")
        except Exception as exc:
            log.warning("Redis collection failed: %s", exc)
            seen.errors["redis"] = f"{type(exc).__name__}: {exc}"
            seen.redis = None
    timings["redis"], lap = time.perf_counter() - lap, time.perf_counter()
    if celery_source is not None:
        try:
            expected = [name for name, w in ((previous or {}).get("workers") or {}).items() if w.get("up")]
            seen.workers, seen.queues, commands = celery_source(expected)
            seen.redis_commands += commands
        except Exception as exc:
            log.warning("Celery collection failed: %s", exc)
            seen.errors["celery"] = f"{type(exc).__name__}: {exc}"
            seen.workers = seen.queues = None
    timings["celery"], lap = time.perf_counter() - lap, time.perf_counter()
    seen.db = db
    if db is None:
        seen.errors.setdefault("airflow_db", "no metadata DB connection")
    snap = merge(previous, seen, now, settings)
    timings["airflow_db"] = time.perf_counter() - lap  # merge() reads the DB
    snap["duration_seconds"] = time.perf_counter() - started
    snap["timings"] = {k: round(v, 4) for k, v in timings.items()}
    return snap
