"""The Prometheus view of a snapshot: a custom Collector with fresh metric families per scrape."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from typing import Any

from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from cluster_health.snapshot import LATENCY_BUCKETS, SOURCES

log = logging.getLogger(__name__)

NODE_LABELS = ("cluster", "node", "role")
STATUSES = ("idle", "processing")


class SnapshotCollector(Collector):
    """Serves the snapshot ``load()`` returns; never talks to the monitored systems itself.

    :param load: returns the latest snapshot dict, or None when there is none; may raise.
    :param stale_after_seconds: an older snapshot is reported as failed scrapes, not as data.
    :param clock: wall clock in seconds (the snapshot's ``collected_at`` is wall time too).
    """

    def __init__(
        self,
        load: Callable[[], dict[str, Any] | None],
        *,
        stale_after_seconds: float = 180.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._load = load
        self.stale_after_seconds = stale_after_seconds
        self._clock = clock

    def collect(self) -> Iterator[Metric]:
        try:
            snap = self._load()
        except Exception as exc:
            log.warning("cannot read the cluster health snapshot: %s", exc)
            snap = None
        success = GaugeMetricFamily(
            "cluster_health_scrape_success",
            "1 if the last collection from the source succeeded and the snapshot is fresh",
            labels=["source"],
        )
        if not snap or snap.get("collected_at") is None:
            for source in SOURCES:
                success.add_metric([source], 0)
            yield success
            return

        age = max(0.0, self._clock() - snap["collected_at"])
        fresh = age <= self.stale_after_seconds
        ok = {source: bool(fresh and snap["sources"].get(source)) for source in SOURCES}
        for source in SOURCES:
            success.add_metric([source], int(ok[source]))
        yield success
        yield GaugeMetricFamily(
            "cluster_health_snapshot_age_seconds",
            "Seconds since the served snapshot was collected",
            value=age,
        )
        yield GaugeMetricFamily(
            "cluster_health_collection_duration_seconds",
            "Wall time of the collection cycle that produced the served snapshot",
            value=snap.get("duration_seconds") or 0.0,
        )
        yield GaugeMetricFamily(
            "cluster_health_collection_redis_commands",
            "Redis commands the collection cycle sent to the monitored Redis and the broker",
            value=snap.get("redis_commands") or 0,
        )
        if ok["redis"]:
            yield from _redis(snap["redis"])
        if ok["celery"]:
            yield from _workers(snap)
        if ok["airflow_db"]:
            yield _latency(snap["latency"]["queues"])


def _redis(redis: dict[str, Any]) -> Iterator[Metric]:
    families = {
        "up": GaugeMetricFamily(
            "redis_cluster_node_up", "1 if the Redis node answered INFO", labels=NODE_LABELS
        ),
        "memory_bytes": GaugeMetricFamily(
            "redis_cluster_memory_bytes", "used_memory of the Redis node", labels=NODE_LABELS
        ),
        "connected_clients": GaugeMetricFamily(
            "redis_cluster_connected_clients", "Clients connected to the Redis node", labels=NODE_LABELS
        ),
        "ops_per_sec": GaugeMetricFamily(
            "redis_cluster_ops_per_sec", "instantaneous_ops_per_sec of the Redis node", labels=NODE_LABELS
        ),
        "lag_seconds": GaugeMetricFamily(
            "redis_cluster_replication_lag_seconds",
            "Seconds since the primary last received a replication ACK from this replica",
            labels=NODE_LABELS,
        ),
        "lag_bytes": GaugeMetricFamily(
            "redis_cluster_replication_lag_bytes",
            "Replication stream bytes the replica has not acknowledged",
            labels=NODE_LABELS,
        ),
    }
    cluster = redis["cluster"]
    for name, node in sorted(redis["nodes"].items()):
        labels = [cluster, name, node["role"]]
        families["up"].add_metric(labels, int(bool(node["up"])))
        if not node["up"]:
            continue
        for key in ("memory_bytes", "connected_clients", "ops_per_sec", "lag_seconds", "lag_bytes"):
            if node.get(key) is not None and (node["role"] == "replica" or not key.startswith("lag")):
                families[key].add_metric(labels, node[key])
    yield from families.values()
    state = GaugeMetricFamily(
        "redis_cluster_state_ok", "1 if the Redis deployment serves all its data", labels=["cluster"]
    )
    state.add_metric([cluster], redis["state_ok"])
    yield state
    if redis.get("deployment") == "cluster":
        for metric, key, doc in (
            ("redis_cluster_slots_fail", "slots_fail", "Hash slots whose owner is failed"),
            ("redis_cluster_slots_assigned", "slots_assigned", "Hash slots that have an owner"),
        ):
            if redis.get(key) is not None:
                family = GaugeMetricFamily(metric, doc, labels=["cluster"])
                family.add_metric([cluster], redis[key])
                yield family


def _workers(snap: dict[str, Any]) -> Iterator[Metric]:
    up = GaugeMetricFamily(
        "worker_up", "1 if the Celery worker answered the last stats broadcast", labels=["worker"]
    )
    processed = CounterMetricFamily(
        "worker_tasks_processed", "Tasks the Celery worker accepted since it started", labels=["worker"]
    )
    failed = CounterMetricFamily(
        "worker_tasks_failed", "Task instance tries that failed on the worker's host", labels=["worker"]
    )
    uptime = GaugeMetricFamily(
        "worker_uptime_seconds", "Seconds since the Celery worker started", labels=["worker"]
    )
    status = GaugeMetricFamily(
        "worker_current_status",
        "1 for the worker's current status (idle or processing)",
        labels=["worker", "status"],
    )
    active = GaugeMetricFamily("worker_active_tasks", "Tasks the worker is executing now", labels=["worker"])
    memory = GaugeMetricFamily(
        "worker_max_rss_bytes",
        "Peak resident memory of the Celery worker's main process (rusage maxrss)",
        labels=["worker"],
    )
    for name, worker in sorted(snap["workers"].items()):
        alive = bool(worker["up"])
        current = ("processing" if worker["active"] else "idle") if alive else None
        up.add_metric([name], int(alive))
        processed.add_metric([name], worker["processed"])
        failed.add_metric([name], worker.get("failed", 0))
        uptime.add_metric([name], worker["uptime_seconds"] if alive else 0)
        active.add_metric([name], len(worker["active"]) if alive else 0)
        if alive and worker.get("max_rss_bytes"):  # unknown for a dead worker: no sample, not 0
            memory.add_metric([name], worker["max_rss_bytes"])
        for s in STATUSES:
            status.add_metric([name, s], int(s == current))
    yield from (up, processed, failed, uptime, status, active, memory)
    yield CounterMetricFamily(
        "dead_workers_detected",
        "Workers seen up and then not answering",
        value=snap["dead_workers_detected_total"],
    )
    yield CounterMetricFamily(
        "tasks_reassigned",
        "Task instances running on a dead worker that were started again",
        value=snap["tasks_reassigned_total"],
    )
    queues = GaugeMetricFamily(
        "celery_queue_length", "Messages waiting in the Celery queue, all priorities", labels=["queue"]
    )
    for queue, length in sorted(snap["queues"].items()):
        queues.add_metric([queue], length)
    yield queues


def _latency(queues: dict[str, Any]) -> Metric:
    family = HistogramMetricFamily(
        "task_queue_latency_seconds",
        "Seconds from queued to running of task instance tries",
        labels=["queue"],
    )
    bounds = [*(repr(float(b)) for b in LATENCY_BUCKETS), "+Inf"]
    for queue, h in sorted(queues.items()):
        cumulative, running = [], 0
        for bound, count in zip(bounds, h["buckets"], strict=True):
            running += count
            cumulative.append((bound, running))
        family.add_metric([queue], cumulative, sum_value=h["sum"])
    return family
