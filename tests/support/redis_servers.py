"""Real redis-server processes for tests: a single node, a primary with a replica, a 6-node cluster.

Every server runs on a free port of 127.0.0.1 in its own directory under a temporary folder,
persists nothing, and is stopped (then killed if it lingers) when the context exits, even after
a failure. No password is set: the servers listen on loopback only and live for one test.
"""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import redis


def _port_free(port: int) -> bool:
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def free_port(*, with_bus: bool = False) -> int:
    """A free port; with_bus also needs port + 10000 free (the Redis Cluster bus)."""
    for _ in range(200):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        if not with_bus or (port + 10000 < 65536 and _port_free(port + 10000)):
            return port
    raise RuntimeError("no free port (with cluster bus port) found")


@dataclass
class RedisServer:
    port: int
    workdir: Path
    args: list[str]
    process: subprocess.Popen | None = None
    log_path: Path = field(init=False)

    def __post_init__(self) -> None:
        self.log_path = self.workdir / "redis.log"

    @property
    def name(self) -> str:
        return f"127.0.0.1:{self.port}"

    def client(self, **kwargs) -> redis.Redis:
        kwargs.setdefault("protocol", 2)  # no HELLO: command counts in tests stay exact
        return redis.Redis(
            host="127.0.0.1", port=self.port, decode_responses=True, socket_timeout=5, **kwargs
        )

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not installed: `make test-deps` installs it")
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.process = subprocess.Popen(
            [
                binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.workdir),
                "--save",
                "",
                "--appendonly",
                "no",
                "--logfile",
                str(self.log_path),
                *self.args,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        probe = self.client()
        try:
            while True:
                try:
                    probe.ping()
                    return
                except redis.ConnectionError:
                    if self.process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"redis-server on {self.port} did not start: {self.log_tail()}"
                        ) from None
                    time.sleep(0.05)
        finally:
            probe.close()

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(sig)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def pause(self) -> None:
        """SIGSTOP: the process stays, answers nothing (a real stall, e.g. a swapping host)."""
        assert self.process is not None
        self.process.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGCONT)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def log_tail(self, lines: int = 20) -> str:
        with contextlib.suppress(OSError):
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        return ""


@contextlib.contextmanager
def _servers(servers: list[RedisServer]) -> Iterator[list[RedisServer]]:
    try:
        for server in servers:
            server.start()
        yield servers
    finally:
        for server in servers:
            if server.process is not None and server.process.poll() is None:
                server.resume()  # a paused server ignores SIGTERM until continued
            server.stop()


@contextlib.contextmanager
def single_node(tmp: Path) -> Iterator[RedisServer]:
    port = free_port()
    with _servers([RedisServer(port, tmp / f"single-{port}", [])]) as (server,):
        yield server


@contextlib.contextmanager
def primary_with_replica(tmp: Path) -> Iterator[tuple[RedisServer, RedisServer]]:
    primary_port, replica_port = free_port(), free_port()
    primary = RedisServer(primary_port, tmp / f"primary-{primary_port}", [])
    replica = RedisServer(
        replica_port, tmp / f"replica-{replica_port}", ["--replicaof", "127.0.0.1", str(primary_port)]
    )
    with _servers([primary, replica]):
        wait_until(
            lambda: replica.client().info("replication").get("master_link_status") == "up",
            20,
            "replica never synced",
        )
        wait_until(
            lambda: primary.client().info("replication").get("connected_slaves", 0) >= 1,
            20,
            "primary never listed its replica",
        )
        yield primary, replica


@contextlib.contextmanager
def cluster(
    tmp: Path, *, primaries: int = 3, replicas: int = 1, node_timeout_ms: int = 1000
) -> Iterator[list[RedisServer]]:
    """By default six nodes, three primaries with one replica each; all 16384 slots assigned."""
    ports: list[int] = []
    while len(ports) < primaries * (1 + replicas):
        port = free_port(with_bus=True)
        if port not in ports:
            ports.append(port)
    args = [
        "--cluster-enabled",
        "yes",
        "--cluster-node-timeout",
        str(node_timeout_ms),
        "--cluster-config-file",
        "nodes.conf",
    ]
    servers = [RedisServer(p, tmp / f"cluster-{p}", list(args)) for p in ports]
    with _servers(servers):
        subprocess.run(
            [
                shutil.which("redis-cli") or "redis-cli",
                "--cluster",
                "create",
                *(s.name for s in servers),
                "--cluster-replicas",
                str(replicas),
                "--cluster-yes",
            ],
            check=True,
            capture_output=True,
            timeout=60,
        )
        wait_until(lambda: all(_cluster_ok(s) for s in servers), 30, "cluster never reached state ok")
        wait_until(lambda: all(_replicas_synced(s) for s in servers), 30, "replicas never synced")
        yield servers


def _cluster_ok(server: RedisServer) -> bool:
    client = server.client()
    try:
        reply = client.execute_command("CLUSTER INFO")
        return (
            reply.get("cluster_state") if isinstance(reply, dict) else "cluster_state:ok" in reply and "ok"
        ) == "ok"
    finally:
        client.close()


def _replicas_synced(server: RedisServer) -> bool:
    info = server.client().info("replication")
    return info["role"] == "master" or info.get("master_link_status") == "up"


def wait_until(predicate, timeout: float, message: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last_error: Exception | None = None
    while time.monotonic() < deadline:
        try:
            value = predicate()
            if value:
                return value
        except redis.RedisError as exc:
            last_error = exc
        time.sleep(interval)
    raise TimeoutError(f"{message} within {timeout:.0f}s (last error: {last_error})")
