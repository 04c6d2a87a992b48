"""Generate the platform's Grafana dashboards (JSON model) from this one readable description.

    python monitoring/grafana/generate_dashboards.py          # rewrite monitoring/grafana/dashboards/*.json
    python monitoring/grafana/generate_dashboards.py --check  # exit 1 if the committed JSON is stale

Standard library only, so it runs anywhere. Every query reads metric names documented in
monitoring/statsd-exporter/mapping.yml (Airflow), docs/metrics.md (cluster-health plugin) and
docs/observability.md (celery-exporter); tests/monitoring/test_grafana_dashboards.py parses each one
with promtool and runs it against a real Prometheus.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

DASHBOARDS_DIR = Path(__file__).resolve().parent / "dashboards"
PROMETHEUS = {"type": "prometheus", "uid": "prometheus"}
LOKI = {"type": "loki", "uid": "loki"}
RATE = "$__rate_interval"


# ------------------------------------------------------------------------------------------ builders
def target(expr: str, legend: str = "", ref: str = "A", instant: bool = False, fmt: str = "time_series") -> dict:
    return {"datasource": PROMETHEUS, "expr": expr, "legendFormat": legend or "__auto", "refId": ref,
            "range": not instant, "instant": instant, "format": fmt}


def targets(*pairs: tuple[str, str], **kwargs) -> list[dict]:
    return [target(expr, legend, chr(ord("A") + i), **kwargs) for i, (expr, legend) in enumerate(pairs)]


def panel(title: str, kind: str, tgts: list[dict], unit: str, w: int = 8, h: int = 8, description: str = "",
          thresholds: list[tuple[float | None, str]] | None = None, mappings: list[dict] | None = None,
          custom: dict | None = None, options: dict | None = None, datasource: dict = PROMETHEUS,
          min_value: float | None = None, max_value: float | None = None) -> dict:
    defaults: dict = {
        "unit": unit,
        "thresholds": {"mode": "absolute", "steps": [{"color": c, "value": v} for v, c in
                                                     (thresholds or [(None, "green")])]},
    }
    if mappings:
        defaults["mappings"] = mappings
    if custom:
        defaults["custom"] = custom
    if min_value is not None:
        defaults["min"] = min_value
    if max_value is not None:
        defaults["max"] = max_value
    return {"title": title, "type": kind, "description": description, "datasource": datasource,
            "targets": tgts, "fieldConfig": {"defaults": defaults, "overrides": []},
            "options": options or {}, "gridPos": {"w": w, "h": h}}


def stat(title: str, expr: str, unit: str = "short", **kwargs) -> dict:
    kwargs.setdefault("w", 4)
    kwargs.setdefault("h", 4)
    return panel(title, "stat", [target(expr, instant=True)], unit,
                 options={"reduceOptions": {"calcs": ["lastNotNull"]}, "colorMode": "background"}, **kwargs)


def timeseries(title: str, pairs: list[tuple[str, str]], unit: str, bars: bool = False, **kwargs) -> dict:
    custom = {"drawStyle": "bars" if bars else "line", "fillOpacity": 60 if bars else 10,
              "stacking": {"mode": "normal" if bars else "none"}}
    custom.update(kwargs.pop("custom", {}))
    return panel(title, "timeseries", targets(*pairs), unit, custom=custom,
                 options={"legend": {"displayMode": "table", "placement": "right", "calcs": ["lastNotNull", "max"]},
                          "tooltip": {"mode": "multi"}}, **kwargs)


def row(title: str) -> dict:
    return {"title": title, "type": "row", "collapsed": False, "panels": [], "gridPos": {"w": 24, "h": 1}}


def query_variable(name: str, label: str, query: str, multi: bool = True) -> dict:
    return {"name": name, "label": label, "type": "query", "datasource": PROMETHEUS,
            "query": {"query": query, "refId": f"{name}-variable"}, "definition": query,
            "refresh": 2, "sort": 1, "multi": multi, "includeAll": True, "allValue": ".*",
            "current": {"selected": True, "text": ["All"], "value": ["$__all"]}}


UP_DOWN = [{"type": "value", "options": {"0": {"text": "DOWN", "color": "red"}, "1": {"text": "UP", "color": "green"}}}]
OK_FAIL = [{"type": "value", "options": {"0": {"text": "FAIL", "color": "red"}, "1": {"text": "OK", "color": "green"}}}]


def layout(panels: list[dict]) -> list[dict]:
    """Flow panels left to right, wrapping at Grafana's 24 columns; ids in order."""
    x = y = line_height = 0
    for number, item in enumerate(panels, start=1):
        pos = item["gridPos"]
        if item["type"] == "row" or x + pos["w"] > 24:
            x, y = 0, y + line_height
            line_height = 0
        pos["x"], pos["y"] = x, y
        item["id"] = number
        x += pos["w"]
        line_height = max(line_height, pos["h"])
        if item["type"] == "row":
            x, y, line_height = 0, y + pos["h"], 0
    return panels


def dashboard(uid: str, title: str, description: str, panels: list[dict], variables: list[dict],
              tags: list[str]) -> dict:
    return {
        "uid": uid, "title": title, "description": description, "tags": ["onec-airflow", *tags],
        "timezone": "browser", "schemaVersion": 39, "version": 1, "editable": False,
        "graphTooltip": 1, "refresh": "30s", "time": {"from": "now-6h", "to": "now"},
        "templating": {"list": variables}, "annotations": {"list": []},
        "links": [{"title": "Platform dashboards", "type": "dashboards", "tags": ["onec-airflow"], "asDropdown": True}],
        "panels": layout(panels),
    }


# ------------------------------------------------------------------------------------------ dashboards
def airflow_dashboard() -> dict:
    dag = 'dag_id=~"$dag_id"'
    pool = 'pool_name=~"$pool"'
    panels = [
        row("DAG runs"),
        stat("Successful DAG runs", f'sum(increase(airflow_dagrun_duration_seconds_count{{state="success",{dag}}}[$__range])) or vector(0)',
             description="DAG runs that ended success in the selected time range."),
        stat("Failed DAG runs", f'sum(increase(airflow_dagrun_duration_seconds_count{{state="failed",{dag}}}[$__range])) or vector(0)',
             thresholds=[(None, "green"), (1, "red")]),
        stat("DAG runs running now", "max(airflow_scheduler_dagruns_running)"),
        stat("DAG import errors", "max(airflow_dag_processing_import_errors)", thresholds=[(None, "green"), (1, "red")]),
        stat("DAGs loaded", "max(airflow_dagbag_size)"),
        stat("Scheduler heartbeats / min", f"sum(rate(airflow_scheduler_heartbeat_total[{RATE}])) * 60",
             unit="short", thresholds=[(None, "red"), (1, "green")],
             description="0 means the scheduler stopped sending heartbeats (alert AirflowSchedulerHeartbeatMissing)."),
        timeseries("DAG run outcomes", [
            (f"sum by (state) (increase(airflow_dagrun_duration_seconds_count{{{dag}}}[{RATE}]))", "{{state}}")],
            "short", bars=True, w=12),
        timeseries("DAG run duration (mean, p95)", [
            (f"sum by (dag_id) (rate(airflow_dagrun_duration_seconds_sum{{{dag}}}[{RATE}])) / "
             f"sum by (dag_id) (rate(airflow_dagrun_duration_seconds_count{{{dag}}}[{RATE}]))", "{{dag_id}} mean"),
            (f"histogram_quantile(0.95, sum by (le, dag_id) (rate(airflow_dagrun_duration_seconds_bucket{{{dag}}}[{RATE}])))",
             "{{dag_id}} p95")], "s", w=12),
        row("Tasks"),
        timeseries("Task duration by DAG and task (mean)", [
            (f"sum by (dag_id, task_id) (rate(airflow_task_duration_seconds_sum{{{dag}}}[{RATE}])) / "
             f"sum by (dag_id, task_id) (rate(airflow_task_duration_seconds_count{{{dag}}}[{RATE}]))",
             "{{dag_id}}.{{task_id}}")], "s", w=12),
        panel("Slowest tasks (mean duration in range)", "table", [target(
            f"topk(15, sum by (dag_id, task_id) (increase(airflow_task_duration_seconds_sum{{{dag}}}[$__range])) / "
            f"sum by (dag_id, task_id) (increase(airflow_task_duration_seconds_count{{{dag}}}[$__range])))",
            instant=True, fmt="table")], "s", w=12),
        timeseries("Task instances finished, by state", [
            (f"sum by (state) (increase(airflow_task_instance_finishes_total{{{dag}}}[{RATE}]))", "{{state}}")],
            "short", bars=True, w=12),
        timeseries("Task instances now, by state", [
            (f"sum by (state) (airflow_task_instances{{{dag}}})", "{{state}}")], "short", w=12,
            description="scheduled / queued / running / deferred task instances the scheduler counts."),
        timeseries("Schedule delay", [
            (f"histogram_quantile(0.95, sum by (le, dag_id) (rate(airflow_dagrun_first_task_scheduling_delay_seconds_bucket{{{dag}}}[{RATE}])))",
             "{{dag_id}} first task p95"),
            (f"histogram_quantile(0.95, sum by (le, dag_id) (rate(airflow_dagrun_schedule_delay_seconds_bucket{{{dag}}}[{RATE}])))",
             "{{dag_id}} run start p95")], "s", w=12,
            description="Run start: how late a scheduled run started after its data interval. First task: from run_after to the first task's start."),
        # task.queued_duration is in Airflow's registry but 3.3.2's Celery path never emits it (seen in the
        # captured run); scheduled_duration is emitted for every task instance.
        timeseries("Task wait from scheduled to queued (mean)", [
            (f"sum by (dag_id) (rate(airflow_task_scheduled_duration_seconds_sum{{{dag}}}[{RATE}])) / "
             f"sum by (dag_id) (rate(airflow_task_scheduled_duration_seconds_count{{{dag}}}[{RATE}]))", "{{dag_id}}")],
            "s", w=12),
        row("Scheduler, executor and pools"),
        timeseries("Executor slots and tasks", [
            ("sum by (executor_class_name) (airflow_executor_open_slots)", "{{executor_class_name}} open slots"),
            ("sum by (executor_class_name) (airflow_executor_queued_tasks)", "{{executor_class_name}} queued"),
            ("sum by (executor_class_name) (airflow_executor_running_tasks)", "{{executor_class_name}} running")],
            "short", w=12),
        timeseries("Pool slots", [
            (f"sum by (pool_name, state) (airflow_pool_slots{{{pool}}})", "{{pool_name}} {{state}}"),
            (f"sum by (pool_name) (airflow_pool_starving_tasks{{{pool}}})", "{{pool_name}} starving tasks")],
            "short", w=12),
        timeseries("Scheduler loop duration", [
            (f"histogram_quantile(0.95, sum by (le) (rate(airflow_scheduler_scheduler_loop_duration_seconds_bucket[{RATE}])))", "loop p95"),
            (f"histogram_quantile(0.95, sum by (le) (rate(airflow_scheduler_critical_section_duration_seconds_bucket[{RATE}])))",
             "critical section p95")], "s", w=12),
        timeseries("DAG file parse time", [
            ("max(airflow_dag_processing_total_parse_time_seconds)", "all files"),
            ("max by (file_name) (airflow_dag_processing_last_duration_seconds_sum / airflow_dag_processing_last_duration_seconds_count)",
             "{{file_name}} (mean)")], "s", w=12),
        row("Task logs"),
        panel("Airflow task logs", "logs", [{"datasource": LOKI, "refId": "A",
                                               "expr": '{job="airflow-task-logs", dag_id=~"$dag_id"}'}],
              "none", w=24, h=10, datasource=LOKI, options={"showTime": True, "wrapLogMessage": True}),
    ]
    variables = [query_variable("dag_id", "DAG", "label_values(airflow_task_instance_finishes_total, dag_id)"),
                 query_variable("pool", "Pool", "label_values(airflow_pool_slots, pool_name)")]
    return dashboard("airflow-overview", "Airflow", "DAG runs, tasks, scheduler, executor and pools (statsd).",
                     panels, variables, ["airflow"])


def workers_dashboard() -> dict:
    worker = 'worker=~"$worker"'
    success = "sum(increase(celery_task_succeeded_total[{r}]))"
    failed = "sum(increase(celery_task_failed_total[{r}]))"
    runtime = "histogram_quantile({q}, sum by (le) (rate(celery_task_runtime_bucket[" + RATE + "])))"
    panels = [
        row("Workers"),
        stat("Active workers", "sum(worker_up) or vector(0)", thresholds=[(None, "red"), (1, "green")]),
        stat("Dead workers (range)", "sum(increase(dead_workers_detected_total[$__range])) or vector(0)",
             thresholds=[(None, "green"), (1, "red")]),
        stat("Tasks running now", f"sum(worker_active_tasks{{{worker}}}) or vector(0)"),
        stat("Tasks processed (range)", f"sum(increase(worker_tasks_processed_total{{{worker}}}[$__range])) or vector(0)"),
        stat("Task instances failed (range)", f"sum(increase(worker_tasks_failed_total{{{worker}}}[$__range])) or vector(0)",
             thresholds=[(None, "green"), (1, "orange")]),
        stat("Celery success rate (range)",
             f"{success.format(r='$__range')} / ({success.format(r='$__range')} + {failed.format(r='$__range')})",
             unit="percentunit", thresholds=[(None, "red"), (0.95, "green")], min_value=0, max_value=1),
        panel("Worker status", "state-timeline", targets((f"worker_up{{{worker}}}", "{{worker}}")), "none",
              w=24, h=6, mappings=UP_DOWN, thresholds=[(None, "red"), (1, "green")]),
        timeseries("Execution rate by worker", [
            (f"sum by (worker) (rate(worker_tasks_processed_total{{{worker}}}[{RATE}]))", "{{worker}}")], "ops", w=12),
        timeseries("Tasks running now by worker", [
            (f"sum by (worker) (worker_active_tasks{{{worker}}})", "{{worker}}")], "short", w=12),
        row("Celery tasks (celery-exporter)"),
        timeseries("Success rate", [
            (f"{success.format(r=RATE)} / ({success.format(r=RATE)} + {failed.format(r=RATE)})", "success")],
            "percentunit", w=8, thresholds=[(None, "red"), (0.95, "green")], min_value=0, max_value=1,
            custom={"thresholdsStyle": {"mode": "line"}}),
        timeseries("Task runtime p50 / p95 / p99", [
            (runtime.format(q="0.5"), "p50"), (runtime.format(q="0.95"), "p95"), (runtime.format(q="0.99"), "p99")],
            "s", w=8),
        timeseries("Tasks by outcome", [
            (f"sum(rate(celery_task_received_total[{RATE}]))", "received"),
            (f"sum(rate(celery_task_succeeded_total[{RATE}]))", "succeeded"),
            (f"sum(rate(celery_task_failed_total[{RATE}]))", "failed"),
            (f"sum(rate(celery_task_retried_total[{RATE}]))", "retried")], "ops", w=8),
        row("Queues and failures"),
        timeseries("Queue length", [("max by (queue) (celery_queue_length)", "{{queue}}")], "short", w=8,
                   thresholds=[(None, "green"), (50, "red")], custom={"thresholdsStyle": {"mode": "line"}}),
        timeseries("Queue wait p95 (queued to running)", [
            (f"histogram_quantile(0.95, sum by (le, queue) (rate(task_queue_latency_seconds_bucket[{RATE}])))", "{{queue}}")],
            "s", w=8),
        timeseries("Failed task instances", [
            (f"sum by (worker) (increase(worker_tasks_failed_total{{{worker}}}[{RATE}]))", "{{worker}}")],
            "short", bars=True, w=8),
        panel("Activity by hour", "heatmap", [dict(target(
            f"sum by (worker) (increase(worker_tasks_processed_total{{{worker}}}[1h]))", "{{worker}}"), interval="1h")],
            "short", w=12, h=8, options={"calculate": False, "yAxis": {"unit": "short"},
                                         "color": {"mode": "scheme", "scheme": "Oranges"}},
            description="Tasks each worker accepted per hour."),
        timeseries("Worker memory (max RSS)", [
            (f"max by (worker) (worker_max_rss_bytes{{{worker}}})", "{{worker}}")], "bytes", w=12,
            description="Peak resident memory of each worker's main process (Celery stats rusage.maxrss); no line for a dead worker."),
        timeseries("Dead workers and reassigned tasks", [
            (f"sum(increase(dead_workers_detected_total[{RATE}]))", "dead workers"),
            (f"sum(increase(tasks_reassigned_total[{RATE}]))", "reassigned task instances")], "short", bars=True, w=12),
        timeseries("Worker uptime", [(f"max by (worker) (worker_uptime_seconds{{{worker}}})", "{{worker}}")], "s", w=12),
    ]
    variables = [query_variable("worker", "Worker", "label_values(worker_up, worker)")]
    return dashboard("celery-workers", "Workers and Celery", "Celery workers and tasks: cluster-health plugin and celery-exporter.",
                     panels, variables, ["celery"])


def redis_dashboard() -> dict:
    sel = 'cluster=~"$cluster",node=~"$node"'
    cluster = 'cluster=~"$cluster"'
    panels = [
        row("Cluster"),
        stat("Cluster state", f"min(redis_cluster_state_ok{{{cluster}}})", unit="none", mappings=OK_FAIL,
             thresholds=[(None, "red"), (1, "green")]),
        stat("Nodes up", f"sum(redis_cluster_node_up{{{sel}}})", thresholds=[(None, "red"), (1, "green")]),
        stat("Nodes down", f"count(redis_cluster_node_up{{{sel}}} == 0) or vector(0)", thresholds=[(None, "green"), (1, "red")]),
        stat("Slots failing", f"sum(redis_cluster_slots_fail{{{cluster}}}) or vector(0)", thresholds=[(None, "green"), (1, "red")]),
        stat("Slots assigned", f"sum(redis_cluster_slots_assigned{{{cluster}}})"),
        stat("Monitoring snapshot age", "max(cluster_health_snapshot_age_seconds)", unit="s",
             thresholds=[(None, "green"), (180, "red")]),
        panel("Node health", "state-timeline", targets((f"redis_cluster_node_up{{{sel}}}", "{{node}} ({{role}})")), "none",
              w=24, h=6, mappings=UP_DOWN, thresholds=[(None, "red"), (1, "green")]),
        row("Nodes"),
        timeseries("Memory used", [(f"redis_cluster_memory_bytes{{{sel}}}", "{{node}} ({{role}})")], "bytes", w=12),
        timeseries("Connected clients", [(f"redis_cluster_connected_clients{{{sel}}}", "{{node}}")], "short", w=12),
        timeseries("Operations per second", [(f"redis_cluster_ops_per_sec{{{sel}}}", "{{node}}")], "ops", w=12),
        timeseries("Replication lag", [(f"redis_cluster_replication_lag_seconds{{{sel}}}", "{{node}}")], "s", w=12,
                   thresholds=[(None, "green"), (5, "red")], custom={"thresholdsStyle": {"mode": "line+area"}},
                   description="Alert RedisReplicationLagHigh fires above the red line (5 s) for 1 minute."),
        timeseries("Replication lag (bytes)", [(f"redis_cluster_replication_lag_bytes{{{sel}}}", "{{node}}")], "bytes", w=12),
        timeseries("Collector sources", [
            ("min by (source) (cluster_health_scrape_success)", "{{source}}")], "none", w=12, mappings=OK_FAIL),
        row("Workers affected"),
        timeseries("Dead workers and reassigned tasks", [
            (f"sum(increase(dead_workers_detected_total[{RATE}]))", "dead workers"),
            (f"sum(increase(tasks_reassigned_total[{RATE}]))", "reassigned task instances")], "short", bars=True, w=24),
    ]
    variables = [query_variable("cluster", "Cluster", "label_values(redis_cluster_state_ok, cluster)"),
                 query_variable("node", "Node", 'label_values(redis_cluster_node_up{cluster=~"$cluster"}, node)')]
    return dashboard("redis-cluster", "Redis", "Redis broker nodes, replication and cluster state (cluster-health plugin).",
                     panels, variables, ["redis"])


DASHBOARDS = {"airflow.json": airflow_dashboard, "workers-celery.json": workers_dashboard, "redis.json": redis_dashboard}


def render() -> dict[str, str]:
    return {name: json.dumps(build(), indent=2, sort_keys=True) + "\n" for name, build in DASHBOARDS.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the committed JSON differs")
    parser.add_argument("--out", type=Path, default=DASHBOARDS_DIR)
    args = parser.parse_args(argv)
    stale = []
    for name, text in render().items():
        path = args.out / name
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(str(path))
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
    if stale:
        print("stale dashboards (run monitoring/grafana/generate_dashboards.py):", *stale, sep="\n  ", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
