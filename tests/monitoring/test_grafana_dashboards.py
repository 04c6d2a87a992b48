"""The Grafana dashboards as code: generated JSON is current, every query parses, units and variables set.

Grafana cannot run here; what makes a dashboard work is checked instead: the JSON model the
provisioning loads, PromQL that promtool accepts, and (test_dashboard_data.py) queries that return
data from a real Prometheus.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest
import yaml

from tests.monitoring.conftest import run
from tests.monitoring.dashboards import (
    DASHBOARD_FILES,
    GRAFANA,
    VARIABLE_RE,
    load,
    panels,
    prometheus_queries,
    variable_queries,
)


def generator():
    spec = importlib.util.spec_from_file_location("generate_dashboards", GRAFANA / "generate_dashboards.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_json_is_what_the_generator_writes(tmp_path: Path) -> None:
    gen = generator()
    assert gen.main(["--out", str(tmp_path)]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [p.name for p in DASHBOARD_FILES]
    for path in DASHBOARD_FILES:
        assert (tmp_path / path.name).read_text() == path.read_text(), (
            f"{path.name} is stale: run the generator"
        )
    assert gen.main(["--check"]) == 0


def test_check_mode_catches_a_hand_edit(tmp_path: Path) -> None:
    gen = generator()
    gen.main(["--out", str(tmp_path)])
    edited = tmp_path / "redis.json"
    edited.write_text(edited.read_text().replace('"Redis"', '"Redis (edited)"'))
    assert gen.main(["--check", "--out", str(tmp_path)]) == 1


def test_every_prometheus_query_parses(promtool: str, tmp_path: Path) -> None:
    queries = prometheus_queries()
    assert len(queries) > 40
    rules = {
        "groups": [
            {
                "name": "dashboard-queries",
                "rules": [
                    {"record": f"dashboard:query_{i}:parse", "expr": q.concrete()}
                    for i, q in enumerate(queries)
                ],
            }
        ]
    }
    path = tmp_path / "dashboard-queries.yml"
    path.write_text(yaml.safe_dump(rules))
    result = run([promtool, "check", "rules", str(path)])
    assert f"SUCCESS: {len(queries)} rules found" in result.stdout


def test_the_parse_check_would_catch_a_broken_query(promtool: str, tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text(
        yaml.safe_dump(
            {"groups": [{"name": "g", "rules": [{"record": "r:x:y", "expr": "sum by (dag_id (x)"}]}]}
        )
    )
    with pytest.raises(pytest.fail.Exception):
        run([promtool, "check", "rules", str(path)])


@pytest.mark.parametrize("path", DASHBOARD_FILES, ids=lambda p: p.name)
def test_panels_have_units_datasources_and_fit_the_grid(path: Path) -> None:
    board = load(path)
    provisioned = {
        d["uid"]
        for d in yaml.safe_load((GRAFANA / "provisioning" / "datasources" / "datasources.yml").read_text())[
            "datasources"
        ]
    }
    ids = [p["id"] for p in board["panels"]]
    assert len(ids) == len(set(ids))
    for item in panels(board):
        assert item["fieldConfig"]["defaults"].get("unit"), f"{item['title']} has no unit"
        assert item["datasource"]["uid"] in provisioned
        assert all(t["datasource"]["uid"] in provisioned for t in item["targets"])
        pos = item["gridPos"]
        assert 0 <= pos["x"] and pos["x"] + pos["w"] <= 24


@pytest.mark.parametrize(
    ("uid", "variable"),
    [("airflow-overview", "dag_id"), ("celery-workers", "worker"), ("redis-cluster", "node")],
)
def test_required_variables_are_defined_and_used(uid: str, variable: str) -> None:
    board = next(load(p) for p in DASHBOARD_FILES if load(p)["uid"] == uid)
    defined = {v["name"] for v in board["templating"]["list"]}
    assert variable in defined
    used = set()
    for item in panels(board):
        for tgt in item["targets"]:
            used |= {a or b for a, b in VARIABLE_RE.findall(tgt["expr"])}
    assert variable in used
    assert {name for name in used if not name.startswith("__")} <= defined


def test_variables_are_label_values_queries() -> None:
    assert len(variable_queries()) >= 4


REQUIRED_PANELS = {
    "airflow-overview": [
        "Successful DAG runs",
        "Failed DAG runs",
        "DAG run duration (mean, p95)",
        "Task duration by DAG and task (mean)",
        "Task instances now, by state",
        "Schedule delay",
        "Scheduler heartbeats / min",
        "Executor slots and tasks",
        "Pool slots",
        "DAG import errors",
    ],
    "celery-workers": [
        "Active workers",
        "Tasks processed (range)",
        "Execution rate by worker",
        "Success rate",
        "Task runtime p50 / p95 / p99",
        "Queue length",
        "Failed task instances",
        "Activity by hour",
        "Worker memory (max RSS)",
        "Tasks running now",
    ],
    "redis-cluster": [
        "Node health",
        "Memory used",
        "Connected clients",
        "Operations per second",
        "Replication lag",
        "Cluster state",
        "Dead workers and reassigned tasks",
    ],
}


@pytest.mark.parametrize("uid", REQUIRED_PANELS)
def test_dashboards_show_what_the_issue_asks_for(uid: str) -> None:
    board = next(load(p) for p in DASHBOARD_FILES if load(p)["uid"] == uid)
    titles = {p["title"] for p in panels(board)}
    assert set(REQUIRED_PANELS[uid]) <= titles, set(REQUIRED_PANELS[uid]) - titles


def test_replication_lag_panel_shows_the_alert_threshold() -> None:
    board = next(load(p) for p in DASHBOARD_FILES if load(p)["uid"] == "redis-cluster")
    lag = next(p for p in panels(board) if p["title"] == "Replication lag")
    steps = lag["fieldConfig"]["defaults"]["thresholds"]["steps"]
    assert {"color": "red", "value": 5} in steps
    assert lag["fieldConfig"]["defaults"]["custom"]["thresholdsStyle"]["mode"] != "off"
