"""A real Airflow run, observed the way the platform observes it.

One module-scoped run: PostgreSQL metadata DB, Redis broker, scheduler, dag-processor, triggerer,
api-server and a Celery worker (include/local_airflow), configured with the platform's Airflow
monitoring environment (docker-compose.yml: tagged statsd, legacy names off, Celery
task events on). The test listens on the statsd UDP port, runs Flower with basic auth, runs the
project's cluster_health DAG and plugin against the broker Redis and a replica of it, and a real
Prometheus scrapes Flower and the api-server's /cluster-health/metrics while a scheduled DAG and a
failing DAG run.

Then:
- every captured statsd line goes through statsd-exporter's rules (statsd_translation.py) with the
  product mapping: each lands on a labelled metric, none falls through, nothing is counted twice;
- the translated samples are backfilled with `promtool tsdb create-blocks-from openmetrics` into
  that same Prometheus, and every dashboard query returns data, except the few whose source cannot
  run here (listed with the reason in NOT_RUNNABLE_HERE).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
import textwrap
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import yaml

from local_airflow import AirflowStack, StackConfig
from tests.monitoring.conftest import MONITORING, REPO, binary, run
from tests.monitoring.dashboards import prometheus_queries, variable_queries
from tests.monitoring.services import (
    UdpCapture,
    free_port,
    process,
    prometheus,
    redis_server,
    wait_until,
)
from tests.monitoring.statsd_translation import Mapper, load_buckets, openmetrics_timeline, parse_packet
from tests.monitoring.test_statsd_mapping import airflow_registry
from tests.support.postgres import temporary_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

MAPPING = MONITORING / "statsd-exporter" / "mapping.yml"
COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())

PROBE_DAG = textwrap.dedent('''
    """Scheduled every minute: a task group with a mapped task, so task ids contain dots."""
    from datetime import datetime

    from airflow.sdk import dag, task, task_group


    @dag(schedule="* * * * *", start_date=datetime(2024, 1, 1), catchup=False, max_active_runs=1, tags=["test"])
    def obs_probe():
        @task
        def make_list():
            return [1, 2, 3]

        @task_group
        def grp(values):
            @task
            def add(x):
                return x + 1

            @task
            def total(items):
                return sum(items)

            total(add.expand(x=values))

        grp(make_list())


    obs_probe()
''')

FAILING_DAG = textwrap.dedent('''
    """Triggered by hand; its only task fails."""
    from datetime import datetime

    from airflow.sdk import dag, task


    @dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["test"])
    def obs_failing():
        @task(retries=0)
        def boom():
            raise ValueError("asked to fail")

        boom()


    obs_failing()
''')


@dataclass
class ObservedRun:
    packets: list[tuple[float, bytes]]
    started: float
    finished: float
    live_snapshot: Path
    workdir: Path
    flower_checks: dict[str, int] = field(default_factory=dict)


def airflow_monitoring_env(statsd_port: int) -> dict[str, str]:
    """The platform's Airflow monitoring settings, with the statsd host pointed at this test."""
    env = dict(COMPOSE["x-airflow-monitoring-env"])
    env["AIRFLOW__METRICS__STATSD_HOST"] = "127.0.0.1"
    env["AIRFLOW__METRICS__STATSD_PORT"] = str(statsd_port)
    # the probe's tasks run for a second or two: sampled every 15 s, the ti.<state> gauges can miss
    # every one of them (seen in CI), so this run samples each second
    env["AIRFLOW__SCHEDULER__TI_METRICS_INTERVAL"] = "1"
    return env


def wait_for_scheduled_run(client, dag_id: str, timeout: float) -> str:
    def scheduled() -> str | None:
        runs = client.request("GET", f"/dags/{dag_id}/dagRuns")["dag_runs"]
        return next((r["dag_run_id"] for r in runs if r["run_type"] == "scheduled"), None)

    return wait_until(scheduled, timeout, f"a scheduled run of {dag_id}", interval=1)


@pytest.fixture(scope="module")
def observed(tmp_path_factory: pytest.TempPathFactory) -> ObservedRun:
    try:
        import statsd  # noqa: F401  (Airflow's statsd backend; without it Airflow silently sends nothing)
    except ImportError:
        pytest.fail(
            "the `statsd` package is missing: Airflow's statsd metrics need apache-airflow[statsd] (statsd==4.0.1)"
        )
    work = tmp_path_factory.mktemp("observed")
    dags = work / "dags"
    dags.mkdir()
    (dags / "obs_probe.py").write_text(PROBE_DAG)
    (dags / "obs_failing.py").write_text(FAILING_DAG)
    flower_port = free_port()
    flower_auth = ("observer", "flower-test-password")

    shutil.copy(REPO / "dags" / "cluster_health.py", dags / "cluster_health.py")

    with (
        UdpCapture() as capture,
        redis_server(work) as broker,
        temporary_database("onec_obs") as db_url,
        redis_server(work, replica_of=broker.split("//")[1].split("/")[0]),
    ):
        broker_port = int(broker.rsplit(":", 1)[1].split("/")[0])
        monitored_redis = {
            "conn_type": "redis",
            "host": "127.0.0.1",
            "port": broker_port,
            "extra": {"deployment": "replication", "cluster_name": "broker"},
        }
        metadata_db = {
            "conn_type": "postgres",
            "host": "127.0.0.1",
            "port": 5432,
            "login": "postgres",
            "schema": db_url.rsplit("/", 1)[1],
        }
        env = {
            **airflow_monitoring_env(capture.port),
            "AIRFLOW_CONN_CLUSTER_HEALTH_REDIS": json.dumps(monitored_redis),
            "AIRFLOW_CONN_CLUSTER_HEALTH_METADATA_DB": json.dumps(metadata_db),
            "PYTHONPATH": os.pathsep.join([str(REPO / "include"), os.environ.get("PYTHONPATH", "")]),
        }
        config = StackConfig(
            home=work / "home",
            dags_folder=dags,
            plugins_folder=REPO / "plugins",
            db_url=db_url,
            executor="CeleryExecutor",
            broker_url=broker,
            result_backend="db+" + db_url.replace("+psycopg2", ""),
            extra_env=env,
        )
        with AirflowStack(config) as stack, stack.client() as client:
            stack.start_worker("w1", concurrency=2)
            flower_args = [
                str(Path(sys.executable).with_name("celery")),
                f"--broker={broker}",
                "flower",
                f"--port={flower_port}",
                "--address=127.0.0.1",
                f"--basic-auth={':'.join(flower_auth)}",
            ]
            prom_config = work / "prometheus.yml"
            prom_config.write_text(
                yaml.safe_dump(
                    {
                        "global": {"scrape_interval": "2s", "evaluation_interval": "2s"},
                        "scrape_configs": [
                            {
                                "job_name": "flower",
                                "static_configs": [{"targets": [f"127.0.0.1:{flower_port}"]}],
                            },
                            {
                                "job_name": "airflow-cluster-health",
                                "metrics_path": "/cluster-health/metrics",
                                "static_configs": [{"targets": [f"127.0.0.1:{config.api_port}"]}],
                            },
                        ],
                    }
                )
            )
            with (
                process(flower_args, work / "flower.log", f"http://127.0.0.1:{flower_port}/healthcheck"),
                prometheus(prom_config, work, extra_args=("--web.enable-admin-api",)) as live,
            ):
                started = time.time()
                client.wait_for_dag("obs_probe", timeout=180)
                client.wait_for_dag("obs_failing", timeout=180)
                client.wait_for_dag("cluster_health", timeout=180)
                client.unpause("cluster_health")
                client.unpause("obs_probe")
                client.unpause("obs_failing")
                failing = client.trigger("obs_failing")
                client.wait_for_run("obs_failing", failing["dag_run_id"], timeout=300, expect="failed")
                scheduled = wait_for_scheduled_run(client, "obs_probe", timeout=180)
                client.wait_for_run("obs_probe", scheduled, timeout=300)
                # two collections of the cluster_health DAG, so its counters have a rate
                wait_until(
                    lambda: (
                        sum(
                            r["state"] == "success"
                            for r in client.request("GET", "/dags/cluster_health/dagRuns")["dag_runs"]
                        )
                        >= 2
                    ),
                    240,
                    "two cluster_health runs",
                    interval=2,
                )
                # the scheduler's periodic gauges (pools, executor, ti states) every few seconds
                time.sleep(15)
                finished = time.time()
                flower_checks = {
                    "ui_without_auth": httpx.get(f"http://127.0.0.1:{flower_port}/", timeout=5).status_code,
                    "ui_with_auth": httpx.get(
                        f"http://127.0.0.1:{flower_port}/", auth=flower_auth, timeout=5
                    ).status_code,
                    "metrics_without_auth": httpx.get(
                        f"http://127.0.0.1:{flower_port}/metrics", timeout=5
                    ).status_code,
                }
                # the live scrapes as blocks (head included): a restart would drop WAL samples older
                # than the backfilled blocks
                snapshot = httpx.post(f"{live}/api/v1/admin/tsdb/snapshot", timeout=60).json()["data"]["name"]
                snapshot_dir = next(work.glob("prometheus-data-*")) / "snapshots" / snapshot
        capture.stop()
    # kept beside the run's logs: the raw lines are what to read when a mapping assertion fails
    (work / "statsd-lines.txt").write_bytes(b"\n".join(packet for _, packet in capture.packets))
    return ObservedRun(capture.packets, started, finished, snapshot_dir, work, flower_checks)


@pytest.fixture(scope="module")
def events(observed: ObservedRun):
    return [(ts, event) for ts, packet in observed.packets for event in parse_packet(packet)]


@pytest.fixture(scope="module")
def mapper() -> Mapper:
    return Mapper(MAPPING)


# ------------------------------------------------------------------------------ statsd leg
def test_airflow_sent_tagged_statsd_lines(events) -> None:
    assert len(events) > 200
    names = {event.name for _, event in events}
    for expected in (
        "airflow.scheduler_heartbeat",
        "airflow.ti.finish",
        "airflow.task.duration",
        "airflow.dagrun.duration.success",
        "airflow.dagrun.duration.failed",
        "airflow.pool.open_slots",
        "airflow.executor.open_slots",
        "airflow.dag_processing.last_duration",
    ):
        assert expected in names, f"{expected} was not emitted"
    tagged = [e for _, e in events if e.name == "airflow.ti.finish"]
    assert {dict(e.tags)["state"] for e in tagged} >= {"success", "failed"}
    assert any(dict(e.tags)["task_id"] == "grp.add" for e in tagged), (
        "task-group ids keep their dot in the tag"
    )


def test_no_legacy_name_arrives(events, mapper: Mapper) -> None:
    """legacy_names_on=False: no line under a dag/task-interpolated name, except the one Airflow
    builds by hand whatever the setting (dagrun.<dag_id>.first_task_scheduling_delay), which the
    mapping drops on purpose."""
    legacy = [
        re.compile("^airflow\\." + re.sub(r"\\\{\w+\\\}", "[^,]+", re.escape(e["legacy_name"])) + "$")
        for e in airflow_registry()
        if e.get("legacy_name", "-") != "-"
    ]
    arrived = {e.name: mapper.map(e) for _, e in events if any(p.match(e.name) for p in legacy)}
    assert sorted(name for name, mapped in arrived.items() if not mapped.dropped) == []
    assert all(re.fullmatch(r"airflow\.dagrun\.\w+\.first_task_scheduling_delay", name) for name in arrived)


def test_every_line_lands_on_a_labelled_metric(events, mapper: Mapper) -> None:
    fell_through = sorted({e.line for _, e in events if mapper.map(e).fell_through})
    assert fell_through == [], "unmapped statsd lines"
    dropped = {mapper.map(e).rule.match for _, e in events if mapper.map(e).dropped}
    assert dropped <= {r"^airflow\.dagrun\..+\.first_task_scheduling_delay$"}
    expected_labels = {
        "airflow_task_instance_finishes_total": {"dag_id", "task_id", "state"},
        "airflow_task_instance_starts_total": {"dag_id", "task_id"},
        "airflow_task_duration_seconds": {"dag_id", "task_id"},
        "airflow_dagrun_duration_seconds": {"dag_id", "state", "run_type"},
        "airflow_pool_slots": {"pool_name", "state"},
        "airflow_executor_open_slots": {"executor_class_name"},
        "airflow_operator_successes_total": {"dag_id", "task_id", "operator_name"},
        "airflow_dag_processing_last_duration_seconds": {"bundle_name", "file_name"},
    }
    seen: dict[str, set[str]] = {}
    for _, event in events:
        mapped = mapper.map(event)
        if mapped.metric in expected_labels:
            seen[mapped.metric] = {k for k, _ in mapped.labels}
    for metric, labels in expected_labels.items():
        assert metric in seen, f"{metric} not produced by the run"
        assert labels <= seen[metric], f"{metric} lacks {labels - seen[metric]}"
    executors = {
        dict(mapper.map(e).labels).get("executor_class_name")
        for _, e in events
        if e.name == "airflow.executor.open_slots"
    }
    assert executors == {"CeleryExecutor"}


def test_nothing_is_counted_twice_and_no_series_conflicts(events, mapper: Mapper) -> None:
    sources: dict[tuple, set[str]] = defaultdict(set)
    kinds: dict[str, set[str]] = defaultdict(set)
    label_names: dict[str, set[tuple]] = defaultdict(set)
    for _, event in events:
        mapped = mapper.map(event)
        if mapped.dropped:
            continue
        sources[(mapped.metric, mapped.labels)].add(event.name)
        kinds[mapped.metric].add(event.kind)
        label_names[mapped.metric].add(tuple(k for k, _ in mapped.labels))
    doubled = {key: names for key, names in sources.items() if len(names) > 1}
    assert doubled == {}, "two statsd names feed one series"
    assert {m: k for m, k in kinds.items() if len(k) > 1} == {}, "one metric name with two types"
    assert {m: s for m, s in label_names.items() if len(s) > 1} == {}, (
        "inconsistent label names (exporter drops those)"
    )


def test_flower_metrics_skip_basic_auth(observed: ObservedRun) -> None:
    assert observed.flower_checks == {
        "ui_without_auth": 401,
        "ui_with_auth": 200,
        "metrics_without_auth": 200,
    }


# ------------------------------------------------------------------------------ Prometheus leg
@pytest.fixture(scope="module")
def backfilled_prometheus(observed: ObservedRun, events, mapper: Mapper):
    """The run's Prometheus, with the statsd leg backfilled from the translated capture."""
    openmetrics = observed.workdir / "statsd-exporter.om"
    openmetrics.write_text(openmetrics_timeline(mapper, load_buckets(MAPPING), events, step=5.0, tail=10.0))
    data = observed.workdir / "prometheus-query-data"
    data.mkdir()
    blocks = [block for block in observed.live_snapshot.iterdir() if block.is_dir()]
    assert blocks, "the live Prometheus snapshot holds no block"
    for block in blocks:
        shutil.copytree(block, data / block.name)
    run(
        [binary("promtool"), "tsdb", "create-blocks-from", "openmetrics", str(openmetrics), str(data)],
        timeout=300,
    )
    quiet = observed.workdir / "prometheus-query.yml"
    quiet.write_text(yaml.safe_dump({"global": {"scrape_interval": "1h"}, "scrape_configs": []}))
    with prometheus(quiet, observed.workdir / "query", data=data) as url:
        yield url


def query_range(url: str, expr: str, start: float, end: float) -> list[dict]:
    response = httpx.get(
        f"{url}/api/v1/query_range",
        params={"query": expr, "start": start, "end": end, "step": "5s"},
        timeout=30,
    )
    body = response.json()
    assert body["status"] == "success", f"{expr}: {body}"
    return body["data"]["result"]


def has_data(result: list[dict]) -> bool:
    return any(value != "NaN" for series in result for _, value in series["values"])


#: Metrics a run on this machine cannot produce, by name prefix, with the reason.
NOT_RUNNABLE_HERE = {
    "celery_task_": "celery-exporter ships as a container image only (no package to run here)",
    "redis_cluster_slots_": "Redis Cluster deployments only; tests/integration/test_cluster_health_e2e.py runs one",
}


PROMQL_WORDS = {"and", "or", "unless", "bool", "offset", "group_left", "group_right", "inf", "nan"}


def metric_names(expr: str) -> set[str]:
    """Metric names a PromQL expression selects (label matchers, groupings, ranges, strings removed)."""
    bare = re.sub(r'"[^"]*"', "", expr)
    bare = re.sub(r"\{[^}]*\}|\[[^\]]*\]", "", bare)
    bare = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", bare)
    words = re.findall(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)\b(?!\s*\()", bare)
    return {w for w in words if w.lower() not in PROMQL_WORDS}


def observable(expr: str) -> bool:
    names = metric_names(expr)
    return bool(names) and not any(n.startswith(tuple(NOT_RUNNABLE_HERE)) for n in names)


def test_every_observable_dashboard_query_returns_data(
    observed: ObservedRun, backfilled_prometheus: str
) -> None:
    window = f"{int(observed.finished - observed.started) + 60}s"
    queries = [q for q in prometheus_queries() if observable(q.expr)]
    assert len(queries) >= 20
    empty = [
        q.id
        for q in queries
        if not has_data(
            query_range(
                backfilled_prometheus,
                q.concrete(rate_interval="1m", range_=window),
                observed.started,
                observed.finished + 10,
            )
        )
    ]
    assert empty == []


def test_dashboard_variables_offer_the_run_s_values(
    observed: ObservedRun, backfilled_prometheus: str
) -> None:
    for uid, name, selector, label in variable_queries():
        if not observable(selector + "{}"):
            continue
        values = httpx.get(
            f"{backfilled_prometheus}/api/v1/label/{label}/values",
            params={
                "match[]": selector.replace("$cluster", ".*"),
                "start": observed.started,
                "end": observed.finished + 10,
            },
            timeout=10,
        ).json()["data"]
        assert values, f"{uid} ${name} has no values"
        if name == "dag_id":
            assert {"obs_probe", "obs_failing"} <= set(values)


def test_prometheus_scraped_flower_task_events(observed: ObservedRun, backfilled_prometheus: str) -> None:
    """Celery task events are on (extra_celery_config): Flower counted the worker's task events.

    No task-failed here although obs_failing failed: Airflow's Celery task (execute_workload) reports
    the task instance's failure to the api-server and itself ends successfully, so Celery-level
    failures (celery-exporter's celery_task_failed_total) are executor failures, not task failures.
    """
    result = query_range(
        backfilled_prometheus,
        'sum by (type) (flower_events_total{type=~"task-.*"})',
        observed.started,
        observed.finished + 10,
    )
    types = {series["metric"]["type"] for series in result if has_data([series])}
    assert {"task-received", "task-started", "task-succeeded"} <= types
