"""Start and stop Airflow components as real processes with one shared configuration."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import psutil

from local_airflow.client import AirflowClient

#: Components ``start()`` brings up by default: what `airflow standalone` runs, minus the DB set-up.
DEFAULT_COMPONENTS = ("api-server", "scheduler", "dag-processor", "triggerer")
#: Celery settings beyond Airflow's ([celery] extra_celery_config) on the CeleryExecutor.
CELERY_EXTRA_CONFIG = {"worker_disable_prefetch": True}


def free_port() -> int:
    """A TCP port that was free a moment ago on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class StackConfig:
    """Everything that differs between one local Airflow and another.

    ``db_url`` None means SQLite in ``home`` (the embedded default, with LocalExecutor);
    CeleryExecutor needs a PostgreSQL ``db_url`` and a ``broker_url``.
    """

    home: Path
    dags_folder: Path
    plugins_folder: Path | None = None
    db_url: str | None = None
    executor: str = "LocalExecutor"
    broker_url: str | None = None
    result_backend: str | None = None
    api_port: int = 0  # 0: pick a free port
    parallelism: int = 8
    admin_user: str = "admin"
    admin_password: str = field(default_factory=lambda: secrets.token_urlsafe(12))
    #: Extra ``AIRFLOW__SECTION__KEY`` (or any) variables, e.g. statsd or celery settings.
    extra_env: Mapping[str, str] = field(default_factory=dict)
    airflow_bin: Path = field(default_factory=lambda: Path(sys.executable).with_name("airflow"))

    def __post_init__(self) -> None:
        self.home = Path(self.home).resolve()
        if not self.api_port:
            self.api_port = free_port()

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"


@dataclass
class Component:
    name: str
    process: subprocess.Popen
    log_path: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


class AirflowStack:
    """A local Airflow: ``migrate()``, ``start()``, ``start_worker()``, ``stop()``; a context manager."""

    def __init__(self, config: StackConfig) -> None:
        self.config = config
        self.components: list[Component] = []
        self._env = self._build_env()

    # -- configuration ----------------------------------------------------------------------
    def _secret(self, name: str, make) -> str:
        """A secret kept in AIRFLOW_HOME so restarts of the same home keep working."""
        path = self.config.home / f".{name}"
        if not path.exists():
            path.write_text(make())
            path.chmod(0o600)
        return path.read_text().strip()

    def _build_env(self) -> dict[str, str]:
        cfg = self.config
        cfg.home.mkdir(parents=True, exist_ok=True)
        (cfg.home / "logs").mkdir(exist_ok=True)
        passwords = cfg.home / "simple_auth_manager_passwords.json"
        passwords.write_text(json.dumps({cfg.admin_user: cfg.admin_password}))
        passwords.chmod(0o600)
        db_url = cfg.db_url or f"sqlite:///{cfg.home / 'airflow.db'}"
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AIRFLOW__") and key not in {"AIRFLOW_HOME", "AIRFLOW_CONFIG"}
        }
        env.update(
            {
                "AIRFLOW_HOME": str(cfg.home),
                "AIRFLOW__CORE__DAGS_FOLDER": str(Path(cfg.dags_folder).resolve()),
                "AIRFLOW__CORE__PLUGINS_FOLDER": str(
                    Path(cfg.plugins_folder or cfg.home / "plugins").resolve()
                ),
                "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
                "AIRFLOW__CORE__EXECUTOR": cfg.executor,
                "AIRFLOW__CORE__PARALLELISM": str(cfg.parallelism),
                "AIRFLOW__CORE__FERNET_KEY": self._secret(
                    "fernet_key", lambda: base64.urlsafe_b64encode(os.urandom(32)).decode()
                ),
                "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"{cfg.api_url}/execution/",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_USERS": f"{cfg.admin_user}:admin",
                "AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE": str(passwords),
                "AIRFLOW__API__PORT": str(cfg.api_port),
                "AIRFLOW__API__HOST": "127.0.0.1",
                "AIRFLOW__API__BASE_URL": cfg.api_url,
                "AIRFLOW__API_AUTH__JWT_SECRET": self._secret(
                    "jwt_secret", lambda: secrets.token_urlsafe(32)
                ),
                "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": db_url,
                # New DAG files are picked up within seconds, not the production default of minutes.
                "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "5",
                "AIRFLOW__SCHEDULER__ENABLE_HEALTH_CHECK": "True",
                "PYTHONUNBUFFERED": "1",
            }
        )
        if cfg.broker_url:
            env["AIRFLOW__CELERY__BROKER_URL"] = cfg.broker_url
            # A worker takes a task only when one of its processes is free. With prefetch, a worker busy
            # with a long task held the next one reserved while another worker sat idle (celery >= 5.6,
            # Redis broker; the same setting is in docker-compose.yml).
            env["AIRFLOW__CELERY__EXTRA_CELERY_CONFIG"] = json.dumps(CELERY_EXTRA_CONFIG)
        if cfg.result_backend:
            env["AIRFLOW__CELERY__RESULT_BACKEND"] = cfg.result_backend
        env.update(cfg.extra_env)
        return env

    @property
    def env(self) -> dict[str, str]:
        """The environment every component runs with (for running ``airflow`` commands by hand)."""
        return dict(self._env)

    # -- lifecycle --------------------------------------------------------------------------
    def airflow(self, *args: str, timeout: float = 300.0) -> subprocess.CompletedProcess:
        """Run one ``airflow`` CLI command to completion; raise with its output on failure."""
        result = subprocess.run(
            [str(self.config.airflow_bin), *args],
            env=self._env,
            cwd=self.config.home,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
        if result.returncode != 0:
            raise RuntimeError(
                f"airflow {' '.join(args)} failed ({result.returncode}):\n{result.stderr[-4000:]}"
            )
        return result

    def migrate(self) -> None:
        self.airflow("db", "migrate")

    def spawn(self, name: str, *args: str) -> Component:
        log_path = self.config.home / "logs" / f"{name}.log"
        log = open(log_path, "ab")  # noqa: SIM115 - the child owns it for its lifetime
        process = subprocess.Popen(
            [str(self.config.airflow_bin), *args],
            env=self._env,
            cwd=self.config.home,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: stop() reaches the children it forks
        )
        log.close()
        component = Component(name, process, log_path)
        self.components.append(component)
        return component

    def start(self, components: Iterable[str] = DEFAULT_COMPONENTS, *, timeout: float = 120.0) -> None:
        for name in components:
            args = (name, "--port", str(self.config.api_port)) if name == "api-server" else (name,)
            self.spawn(name, *args)
        if "api-server" in components:
            self.wait_api(timeout=timeout)

    def start_worker(
        self, name: str, *, queues: Iterable[str] = ("default",), concurrency: int = 2
    ) -> Component:
        """An ``airflow celery worker`` with a stable Celery hostname ``name@<host>``."""
        return self.spawn(
            f"worker-{name}",
            "celery",
            "worker",
            "--celery-hostname",
            f"{name}@%h",
            "--queues",
            ",".join(queues),
            "--concurrency",
            str(concurrency),
            "--without-mingle",
            "--without-gossip",
        )

    def wait_api(self, *, timeout: float = 120.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for component in self.components:
                if not component.alive():
                    raise RuntimeError(f"{component.name} exited early:\n{component.log_tail()}")
            try:
                if httpx.get(f"{self.config.api_url}/api/v2/monitor/health", timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"api-server on {self.config.api_url} not healthy after {timeout:.0f}s")

    def client(self) -> AirflowClient:
        return AirflowClient(self.config.api_url, self.config.admin_user, self.config.admin_password)

    def stop_component(
        self, component: Component, *, sig: int = signal.SIGTERM, timeout: float = 30.0
    ) -> None:
        """Stop one component and every process it started; SIGKILL whatever outlives *timeout*.

        Airflow's task runner puts the task process in a session of its own, so signalling the
        component's process group does not reach it: the descendants are collected first and killed
        after the group, as when the component's machine dies.
        """
        try:
            descendants = psutil.Process(component.process.pid).children(recursive=True)
        except psutil.NoSuchProcess:
            descendants = []
        if component.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(component.process.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            component.process.wait(timeout=timeout)
        # Whatever outlived *sig* (or never got it: the task process sits in a session of its own).
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(component.process.pid, signal.SIGKILL)
        component.process.wait(timeout=10)
        _kill(descendants)

    def stop(self) -> None:
        # Reverse order: workers and scheduler before the api-server they report to.
        for component in reversed(self.components):
            self.stop_component(component)
        self.components.clear()
        # Orphans no component's tree still holds: a pool worker of a task whose task process was
        # killed (its parent is init now) runs on, blocked, in the stack's home. Nothing of a
        # stopped stack may outlive it.
        _kill(processes_in(self.config.home))

    def __enter__(self) -> AirflowStack:
        try:
            self.migrate()
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def processes_in(folder: Path) -> list[psutil.Process]:
    """Airflow processes other than this one whose working directory is *folder* or inside it.

    Every component starts in the stack's home and what it forks inherits that. Only Python
    processes with "airflow" in their command line count (Airflow's task processes retitle
    themselves ``airflow worker -- …``): someone's shell or pager open in the home is left alone.
    """
    folder = Path(folder).resolve()
    found = []
    for process in psutil.process_iter():
        if process.pid == os.getpid():
            continue
        try:
            cwd = Path(process.cwd())
            if not (cwd == folder or folder in cwd.parents):
                continue
            if Path(process.exe()).name.startswith("python") and "airflow" in " ".join(process.cmdline()):
                found.append(process)
        except (psutil.Error, OSError):  # gone, a kernel thread, or not ours to inspect
            continue
    return found


def _kill(processes: list[psutil.Process]) -> None:
    """SIGKILL *processes* that still run (psutil checks each is the same process, not a reused pid)."""
    for process in processes:
        try:
            process.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(processes, timeout=10)
