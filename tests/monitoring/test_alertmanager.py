"""Alertmanager: the rendered config passes amtool, routes by severity, and really delivers.

The integration test runs a real Prometheus on the project's alert rules and a real Alertmanager on
the project's rendered configuration, and listens as the webhook receiver.
"""

from __future__ import annotations

import re
from pathlib import Path

import httpx
import pytest
import yaml

from tests.monitoring.conftest import MONITORING, run
from tests.monitoring.services import (
    MetricsEndpoint,
    WebhookSink,
    alertmanager,
    free_port,
    prometheus,
    render_alertmanager_config,
    wait_until,
)

AM_DIR = MONITORING / "alertmanager"
TEMPLATE = AM_DIR / "alertmanager.yml.tmpl"
AWK = AM_DIR / "render-config.awk"
ENV_EXAMPLE = MONITORING.parent / ".env.example"


def settings(webhook_url: str, smtp_port: int) -> dict[str, str]:
    return {
        "ALERTMANAGER_SMTP_SMARTHOST": f"127.0.0.1:{smtp_port}",
        "ALERTMANAGER_SMTP_FROM": "alertmanager@onec-airflow.test",
        "ALERTMANAGER_SMTP_USERNAME": "alertmanager",
        "ALERTMANAGER_SMTP_PASSWORD": 'not "secret" \\ at all',
        "ALERTMANAGER_EMAIL_TO": "oncall@onec-airflow.test",
        "ALERTMANAGER_WEBHOOK_URL": webhook_url,
    }


@pytest.fixture
def rendered(tmp_path: Path) -> Path:
    return render_alertmanager_config(
        TEMPLATE, AWK, settings("http://hooks.test/alerts", free_port()), tmp_path / "alertmanager.yml"
    )


def test_every_placeholder_is_documented_in_env_example() -> None:
    config_lines = [line for line in TEMPLATE.read_text().splitlines() if not line.lstrip().startswith("#")]
    placeholders = set(re.findall(r"\$\{(\w+)\}", "\n".join(config_lines)))
    documented = {
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert placeholders and placeholders <= documented, placeholders - documented


def test_rendering_refuses_a_missing_setting(tmp_path: Path) -> None:
    env = settings("http://hooks.test/alerts", 25)
    del env["ALERTMANAGER_WEBHOOK_URL"]
    with pytest.raises(RuntimeError, match="ALERTMANAGER_WEBHOOK_URL is not set"):
        render_alertmanager_config(TEMPLATE, AWK, env, tmp_path / "am.yml")


def test_rendering_keeps_special_characters_intact(rendered: Path) -> None:
    config = yaml.safe_load(rendered.read_text())
    assert config["global"]["smtp_auth_password"] == 'not "secret" \\ at all'


def test_amtool_check_config(amtool: str, rendered: Path) -> None:
    result = run([amtool, "check-config", str(rendered)])
    assert "SUCCESS" in result.stdout and "3 inhibit rules" in result.stdout


@pytest.mark.parametrize(
    ("labels", "receiver"),
    [
        (["severity=critical", "alertname=RedisNodeDown"], "oncall-email-and-webhook"),
        (["severity=warning", "alertname=CeleryQueueBacklog"], "team-webhook"),
        (["severity=info", "alertname=AirflowPoolStarving"], "blackhole"),
        (["alertname=SomethingUnlabelled"], "team-webhook"),
    ],
)
def test_routes_by_severity(amtool: str, rendered: Path, labels: list[str], receiver: str) -> None:
    result = run([amtool, "config", "routes", "test", f"--config.file={rendered}", *labels])
    assert result.stdout.strip() == receiver


def test_receivers_read_email_and_webhook_from_env(rendered: Path) -> None:
    receivers = {r["name"]: r for r in yaml.safe_load(rendered.read_text())["receivers"]}
    oncall = receivers["oncall-email-and-webhook"]
    assert oncall["email_configs"][0]["to"] == "oncall@onec-airflow.test"
    assert oncall["webhook_configs"][0]["url"] == "http://hooks.test/alerts"
    assert receivers["team-webhook"]["webhook_configs"][0]["url"] == "http://hooks.test/alerts"


def fast_rules(tmp_path: Path) -> Path:
    """The project's alert rules with `for` shortened to 2 s: the delivery path is what is tested here,
    the durations are covered by the promtool unit tests."""
    rules = yaml.safe_load((MONITORING / "prometheus" / "rules" / "alerts.yml").read_text())
    for group in rules["groups"]:
        group["interval"] = "1s"
        for rule in group["rules"]:
            if "for" in rule:
                rule["for"] = "2s"
    path = tmp_path / "alerts.yml"
    path.write_text(yaml.safe_dump(rules))
    return path


@pytest.mark.integration
@pytest.mark.slow
def test_prometheus_and_alertmanager_deliver_a_firing_alert_and_inhibit_the_lag(tmp_path: Path) -> None:
    # A Redis replica is down and, like every down replica, its last lag reading is high; another
    # replica lags while up. Expected: RedisNodeDown pages, the live replica's lag is delivered, the
    # down replica's lag is inhibited.
    exposition = "\n".join(
        [
            "# TYPE redis_cluster_node_up gauge",
            'redis_cluster_node_up{cluster="broker",node="redis-2:6379",role="replica"} 0',
            'redis_cluster_node_up{cluster="broker",node="redis-3:6379",role="replica"} 1',
            "# TYPE redis_cluster_replication_lag_seconds gauge",
            'redis_cluster_replication_lag_seconds{cluster="broker",node="redis-2:6379",role="replica"} 30',
            'redis_cluster_replication_lag_seconds{cluster="broker",node="redis-3:6379",role="replica"} 12',
            "# TYPE redis_cluster_state_ok gauge",
            'redis_cluster_state_ok{cluster="broker"} 1',
            "",
        ]
    )
    with WebhookSink() as sink, MetricsEndpoint(exposition) as plugin:
        am_config = render_alertmanager_config(
            TEMPLATE, AWK, settings(f"{sink.url}/alerts", free_port()), tmp_path / "alertmanager.yml"
        )
        config = yaml.safe_load(am_config.read_text())
        # group_wait of the product config is 10-30 s; shortened so the test takes seconds
        config["route"]["group_wait"] = "1s"
        for route in config["route"]["routes"]:
            route["group_wait"] = "1s"
        am_config.write_text(yaml.safe_dump(config))
        with alertmanager(am_config, tmp_path) as am_url:
            prom_config = tmp_path / "prometheus.yml"
            prom_config.write_text(
                yaml.safe_dump(
                    {
                        "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
                        "rule_files": [str(fast_rules(tmp_path))],
                        "alerting": {
                            "alertmanagers": [
                                {"static_configs": [{"targets": [am_url.removeprefix("http://")]}]}
                            ]
                        },
                        "scrape_configs": [
                            {
                                "job_name": "airflow-cluster-health",
                                "static_configs": [{"targets": [plugin.address]}],
                            }
                        ],
                    }
                )
            )
            with prometheus(prom_config, tmp_path):
                firing = wait_until(
                    lambda: (
                        (f := sink.firing()) and "RedisNodeDown" in f and "RedisReplicationLagHigh" in f and f
                    ),
                    90,
                    "alerts at the webhook",
                )
                am_alerts = httpx.get(f"{am_url}/api/v2/alerts", timeout=5).json()

    node_down = firing["RedisNodeDown"][0]["labels"]
    assert (node_down["node"], node_down["severity"]) == ("redis-2:6379", "critical")
    lagging = {alert["labels"]["node"] for alert in firing["RedisReplicationLagHigh"]}
    assert lagging == {"redis-3:6379"}, "the down replica's lag must be inhibited"
    assert {p["path"] for p in sink.payloads} == {"/alerts"}
    inhibited = [a for a in am_alerts if a["status"]["inhibitedBy"]]
    assert [(a["labels"]["alertname"], a["labels"]["node"]) for a in inhibited] == [
        ("RedisReplicationLagHigh", "redis-2:6379")
    ]
