"""The observability services of docker-compose.yml: pinned images, healthchecks, secrets only
from .env, real mounts.

No Docker engine runs here, so the services are checked as the compose file model they are: every
mounted file exists, every ${VAR} is required and documented, the scrape targets of prometheus.yml
are services on the ports they listen on. (tests/unit/platform/test_compose.py validates the whole
file with docker-compose.)
"""

from __future__ import annotations

import re

import pytest
import yaml

from local_airflow.stack import CELERY_EXTRA_CONFIG
from tests.monitoring.conftest import MONITORING, REPO

COMPOSE = yaml.safe_load((REPO / "docker-compose.yml").read_text())
REQUIRED = {
    "statsd-exporter",
    "prometheus",
    "alertmanager",
    "grafana",
    "flower",
    "celery-exporter",
    "loki",
    "promtail",
}
SERVICES = {name: service for name, service in COMPOSE["services"].items() if name in REQUIRED}
#: Services the root docker-compose.yml provides (the lead's part).
FROM_ROOT_COMPOSE = {"redis", "airflow-apiserver"}


def test_all_observability_services_are_there() -> None:
    assert REQUIRED <= set(SERVICES)


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_image_is_pinned_and_service_has_a_healthcheck(name: str) -> None:
    service = SERVICES[name]
    image = service["image"]
    assert re.fullmatch(r"[\w./-]+:v?\d+(\.\d+)+", image), f"{name}: image {image} is not pinned to a version"
    assert service["healthcheck"]["test"][0] in {"CMD", "CMD-SHELL"}


@pytest.mark.parametrize("name", sorted(SERVICES))
def test_mounted_files_exist_in_the_repo(name: str) -> None:
    for volume in SERVICES[name].get("volumes", []):
        source = volume.split(":", 1)[0]
        if source.startswith("./"):
            assert (REPO / source).exists(), f"{name} mounts missing {source}"
        else:
            assert source in COMPOSE["volumes"], f"{name} uses undeclared volume {source}"


def test_secrets_come_from_env_and_are_required() -> None:
    text = yaml.safe_dump(SERVICES, allow_unicode=True)
    variables = re.findall(r"\$\{(\w+)([^}]*)\}", text)
    assert variables
    for name, modifier in variables:
        assert modifier.startswith(":?"), f"${{{name}}} must fail when unset (no default password)"
    documented = {
        line.split("=", 1)[0]
        for line in (REPO / ".env.example").read_text().splitlines()
        if "=" in line and not line.startswith("#")
    }
    assert {name for name, _ in variables} <= documented
    grafana = SERVICES["grafana"]["environment"]
    assert grafana["GF_SECURITY_ADMIN_PASSWORD"].startswith("${GRAFANA_ADMIN_PASSWORD")
    assert SERVICES["flower"]["environment"]["FLOWER_BASIC_AUTH"].startswith("${FLOWER_BASIC_AUTH")


def test_flower_is_not_published() -> None:
    """Flower's /metrics skips its basic auth: only the compose network may reach it."""
    assert "ports" not in SERVICES["flower"]
    assert "ports" not in SERVICES["celery-exporter"]


def test_grafana_mounts_provisioning_and_dashboards_where_the_provider_looks() -> None:
    mounts = dict(
        v.rsplit(":", 2)[:2] if v.count(":") == 2 else v.split(":", 1) for v in SERVICES["grafana"]["volumes"]
    )
    provider = yaml.safe_load((MONITORING / "grafana/provisioning/dashboards/dashboards.yml").read_text())
    assert mounts["./monitoring/grafana/dashboards"] == provider["providers"][0]["options"]["path"]
    assert mounts["./monitoring/grafana/provisioning"] == "/etc/grafana/provisioning"


def test_prometheus_targets_are_services_on_their_ports() -> None:
    config = yaml.safe_load((MONITORING / "prometheus/prometheus.yml").read_text())
    for job in config["scrape_configs"]:
        for target in job["static_configs"][0]["targets"]:
            host, port = target.split(":")
            if host == "localhost":
                continue
            assert host in SERVICES or host in FROM_ROOT_COMPOSE, f"{job['job_name']}: unknown host {host}"
            if host in SERVICES:
                service = SERVICES[host]
                published = {p.split(":")[-1] for p in service.get("ports", [])}
                exposed = {str(p).split("/")[0] for p in service.get("expose", [])}
                assert port in published | exposed, f"{host} does not listen on {port}"


def test_airflow_env_turns_on_tagged_statsd_celery_events_and_no_prefetch() -> None:
    env = COMPOSE["x-airflow-monitoring-env"]
    assert env["AIRFLOW__METRICS__STATSD_INFLUXDB_ENABLED"] == "True"
    assert env["AIRFLOW__METRICS__LEGACY_NAMES_ON"] == "False"
    assert env["AIRFLOW__METRICS__STATSD_HOST"] == "statsd-exporter"
    celery = yaml.safe_load(env["AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"])
    assert celery == {"worker_send_task_events": True, "task_send_sent_event": True, **CELERY_EXTRA_CONFIG}


def test_alertmanager_renders_its_template_before_starting() -> None:
    command = " ".join(SERVICES["alertmanager"]["command"])
    assert "render-config.awk" in command and "&& exec /bin/alertmanager" in command
    assert set(SERVICES["alertmanager"]["environment"]) == set(
        re.findall(
            r"\$\{(\w+)\}",
            "\n".join(
                line
                for line in (MONITORING / "alertmanager/alertmanager.yml.tmpl").read_text().splitlines()
                if not line.lstrip().startswith("#")
            ),
        )
    )
