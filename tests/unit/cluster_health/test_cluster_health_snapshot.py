"""The collection cycle's bookkeeping: dead workers, retention, counters, failed sources, freshness."""

from __future__ import annotations

import json

from prometheus_client import CollectorRegistry

from cluster_health.celery_workers import WorkerReply
from cluster_health.collector import SnapshotCollector
from cluster_health.redis_nodes import NodeHealth, RedisHealth
from cluster_health.snapshot import Observations, Settings, empty_snapshot, merge

SETTINGS = Settings(dead_worker_retention_seconds=300)
TI = {"dag_id": "d", "task_id": "t", "run_id": "r", "map_index": -1, "try_number": 1}


def seen(*workers: WorkerReply, queues=None) -> Observations:
    return Observations(workers=list(workers), queues=queues or {"default": 0})


def served(snap, now):
    registry = CollectorRegistry()
    registry.register(SnapshotCollector(lambda: snap, clock=lambda: now))
    return registry


def test_a_worker_that_stops_answering_is_counted_dead_once_then_dropped_after_retention():
    a, b = WorkerReply("a@h1", processed=5, uptime_seconds=10, active=[TI]), WorkerReply("b@h2", processed=2)
    snap = merge(None, seen(a, b), 1000.0, SETTINGS)
    reg = served(snap, 1000.0)
    assert reg.get_sample_value("worker_up", {"worker": "a@h1"}) == 1
    assert reg.get_sample_value("worker_current_status", {"worker": "a@h1", "status": "processing"}) == 1
    assert reg.get_sample_value("worker_current_status", {"worker": "b@h2", "status": "idle"}) == 1
    assert reg.get_sample_value("dead_workers_detected_total") == 0

    snap = merge(snap, seen(b), 1060.0, SETTINGS)  # a was killed
    reg = served(snap, 1060.0)
    assert reg.get_sample_value("worker_up", {"worker": "a@h1"}) == 0
    assert reg.get_sample_value("worker_active_tasks", {"worker": "a@h1"}) == 0
    assert (
        reg.get_sample_value("worker_tasks_processed_total", {"worker": "a@h1"}) == 5
    )  # counters keep their value
    assert reg.get_sample_value("dead_workers_detected_total") == 1
    assert snap["pending_reruns"] == [{**TI, "worker": "a@h1", "since": 1060.0}]

    snap = merge(snap, seen(b), 1120.0, SETTINGS)  # still dead: not counted again
    assert served(snap, 1120.0).get_sample_value("dead_workers_detected_total") == 1
    assert served(snap, 1120.0).get_sample_value("worker_up", {"worker": "a@h1"}) == 0

    snap = merge(snap, seen(b), 1000.0 + 301 + 60, SETTINGS)  # last seen at 1000, retention 300 s
    assert served(snap, 1361.0).get_sample_value("worker_up", {"worker": "a@h1"}) is None
    assert served(snap, 1361.0).get_sample_value("worker_up", {"worker": "b@h2"}) == 1


def test_a_worker_that_comes_back_is_up_and_can_die_again():
    snap = merge(None, seen(WorkerReply("a@h")), 0.0, SETTINGS)
    snap = merge(snap, seen(), 60.0, SETTINGS)
    snap = merge(snap, seen(WorkerReply("a@h")), 120.0, SETTINGS)
    assert snap["workers"]["a@h"]["up"] == 1 and snap["dead_workers_detected_total"] == 1
    snap = merge(snap, seen(), 180.0, SETTINGS)
    assert snap["dead_workers_detected_total"] == 2


def test_a_failed_celery_collection_does_not_declare_workers_dead_and_is_not_served_as_fresh():
    snap = merge(None, seen(WorkerReply("a@h")), 0.0, SETTINGS)
    snap = merge(snap, Observations(errors={"celery": "ConnectionError: broker down"}), 60.0, SETTINGS)
    assert snap["workers"]["a@h"]["up"] == 1  # unknown, not dead
    assert snap["dead_workers_detected_total"] == 0
    reg = served(snap, 60.0)
    assert reg.get_sample_value("cluster_health_scrape_success", {"source": "celery"}) == 0
    assert reg.get_sample_value("worker_up", {"worker": "a@h"}) is None
    assert reg.get_sample_value("dead_workers_detected_total") is None


def test_a_stale_snapshot_reports_every_source_failed_and_serves_only_its_age():
    health = RedisHealth(
        "c", "single", [NodeHealth("n:1", "primary", up=True, memory_bytes=1)], state_ok=True
    )
    snap = merge(None, Observations(redis=health, workers=[WorkerReply("a@h")], queues={}), 0.0, SETTINGS)
    fresh, stale = served(snap, 179.0), served(snap, 181.0)
    assert fresh.get_sample_value("cluster_health_scrape_success", {"source": "redis"}) == 1
    assert (
        fresh.get_sample_value("redis_cluster_node_up", {"cluster": "c", "node": "n:1", "role": "primary"})
        == 1
    )
    for source in ("redis", "celery", "airflow_db"):
        assert stale.get_sample_value("cluster_health_scrape_success", {"source": source}) == 0
    assert stale.get_sample_value("cluster_health_snapshot_age_seconds") == 181.0
    assert (
        stale.get_sample_value("redis_cluster_node_up", {"cluster": "c", "node": "n:1", "role": "primary"})
        is None
    )
    assert stale.get_sample_value("worker_up", {"worker": "a@h"}) is None


def test_no_snapshot_or_an_unreadable_one_is_a_failed_scrape():
    def broken():
        raise ConnectionError("store down")

    for load in (lambda: None, broken):
        registry = CollectorRegistry()
        registry.register(SnapshotCollector(load))
        for source in ("redis", "celery", "airflow_db"):
            assert registry.get_sample_value("cluster_health_scrape_success", {"source": source}) == 0
        assert registry.get_sample_value("cluster_health_snapshot_age_seconds") is None


def test_the_snapshot_round_trips_through_json():
    snap = merge(None, seen(WorkerReply("a@h", active=[TI])), 5.0, SETTINGS)
    assert json.loads(json.dumps(snap)) == snap


def test_an_older_snapshot_format_starts_over_instead_of_crashing():
    old = {**empty_snapshot(), "version": 0, "workers": {"x": "garbage"}}
    snap = merge(old, seen(WorkerReply("a@h")), 5.0, SETTINGS)
    assert set(snap["workers"]) == {"a@h"}


def test_a_worker_that_did_not_answer_active_keeps_its_last_known_tasks():
    snap = merge(None, seen(WorkerReply("a@h", active=[TI])), 0.0, SETTINGS)
    snap = merge(snap, seen(WorkerReply("a@h", active=None)), 60.0, SETTINGS)
    assert snap["workers"]["a@h"]["active"] == [TI]
    snap = merge(snap, seen(), 120.0, SETTINGS)  # then it dies: its task is watched for a re-run
    assert [p["task_id"] for p in snap["pending_reruns"]] == ["t"]
