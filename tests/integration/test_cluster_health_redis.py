"""Redis collection against real redis-server processes: a 6-node cluster, a primary with a replica, a single node."""

from __future__ import annotations

import time

import pytest
from prometheus_client import CollectorRegistry

from cluster_health.collector import SnapshotCollector
from cluster_health.redis_nodes import RedisNodeCollector, RedisTarget, default_client_factory
from cluster_health.snapshot import Settings, run_cycle
from tests.support.redis_servers import cluster, primary_with_replica, single_node, wait_until

pytestmark = pytest.mark.integration


def _collector(name: str, deployment: str, seeds) -> RedisNodeCollector:
    target = RedisTarget(name, deployment, tuple(("127.0.0.1", s.port) for s in seeds))
    return RedisNodeCollector(target, default_client_factory(timeout=0.5))


#: Commands the nodes send each other (replicas ACK every second, primaries PING replicas).
REPLICATION_TRAFFIC = {"cmdstat_replconf", "cmdstat_ping"}


def _calls(servers) -> int:
    """Commands the servers executed so far, from their own INFO commandstats, less replication traffic."""
    total = 0
    for server in servers:
        client = server.client()
        stats = client.info("commandstats")
        total += sum(v["calls"] for k, v in stats.items() if k not in REPLICATION_TRAFFIC)
        client.close()
    return total


def _by_node(health):
    return {n.node: n for n in health.nodes}


def test_six_node_cluster_topology_commands_and_failures(tmp_path):
    with cluster(tmp_path) as servers:
        collector = _collector("cluster-a", "cluster", servers)
        before = _calls(servers)
        started = time.perf_counter()
        health = collector.collect()
        elapsed = time.perf_counter() - started
        # Our own INFO commandstats calls (one per server) are counted by the servers as well.
        server_side = _calls(servers) - before - len(servers)
        print(f"\n6-node cluster: {health.commands} commands, {elapsed * 1000:.1f} ms per Redis collection")

        nodes = _by_node(health)
        assert set(nodes) == {s.name for s in servers}
        assert all(n.up for n in nodes.values())
        assert sorted(n.role for n in nodes.values()) == ["primary"] * 3 + ["replica"] * 3
        assert health.state_ok and health.slots_assigned == 16384 and health.slots_fail == 0
        # O(nodes): CLUSTER SHARDS once, then INFO + CLUSTER INFO per node, in one round trip each.
        assert health.commands == 1 + 2 * len(servers)
        assert server_side == health.commands
        for n in nodes.values():
            assert n.memory_bytes > 0 and n.connected_clients >= 1
            if n.role == "replica":
                assert n.lag_bytes is not None and n.lag_seconds is not None

        # Stop one replica: it stays in the topology, reported down; the cluster is still ok.
        replica = next(s for s in servers if nodes[s.name].role == "replica")
        replica.stop()
        started = time.perf_counter()
        health = collector.collect()
        assert time.perf_counter() - started < 1.0, "a dead node must cost a refused connection, not retries"
        assert _by_node(health)[replica.name].up is False
        assert health.state_ok

        # Stop a primary and its replica: its slots have no owner left, the cluster must say fail.
        # Not the primary whose only replica was just stopped: which one that is depends on the layout
        # redis-cli chose, so pick a primary that still has a live replica.
        def live_replicas(primary):
            return [
                s
                for s in servers
                if s.alive()
                and s is not primary
                and s.client().info("replication").get("master_port") == primary.port
            ]

        candidates = [(s, live_replicas(s)) for s in servers if nodes[s.name].role == "primary" and s.alive()]
        primary, its_replicas = next(((p, r) for p, r in candidates if r), candidates[0])
        primary_id = primary.client().execute_command("CLUSTER MYID")
        assert its_replicas, f"no live replica of {primary.name} — cluster layout unexpected ({primary_id})"
        for s in [primary, *its_replicas]:
            s.stop()

        def failed():
            h = collector.collect()
            return h if not h.state_ok else None

        health = wait_until(failed, 15, "collector never saw the cluster fail")
        down = {n.node for n in health.nodes if not n.up}
        assert {primary.name, *(s.name for s in its_replicas)} <= down
        assert health.slots_fail > 0 or health.slots_assigned < 16384


def test_primary_failover_is_followed(tmp_path):
    with cluster(tmp_path) as servers:
        collector = _collector("cluster-b", "cluster", servers)
        roles = {n.node: n.role for n in collector.collect().nodes}
        primary = next(s for s in servers if roles[s.name] == "primary")
        primary.stop()
        # cluster-node-timeout is 1 s: a replica takes over and the cluster is ok again.
        health = wait_until(
            lambda: (
                (h := collector.collect()).state_ok
                and sum(n.role == "primary" and n.up for n in h.nodes) == 3
                and h
            ),
            30,
            "no replica took over the stopped primary",
        )
        assert _by_node(health)[primary.name].up is False
        assert health.slots_fail == 0


def test_replication_lag_under_write_load(tmp_path):
    with primary_with_replica(tmp_path) as (primary, replica):
        collector = _collector("pair", "replication", [primary])
        health = collector.collect()
        nodes = _by_node(health)
        assert nodes[primary.name].role == "primary" and nodes[replica.name].role == "replica"
        assert health.commands == 2  # INFO on the primary (also the discovery), INFO on the replica
        assert health.state_ok

        # A stalled replica (SIGSTOP: the process is there, it just does not run) under a write load.
        writer = primary.client()
        replica.pause()
        try:
            payload = "x" * 1024
            for batch in range(20):
                pipe = writer.pipeline(transaction=False)
                for i in range(500):
                    pipe.set(f"load:{batch}:{i}", payload)
                pipe.execute()
            time.sleep(3)
            lagging = _by_node(collector.collect())[replica.name]
            assert lagging.lag_bytes >= 20 * 500 * 1024
            assert lagging.lag_seconds >= 2
        finally:
            replica.resume()
        caught_up = wait_until(
            lambda: (n := _by_node(collector.collect())[replica.name]).lag_bytes == 0 and n,
            20,
            "replica never caught up",
        )
        assert caught_up.lag_seconds <= 1


def test_a_replica_that_leaves_stays_visible_as_down(tmp_path):
    """The primary forgets a stopped replica; the snapshot remembers it as down, then served as 0."""
    with primary_with_replica(tmp_path) as (primary, replica):
        collector = _collector("pair", "replication", [primary])
        snap = run_cycle(None, redis_source=collector.collect, celery_source=None, db=None)
        assert snap["redis"]["nodes"][replica.name]["up"]
        replica.stop()
        wait_until(
            lambda: primary.client().info("replication")["connected_slaves"] == 0, 20, "replica still listed"
        )
        snap = run_cycle(
            snap, redis_source=collector.collect, celery_source=None, db=None, settings=Settings()
        )
        registry = CollectorRegistry()
        registry.register(SnapshotCollector(lambda: snap))
        labels = {"cluster": "pair", "role": "replica", "node": replica.name}
        assert registry.get_sample_value("redis_cluster_node_up", labels) == 0
        assert (
            registry.get_sample_value(
                "redis_cluster_node_up", {**labels, "role": "primary", "node": primary.name}
            )
            == 1
        )
        assert registry.get_sample_value("cluster_health_scrape_success", {"source": "redis"}) == 1


def test_single_node_and_a_dead_seed(tmp_path):
    with single_node(tmp_path) as server:
        collector = _collector("solo", "single", [server])
        health = collector.collect()
        assert [(n.node, n.role, n.up) for n in health.nodes] == [(server.name, "primary", True)]
        assert health.state_ok and health.commands == 1
        snap = run_cycle(None, redis_source=collector.collect, celery_source=None, db=None)
        server.stop()
        snap = run_cycle(snap, redis_source=collector.collect, celery_source=None, db=None)
        assert snap["sources"]["redis"] == 0 and "redis" in snap["errors"]
        registry = CollectorRegistry()
        registry.register(SnapshotCollector(lambda: snap))
        assert registry.get_sample_value("cluster_health_scrape_success", {"source": "redis"}) == 0
        assert (
            registry.get_sample_value(
                "redis_cluster_node_up", {"cluster": "solo", "node": server.name, "role": "primary"}
            )
            is None
        )
