"""Every metric name, type and label set of the README's metric table, from a recorded snapshot, in a private registry."""

from __future__ import annotations

import re
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest

from cluster_health.collector import SnapshotCollector
from cluster_health.snapshot import LATENCY_BUCKETS, empty_snapshot

README = Path(__file__).resolve().parents[3] / "README.md"
TABLE_HEADING = "### Cluster-health metrics"


def recorded_snapshot() -> dict:
    snap = empty_snapshot()
    snap.update(
        collected_at=1000.0,
        duration_seconds=0.61,
        redis_commands=17,
        sources={"redis": 1, "celery": 1, "airflow_db": 1},
        redis={
            "cluster": "main",
            "deployment": "cluster",
            "state_ok": 0,
            "slots_assigned": 16384,
            "slots_fail": 5461,
            "nodes": {
                "10.0.0.1:7000": {
                    "role": "primary",
                    "up": True,
                    "memory_bytes": 2048,
                    "connected_clients": 7,
                    "ops_per_sec": 120,
                    "lag_seconds": None,
                    "lag_bytes": None,
                },
                "10.0.0.2:7000": {
                    "role": "replica",
                    "up": True,
                    "memory_bytes": 1024,
                    "connected_clients": 2,
                    "ops_per_sec": 3,
                    "lag_seconds": 1.0,
                    "lag_bytes": 4096,
                },
                "10.0.0.3:7000": {
                    "role": "primary",
                    "up": False,
                    "memory_bytes": None,
                    "connected_clients": None,
                    "ops_per_sec": None,
                    "lag_seconds": None,
                    "lag_bytes": None,
                },
            },
        },
        workers={
            "w1@h1": {
                "up": 1,
                "processed": 40,
                "failed": 3,
                "uptime_seconds": 3600.0,
                "max_rss_bytes": 150_000_000,
                "last_seen": 1000.0,
                "active": [{"dag_id": "d", "task_id": "t", "run_id": "r", "map_index": -1, "try_number": 1}],
            },
            "w2@h2": {
                "up": 0,
                "processed": 9,
                "failed": 1,
                "uptime_seconds": 0.0,
                "max_rss_bytes": 140_000_000,
                "last_seen": 900.0,
                "active": [],
            },
        },
        queues={"default": 4, "monitoring": 0},
        dead_workers_detected_total=2,
        tasks_reassigned_total=1,
        latency={
            "cursor": None,
            "queues": {"default": {"buckets": [1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 1], "sum": 702.5, "count": 4}},
        },
    )
    return snap


def registry(snap=None, now=1010.0) -> CollectorRegistry:
    reg = CollectorRegistry()
    reg.register(SnapshotCollector(lambda: snap or recorded_snapshot(), clock=lambda: now))
    return reg


def test_redis_series_per_node_and_per_cluster():
    reg = registry()
    primary = {"cluster": "main", "node": "10.0.0.1:7000", "role": "primary"}
    replica = {"cluster": "main", "node": "10.0.0.2:7000", "role": "replica"}
    down = {"cluster": "main", "node": "10.0.0.3:7000", "role": "primary"}
    assert reg.get_sample_value("redis_cluster_node_up", primary) == 1
    assert reg.get_sample_value("redis_cluster_node_up", down) == 0
    assert (
        reg.get_sample_value("redis_cluster_memory_bytes", down) is None
    )  # no made-up numbers for a dead node
    assert reg.get_sample_value("redis_cluster_memory_bytes", replica) == 1024
    assert reg.get_sample_value("redis_cluster_connected_clients", primary) == 7
    assert reg.get_sample_value("redis_cluster_ops_per_sec", primary) == 120
    assert reg.get_sample_value("redis_cluster_replication_lag_seconds", replica) == 1.0
    assert reg.get_sample_value("redis_cluster_replication_lag_bytes", replica) == 4096
    assert reg.get_sample_value("redis_cluster_replication_lag_bytes", primary) is None
    assert reg.get_sample_value("redis_cluster_state_ok", {"cluster": "main"}) == 0
    assert reg.get_sample_value("redis_cluster_slots_fail", {"cluster": "main"}) == 5461
    assert reg.get_sample_value("redis_cluster_slots_assigned", {"cluster": "main"}) == 16384


def test_worker_series_counters_and_queues():
    reg = registry()
    assert reg.get_sample_value("worker_up", {"worker": "w1@h1"}) == 1
    assert reg.get_sample_value("worker_up", {"worker": "w2@h2"}) == 0
    assert reg.get_sample_value("worker_tasks_processed_total", {"worker": "w1@h1"}) == 40
    assert reg.get_sample_value("worker_tasks_failed_total", {"worker": "w1@h1"}) == 3
    assert reg.get_sample_value("worker_uptime_seconds", {"worker": "w1@h1"}) == 3600
    assert reg.get_sample_value("worker_max_rss_bytes", {"worker": "w1@h1"}) == 150_000_000
    assert reg.get_sample_value("worker_max_rss_bytes", {"worker": "w2@h2"}) is None  # dead: unknown
    assert reg.get_sample_value("worker_active_tasks", {"worker": "w1@h1"}) == 1
    assert reg.get_sample_value("worker_current_status", {"worker": "w1@h1", "status": "processing"}) == 1
    assert reg.get_sample_value("worker_current_status", {"worker": "w1@h1", "status": "idle"}) == 0
    assert reg.get_sample_value("worker_current_status", {"worker": "w2@h2", "status": "idle"}) == 0
    assert reg.get_sample_value("dead_workers_detected_total") == 2
    assert reg.get_sample_value("tasks_reassigned_total") == 1
    assert reg.get_sample_value("celery_queue_length", {"queue": "default"}) == 4
    assert reg.get_sample_value("celery_queue_length", {"queue": "monitoring"}) == 0


def test_latency_histogram_is_cumulative_with_sum_and_count():
    reg = registry()
    q = {"queue": "default"}
    assert reg.get_sample_value("task_queue_latency_seconds_bucket", {**q, "le": "0.5"}) == 1
    assert reg.get_sample_value("task_queue_latency_seconds_bucket", {**q, "le": "1.0"}) == 3
    assert reg.get_sample_value("task_queue_latency_seconds_bucket", {**q, "le": "600.0"}) == 3
    assert reg.get_sample_value("task_queue_latency_seconds_bucket", {**q, "le": "+Inf"}) == 4
    assert reg.get_sample_value("task_queue_latency_seconds_count", q) == 4
    assert reg.get_sample_value("task_queue_latency_seconds_sum", q) == 702.5
    assert len(LATENCY_BUCKETS) + 1 == len(recorded_snapshot()["latency"]["queues"]["default"]["buckets"])


def test_self_metrics_and_success_per_source():
    reg = registry()
    assert reg.get_sample_value("cluster_health_snapshot_age_seconds") == 10.0
    assert reg.get_sample_value("cluster_health_collection_duration_seconds") == 0.61
    assert reg.get_sample_value("cluster_health_collection_redis_commands") == 17
    snap = recorded_snapshot()
    snap["sources"]["airflow_db"] = 0
    reg = registry(snap)
    assert reg.get_sample_value("cluster_health_scrape_success", {"source": "airflow_db"}) == 0
    assert reg.get_sample_value("cluster_health_scrape_success", {"source": "redis"}) == 1
    assert reg.get_sample_value("task_queue_latency_seconds_count", {"queue": "default"}) is None


def _documented() -> dict[str, tuple[str, set[str]]]:
    rows = {}
    section = README.read_text().split(TABLE_HEADING, 1)[1].split("\n#", 1)[0]
    for line in section.splitlines():
        m = re.match(r"\| `(\w+)` \| \**(\w+)\** \| ([^|]*) \|", line)
        if m:
            labels = {x.strip() for x in m.group(3).split(",") if x.strip() not in ("", "—")}
            rows[m.group(1)] = (m.group(2), labels)
    return rows


def test_served_families_are_exactly_the_documented_ones_with_their_types_and_labels():
    documented = _documented()
    assert len(documented) >= 22
    served = {}
    for family in registry().collect():
        name = family.name + ("_total" if family.type == "counter" else "")
        labels = set()
        for sample in family.samples:
            labels |= set(sample.labels) - {"le"}
        served[name] = (family.type, labels)
    assert served == documented


def test_exposition_follows_prometheus_naming():
    text = generate_latest(registry()).decode()
    for line in text.splitlines():
        if line.startswith("# TYPE"):
            _, _, name, kind = line.split()
            assert re.fullmatch(r"[a-z_][a-z0-9_]*", name)
            assert (kind == "counter") == name.endswith("_total") or kind == "counter"
            assert not re.search(r"_(milliseconds|kilobytes|megabytes|percent)$", name)
