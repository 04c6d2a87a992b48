"""End to end: the cluster_health DAG on a real CeleryExecutor Airflow, served by the api-server plugin,
scraped by a real Prometheus.

Real parts only: a 6-node Redis Cluster (monitored), a redis-server as Celery broker, a PostgreSQL
metadata DB, `airflow` api-server / scheduler / dag-processor / triggerer, three `airflow celery
worker` processes (one is killed with SIGKILL), and `prometheus` scraping `/cluster-health/metrics`.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import textwrap
import time
from pathlib import Path

import httpx
import pytest

from local_airflow import AirflowStack, StackConfig
from tests.monitoring import services
from tests.monitoring.services import wait_until
from tests.support.postgres import temporary_database
from tests.support.redis_servers import cluster

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]

PROBE_DAG = textwrap.dedent(
    '''
    """A task that holds a worker slot on the "victim" queue long enough for its worker to be killed."""
    from datetime import datetime, timedelta

    from airflow.sdk import dag, task


    @dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["test"])
    def reassign_probe():
        @task(queue="victim", retries=1, retry_delay=timedelta(seconds=1))
        def hold():
            import time

            time.sleep(900)

        hold()


    reassign_probe()
    '''
)


def prometheus(workdir: Path, target: str, metrics_path: str):
    """A real Prometheus scraping *target* every 5 s; yields its base URL."""
    workdir.mkdir(parents=True, exist_ok=True)
    config = workdir / "prometheus.yml"
    config.write_text(
        json.dumps(  # JSON is YAML
            {
                "global": {"scrape_interval": "5s", "scrape_timeout": "4s"},
                "scrape_configs": [
                    {
                        "job_name": "cluster-health",
                        "metrics_path": metrics_path,
                        "static_configs": [{"targets": [target]}],
                    }
                ],
            }
        )
    )
    return services.prometheus(config, workdir)


def start_worker(stack: AirflowStack, name: str, queue: str, concurrency: int):
    """Like ``stack.start_worker`` plus ``--skip-serve-logs``: several workers on one host would all
    bind the log server's port 8793 and every one but the first would shut down."""
    return stack.spawn(
        f"worker-{name}",
        "celery",
        "worker",
        "--celery-hostname",
        f"{name}@%h",
        "--queues",
        queue,
        "--concurrency",
        str(concurrency),
        "--without-mingle",
        "--without-gossip",
        "--skip-serve-logs",
    )


def wait(check, timeout: float, what: str):
    return wait_until(check, timeout, what, interval=2.0)


def query(prom: str, expr: str) -> dict[tuple, float]:
    """Instant PromQL query → {sorted label items: value}."""
    response = httpx.get(f"{prom}/api/v1/query", params={"query": expr}, timeout=10)
    response.raise_for_status()
    return {
        tuple(
            sorted((k, v) for k, v in r["metric"].items() if k not in ("job", "instance", "__name__"))
        ): float(r["value"][1])
        for r in response.json()["data"]["result"]
    }


def one(prom: str, expr: str) -> float | None:
    values = list(query(prom, expr).values())
    return values[0] if len(values) == 1 else None


def test_dead_worker_stopped_node_and_reassigned_task_reach_prometheus(tmp_path, redis_broker_url):
    dags = tmp_path / "dags"
    dags.mkdir()
    (dags / "cluster_health.py").symlink_to(REPO / "dags" / "cluster_health.py")
    (dags / "reassign_probe.py").write_text(PROBE_DAG)

    with cluster(tmp_path / "redis") as nodes, temporary_database("onec_ch") as db_url:
        dbname = db_url.rsplit("/", 1)[1]
        redis_conn = {
            "conn_type": "redis",
            "host": "127.0.0.1",
            "port": nodes[0].port,
            "extra": {
                "cluster": True,
                "cluster_name": "e2e",
                "startup_nodes": ",".join(n.name for n in nodes[1:]),
            },
        }
        db_conn = {
            "conn_type": "postgres",
            "host": "127.0.0.1",
            "port": 5432,
            "login": "postgres",
            "schema": dbname,
        }
        config = StackConfig(
            home=tmp_path / "home",
            dags_folder=dags,
            plugins_folder=REPO / "plugins",
            db_url=db_url,
            executor="CeleryExecutor",
            broker_url=redis_broker_url,
            result_backend="db+" + db_url.replace("+psycopg2", ""),
            extra_env={
                "AIRFLOW_CONN_CLUSTER_HEALTH_REDIS": json.dumps(redis_conn),
                "AIRFLOW_CONN_CLUSTER_HEALTH_METADATA_DB": json.dumps(db_conn),
                # A killed worker's task instance is declared lost after 20 s instead of 5 min.
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
                "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT_DETECTION_INTERVAL": "5",
                "PYTHONPATH": os.pathsep.join([str(REPO / "include"), os.environ.get("PYTHONPATH", "")]),
            },
        )
        with (
            AirflowStack(config) as stack,
            stack.client() as client,
            prometheus(tmp_path / "prom", f"127.0.0.1:{config.api_port}", "/cluster-health/metrics") as prom,
        ):
            # Graceful start: before any collection the endpoint answers, and says it has nothing fresh.
            first = httpx.get(f"{config.api_url}/cluster-health/metrics", timeout=10)
            assert first.status_code == 200
            assert 'cluster_health_scrape_success{source="redis"} 0.0' in first.text
            assert "worker_up" not in first.text
            monitor = start_worker(stack, "monitor", "default", 2)
            victim = start_worker(stack, "victim", "victim", 1)
            client.wait_for_dag("cluster_health")
            client.wait_for_dag("reassign_probe")
            client.unpause("reassign_probe")
            probe_run = client.trigger("reassign_probe")["dag_run_id"]
            client.unpause("cluster_health")

            def probe_try(n):
                (ti,) = client.task_instances("reassign_probe", probe_run)
                return ti if ti["state"] == "running" and ti["try_number"] == n else None

            wait(lambda: probe_try(1), 180, "probe task running on the victim worker")
            # A collection that saw both workers, the probe running on the victim, all sources fine.
            victim_name = wait(
                lambda: next(
                    (
                        dict(k)["worker"]
                        for k, v in query(prom, "worker_active_tasks").items()
                        if dict(k)["worker"].startswith("victim@") and v == 1
                    ),
                    None,
                ),
                150,
                "victim worker seen processing in Prometheus",
            )
            monitor_name = victim_name.replace("victim@", "monitor@", 1)
            assert query(prom, "cluster_health_scrape_success") == {
                (("source", s),): 1.0 for s in ("airflow_db", "celery", "redis")
            }
            assert one(prom, f'worker_up{{worker="{monitor_name}"}}') == 1
            assert one(prom, f'worker_max_rss_bytes{{worker="{monitor_name}"}}') > 10 * 2**20  # a real worker
            assert one(prom, f'worker_current_status{{worker="{victim_name}",status="processing"}}') == 1
            assert one(prom, "dead_workers_detected_total") == 0
            assert one(prom, 'redis_cluster_state_ok{cluster="e2e"}') == 1
            assert len(query(prom, 'redis_cluster_node_up{cluster="e2e"} == 1')) == 6

            # kill -9 the victim (its process group: worker, pool, supervisor, task) and stop a replica.
            replica = next(n for n in nodes if n.client().info("replication")["role"] == "slave")
            killed_at = time.monotonic()
            stack.stop_component(victim, sig=signal.SIGKILL)
            replica.stop()
            rescue = start_worker(stack, "rescue", "victim", 1)

            wait(
                lambda: one(prom, f'worker_up{{worker="{victim_name}"}}') == 0,
                120,
                "worker_up 0 for the killed worker",
            )
            detected_after = time.monotonic() - killed_at
            assert one(prom, "dead_workers_detected_total") == 1
            assert one(prom, f'worker_current_status{{worker="{victim_name}",status="processing"}}') == 0
            assert not query(prom, f'worker_max_rss_bytes{{worker="{victim_name}"}}')  # unknown, not 0
            wait(
                lambda: one(prom, f'redis_cluster_node_up{{node="{replica.name}"}}') == 0,
                120 - detected_after,
                "node_up 0 for the stopped replica",
            )
            assert one(prom, 'redis_cluster_state_ok{cluster="e2e"}') == 1  # a replica alone does not fail it

            # The lost try is retried on the rescue worker and counted as reassigned.
            wait(lambda: probe_try(2), 180, "probe task re-run (try 2)")
            wait(lambda: one(prom, "tasks_reassigned_total") == 1, 150, "tasks_reassigned_total 1")
            assert one(prom, "dead_workers_detected_total") == 1  # still one death, not one per cycle
            assert one(prom, f'worker_up{{worker="{victim_name}"}}') == 0  # retained, not vanished
            assert one(prom, f'worker_tasks_processed_total{{worker="{monitor_name}"}}') >= 2
            assert one(prom, 'task_queue_latency_seconds_count{queue="victim"}') >= 1
            assert query(prom, 'celery_queue_length{queue="default"}')
            assert one(prom, "cluster_health_snapshot_age_seconds") < 180

            # The /metrics endpoint itself: scrape time, measured from outside.
            url = f"{config.api_url}/cluster-health/metrics"
            with httpx.Client(timeout=5) as http:
                http.get(url).raise_for_status()
                times = []
                for _ in range(50):
                    started = time.perf_counter()
                    http.get(url).raise_for_status()
                    times.append(time.perf_counter() - started)
                snapshot = http.get(f"{config.api_url}/cluster-health/snapshot").json()["snapshot"]
            p95 = sorted(times)[int(0.95 * len(times)) - 1]
            raw = httpx.get(
                f"{prom}/api/v1/query",
                params={"query": 'scrape_duration_seconds{job="cluster-health"}[15m]'},
                timeout=10,
            ).json()["data"]["result"][0]["values"]
            scrapes = [(float(t), float(v)) for t, v in raw]
            slow = [(round(t - scrapes[0][0]), round(v * 1000)) for t, v in scrapes if v > 0.05]
            prom_p95 = sorted(v for _, v in scrapes)[int(0.95 * len(scrapes)) - 1]
            cycles = [
                one(prom, f"{f}_over_time(cluster_health_collection_duration_seconds[10m])")
                for f in ("min", "max")
            ]
            print(
                f"\nworker death seen in Prometheus after {detected_after:.0f} s; "
                f"/metrics median {statistics.median(times) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
                f"Prometheus: {len(scrapes)} scrapes, p95 {prom_p95 * 1000:.1f} ms, over 50 ms (s after first, ms): {slow}; "
                f"collection cycles {cycles[0]:.2f}–{cycles[1]:.2f} s, "
                f"last {snapshot['duration_seconds']:.3f} s {snapshot['timings']}, "
                f"{snapshot['redis_commands']} Redis commands"
            )
            assert p95 < 0.05
            # Prometheus's own scrape times: a scrape is served from the last snapshot, never waiting
            # for a collection, so every one but the first (the endpoint's first request, while the
            # api-server warms up) is far shorter than a collection cycle (0.6-5 s here, Celery's
            # inspect broadcast alone takes 0.6 s). Not a p95 over its 16 samples: on a busy CI
            # machine one scrape in 16 took 59 ms (2026-12-07), which says nothing about waiting on
            # a collection; the 50 ms goal is measured above and in the figures.
            later = [v for _, v in scrapes[1:]]
            assert max(later) < 0.5, slow
            assert statistics.median(later) < 0.05
            assert monitor.alive() and rescue.alive()
