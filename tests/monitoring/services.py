"""Real Prometheus and Alertmanager processes for tests: free ports, tmp dirs, always stopped."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx

from local_airflow import free_port
from tests.monitoring.conftest import binary


def wait_until(check, timeout: float, what: str, interval: float = 0.5):
    """Poll ``check`` until it returns something truthy; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except (httpx.HTTPError, OSError, ValueError, KeyError) as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{what} not reached within {timeout:.0f}s (last error: {last_error})")


@contextmanager
def process(
    args: list[str], log_path: Path, ready_url: str, timeout: float = 60
) -> Iterator[subprocess.Popen]:
    """Start ``args``, wait for ``ready_url`` to answer 200, stop the process on exit whatever happens."""
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT)
    try:

        def ready() -> bool:
            if proc.poll() is not None:
                raise RuntimeError(f"{args[0]} exited {proc.returncode}:\n{log_path.read_text()[-3000:]}")
            return httpx.get(ready_url, timeout=2).status_code == 200

        wait_until(ready, timeout, f"{Path(args[0]).name} ready at {ready_url}")
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


@contextmanager
def prometheus(
    config: Path, workdir: Path, extra_args: tuple[str, ...] = (), data: Path | None = None
) -> Iterator[str]:
    """A real Prometheus on ``config`` (data in ``data`` or a new dir of ``workdir``); yields its base URL."""
    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    data = data or workdir / f"prometheus-data-{port}"
    data.mkdir(parents=True, exist_ok=True)
    args = [
        binary("prometheus"),
        f"--config.file={config}",
        f"--storage.tsdb.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--web.enable-lifecycle",
        *extra_args,
    ]
    url = f"http://127.0.0.1:{port}"
    with process(args, workdir / f"prometheus-{port}.log", f"{url}/-/ready"):
        yield url


@contextmanager
def alertmanager(config: Path, workdir: Path) -> Iterator[str]:
    """A real Alertmanager on ``config`` with clustering off; yields its base URL."""
    port = free_port()
    data = workdir / f"alertmanager-data-{port}"
    data.mkdir(parents=True, exist_ok=True)
    args = [
        binary("alertmanager"),
        f"--config.file={config}",
        f"--storage.path={data}",
        f"--web.listen-address=127.0.0.1:{port}",
        "--cluster.listen-address=",
    ]
    url = f"http://127.0.0.1:{port}"
    with process(args, workdir / f"alertmanager-{port}.log", f"{url}/-/ready"):
        yield url


class WebhookSink:
    """An HTTP server that records the JSON bodies Alertmanager posts to it."""

    def __init__(self) -> None:
        self.payloads: list[dict] = []
        self._lock = threading.Lock()
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with sink._lock:
                    sink.payloads.append({"path": self.path, **json.loads(body)})
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> WebhookSink:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def firing(self) -> dict[str, list[dict]]:
        """Firing alerts received so far, by alertname."""
        with self._lock:
            out: dict[str, list[dict]] = {}
            for payload in self.payloads:
                for alert in payload["alerts"]:
                    if alert["status"] == "firing":
                        out.setdefault(alert["labels"]["alertname"], []).append(alert)
            return out


class MetricsEndpoint:
    """A /metrics endpoint whose exposition text the test sets, for Prometheus to scrape."""

    def __init__(self, text: str = "") -> None:
        self.text = text
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802
                body = endpoint.text.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> MetricsEndpoint:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def render_alertmanager_config(template: Path, awk_script: Path, env: dict[str, str], out: Path) -> Path:
    """Render the template with the same awk program the compose service runs."""
    result = subprocess.run(
        ["awk", "-f", str(awk_script), str(template)],
        capture_output=True,
        text=True,
        env={"PATH": os.environ.get("PATH", "/usr/bin:/bin"), **env},
        timeout=30,
    )
    if result.returncode != 0:
        raise RuntimeError(f"render-config.awk failed: {result.stderr}")
    out.write_text(result.stdout)
    return out


class UdpCapture:
    """Records every UDP datagram sent to a local port, with its arrival time (what statsd-exporter reads)."""

    def __init__(self) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.packets: list[tuple[float, bytes]] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._receive, daemon=True)

    def _receive(self) -> None:
        while not self._stop.is_set():
            try:
                data = self.sock.recv(65535)
            except TimeoutError:
                continue
            except OSError:
                return
            self.packets.append((time.time(), data))

    def __enter__(self) -> UdpCapture:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self.sock.close()

    def __exit__(self, *exc) -> None:
        if not self._stop.is_set():
            self.stop()


@contextmanager
def redis_server(workdir: Path, replica_of: str | None = None) -> Iterator[str]:
    """A redis-server of the test's own on a free port (a replica of ``host:port`` if given); yields its URL."""
    port = free_port()
    data = workdir / f"redis-{port}"
    data.mkdir(parents=True, exist_ok=True)
    replication = ["--replicaof", *replica_of.split(":")] if replica_of else []
    proc = subprocess.Popen(
        [
            binary("redis-server"),
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(data),
            *replication,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:

        def ping() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as conn:
                conn.sendall(b"PING\r\n")
                return conn.recv(16).startswith(b"+PONG")

        wait_until(ping, 15, "redis-server")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)
