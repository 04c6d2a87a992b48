"""docker-compose.yml: valid for Compose, secrets only from .env, every part healthchecked.

No Docker engine runs here, so the file is validated by Debian's docker-compose (`config`, which
checks it against the Compose schema and interpolates .env) and by reading it; its parts (api-server,
scheduler, dag-processor, triggerer, Celery workers on Redis and PostgreSQL) run natively in the
integration tests with the same commands.
"""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[3]
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
SECRET_WORDS = re.compile(r"PASSWORD|SECRET|FERNET|_AUTH$|TOKEN", re.I)


def _env_keys() -> list[str]:
    return [
        line.split("=", 1)[0]
        for line in ENV_EXAMPLE.read_text().splitlines()
        if re.match(r"^[A-Z_][A-Z0-9_]*=", line)
    ]


def _filled_env(tmp_path: Path) -> Path:
    values = {
        key: (
            "./configurations"
            if key.endswith("_DIR")
            else "1000"
            if key.endswith("UID")
            else f"test-{key.lower()}"
        )
        for key in _env_keys()
    }
    env = tmp_path / ".env"
    env.write_text("".join(f"{k}={v}\n" for k, v in values.items()))
    return env


def _compose(*args: str, env_file: Path) -> subprocess.CompletedProcess:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.fail("docker-compose is not installed: `make test` installs Debian's docker-compose")
    return subprocess.run(
        [binary, "--project-directory", str(REPO), "--env-file", str(env_file), "-f", str(COMPOSE), *args],
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_compose_file_is_valid_with_every_env_value_set(tmp_path: Path) -> None:
    result = _compose("config", "-q", env_file=_filled_env(tmp_path))
    assert result.returncode == 0, result.stderr


def test_compose_refuses_to_start_without_secrets(tmp_path: Path) -> None:
    empty = tmp_path / ".env"
    empty.write_text("")
    result = _compose("config", "-q", env_file=empty)
    assert result.returncode != 0
    assert "in .env" in result.stderr


def test_every_variable_compose_reads_is_documented_in_env_example() -> None:
    used = set(re.findall(r"(?<!\$)\$\{([A-Z_][A-Z0-9_]*)", COMPOSE.read_text()))
    assert used, "compose reads no variables?"
    assert used <= set(_env_keys()), f"missing from .env.example: {sorted(used - set(_env_keys()))}"


def test_env_example_ships_no_values() -> None:
    filled = [
        line for line in ENV_EXAMPLE.read_text().splitlines() if re.match(r"^[A-Z_][A-Z0-9_]*=.+", line)
    ]
    assert filled == []


def test_no_secret_is_written_into_compose() -> None:
    document = yaml.safe_load(COMPOSE.read_text())
    services = document["services"]
    for name, service in services.items():
        env = service.get("environment") or {}
        items = env.items() if isinstance(env, dict) else (item.split("=", 1) for item in env)
        for key, value in items:
            if SECRET_WORDS.search(key) and not key.endswith("_FILE"):
                assert "${" in str(value), f"{name}: {key} must come from .env, not be written here"


def test_services_images_and_healthchecks() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    expected = {
        "postgres",
        "redis",
        "airflow-init",
        "airflow-apiserver",
        "airflow-scheduler",
        "airflow-dag-processor",
        "airflow-triggerer",
        "airflow-worker",
        "airflow-worker-ml",
        "mlflow",
    }
    assert expected <= set(services)
    for name, service in services.items():
        image = service.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name}: pin the image tag ({image!r})"
        if name != "airflow-init" and not name.endswith("-init"):
            assert "healthcheck" in service, f"{name}: no healthcheck"
    queues = set()
    for service in services.values():
        command = service.get("command")
        if isinstance(command, str) and command.startswith("celery worker"):
            queues |= set(re.search(r"--queues (\S+)", command).group(1).split(","))
    assert queues == {"default", "edt", "ml_heavy"}


def test_mlflow_tracks_on_postgres_and_the_shared_artifact_volume() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    mlflow = services["mlflow"]
    assert mlflow["environment"]["MLFLOW_BACKEND_STORE_URI"].startswith(
        "postgresql+psycopg2://airflow:${POSTGRES_PASSWORD"
    )
    assert mlflow["environment"]["MLFLOW_BACKEND_STORE_URI"].endswith("@postgres/mlflow")
    assert "--artifacts-destination=/opt/airflow/artifacts/mlflow" in mlflow["command"]
    assert "artifacts:/opt/airflow/artifacts" in mlflow["volumes"]
    assert mlflow["depends_on"]["mlflow-init"]["condition"] == "service_completed_successfully"
    for name, service in services.items():
        if name.startswith("airflow-"):
            assert service["environment"]["MLFLOW_TRACKING_URI"] == "http://mlflow:5000", name
    assert services["airflow-worker-ml"]["depends_on"]["mlflow"]["condition"] == "service_healthy"
