"""Nodes of a Redis deployment and their health, read with O(nodes) commands.

Three deployments are understood:

``single``       one node (the seed).
``replication``  a primary and its replicas; replicas are found in the primary's ``INFO replication``.
``cluster``      Redis Cluster; nodes are found with ``CLUSTER SHARDS`` (``CLUSTER NODES`` on Redis < 7).

Every node costs one round trip: a non-transactional pipeline of ``INFO`` (and ``CLUSTER INFO`` in
a cluster). Discovery costs one command on the first seed that answers. No key is ever read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)

DEPLOYMENTS = ("single", "replication", "cluster")

#: ``(host, port) -> client``; clients must use ``decode_responses=True``.
ClientFactory = Callable[[str, int], redis.Redis]


@dataclass(frozen=True)
class RedisTarget:
    """What to monitor: where to start and how the deployment is shaped."""

    cluster_name: str
    deployment: str
    seeds: tuple[tuple[str, int], ...]

    def __post_init__(self) -> None:
        if self.deployment not in DEPLOYMENTS:
            raise ValueError(f"deployment {self.deployment!r} is not one of {', '.join(DEPLOYMENTS)}")
        if not self.seeds:
            raise ValueError(f"Redis target {self.cluster_name!r} has no seed node")


@dataclass
class NodeHealth:
    node: str  # "host:port"
    role: str  # primary | replica
    up: bool = False
    memory_bytes: int | None = None
    connected_clients: int | None = None
    ops_per_sec: int | None = None
    lag_seconds: float | None = None
    lag_bytes: int | None = None
    error: str | None = None


@dataclass
class RedisHealth:
    cluster: str
    deployment: str
    nodes: list[NodeHealth] = field(default_factory=list)
    state_ok: bool = False
    slots_assigned: int | None = None
    slots_fail: int | None = None
    commands: int = 0  # commands sent to Redis in this collection


def node_name(host: str, port: int | str) -> str:
    return f"{host}:{int(port)}"


def split_node(name: str) -> tuple[str, int]:
    host, _, port = name.rpartition(":")
    return host, int(port)


def default_client_factory(
    *, username: str | None = None, password: str | None = None, timeout: float = 0.5, **ssl: Any
) -> ClientFactory:
    """Plain per-node clients with short timeouts; no handshake commands besides AUTH.

    ``factory.handshake`` is the number of commands each new connection sends before ours.
    """

    def factory(host: str, port: int) -> redis.Redis:
        return redis.Redis(
            host=host,
            port=port,
            username=username,
            password=password,
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
            decode_responses=True,
            driver_info=None,  # no CLIENT SETINFO handshake: two commands less per node
            protocol=2,  # no HELLO handshake either; RESP2 is all INFO needs
            # redis-py retries a refused connection 3 times with backoff (4 s per dead node);
            # a dead node is an answer here, not something to wait out.
            retry=Retry(NoBackoff(), 0),
            **ssl,
        )

    factory.handshake = 1 if password else 0  # type: ignore[attr-defined]
    return factory


# -- discovery ---------------------------------------------------------------------------------
def _pairs(flat: list[Any]) -> dict[str, Any]:
    """RESP2 maps arrive as flat [key, value, key, value, ...] lists."""
    if isinstance(flat, dict):
        return flat
    return {str(flat[i]): flat[i + 1] for i in range(0, len(flat) - 1, 2)}


def parse_cluster_shards(reply: list[Any]) -> dict[str, str]:
    """``CLUSTER SHARDS`` → {"host:port": role}; role is ``primary`` or ``replica``."""
    nodes: dict[str, str] = {}
    for shard in reply:
        for raw in _pairs(shard).get("nodes", []):
            entry = _pairs(raw)
            host = entry.get("ip") or entry.get("endpoint") or entry.get("hostname")
            port = entry.get("port") or entry.get("tls-port")
            if not host or not port:
                continue
            nodes[node_name(host, port)] = "primary" if entry.get("role") == "master" else "replica"
    return nodes


def parse_cluster_nodes(reply: str) -> dict[str, str]:
    """``CLUSTER NODES`` text → {"host:port": role} (for Redis 6, which has no CLUSTER SHARDS)."""
    nodes: dict[str, str] = {}
    for line in reply.splitlines():
        fields = line.split()
        if len(fields) < 3 or ":" not in fields[1]:
            continue
        address = fields[1].split("@", 1)[0]
        host, port = split_node(address)
        if not host or port == 0 or "noaddr" in fields[2]:
            continue
        nodes[node_name(host, port)] = "primary" if "master" in fields[2].split(",") else "replica"
    return nodes


def parse_info_replicas(info: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The ``slaveN`` entries of a primary's INFO → {"host:port": {"offset": int, "lag": int}}."""
    replicas = {}
    for key, value in info.items():
        if key.startswith("slave") and key[5:].isdigit():
            if isinstance(value, str):  # older redis-py leave it unparsed
                value = dict(part.split("=", 1) for part in value.split(","))
            replicas[node_name(value["ip"], value["port"])] = {
                "offset": int(value.get("offset", 0)),
                "lag": int(value.get("lag", 0)),
            }
    return replicas


class RedisNodeCollector:
    """Collects :class:`RedisHealth` for one :class:`RedisTarget`.

    ``known_nodes`` (from the previous snapshot) keeps a replica that left the primary's replica list
    visible as down instead of letting it vanish silently.
    """

    def __init__(self, target: RedisTarget, client_factory: ClientFactory) -> None:
        self.target = target
        self._factory = client_factory

    def collect(self, known_nodes: Iterable[tuple[str, str]] = ()) -> RedisHealth:
        health = RedisHealth(cluster=self.target.cluster_name, deployment=self.target.deployment)
        clients: dict[str, redis.Redis] = {}

        def client(name: str) -> redis.Redis:
            if name not in clients:
                clients[name] = self._factory(*split_node(name))
                health.commands += getattr(self._factory, "handshake", 0)
            return clients[name]

        try:
            topology, seed_info = self._discover(client, health)
            for name, role in known_nodes:
                topology.setdefault(name, role)
            infos = self._read_nodes(client, health, topology, seed_info)
            self._replication_lag(health, infos)
        finally:
            for c in clients.values():
                c.close()
        return health

    # One command on the first seed that answers; for single/replication that command is the
    # INFO the seed needs anyway, so it is not sent twice.
    def _discover(self, client, health: RedisHealth) -> tuple[dict[str, str], dict[str, dict]]:
        errors = []
        for host, port in self.target.seeds:
            seed = node_name(host, port)
            try:
                health.commands += 1
                if self.target.deployment == "cluster":
                    try:
                        return parse_cluster_shards(client(seed).execute_command("CLUSTER SHARDS")), {}
                    except redis.ResponseError:  # Redis < 7
                        health.commands += 1
                        return parse_cluster_nodes(client(seed).execute_command("CLUSTER NODES")), {}
                info = client(seed).info()
            except redis.RedisError as exc:
                errors.append(f"{seed}: {exc}")
                continue
            if self.target.deployment == "single":
                return {seed: _role(info)}, {seed: info}
            if _role(info) == "replica":  # the seed is a replica: its primary leads the topology
                primary = node_name(info["master_host"], info["master_port"])
                topology = {primary: "primary", seed: "replica"}
                return topology, {seed: info}
            topology = {seed: "primary"}
            topology.update(dict.fromkeys(parse_info_replicas(info), "replica"))
            return topology, {seed: info}
        raise ConnectionError("no seed node answered: " + "; ".join(errors))

    def _read_nodes(self, client, health, topology, seed_info) -> dict[str, dict]:
        infos: dict[str, dict] = dict(seed_info)
        states = []
        for name in sorted(topology):
            node = NodeHealth(node=name, role=topology[name])
            health.nodes.append(node)
            try:
                if name in infos:
                    info = infos[name]
                else:
                    pipe = client(name).pipeline(transaction=False)
                    pipe.info()
                    if self.target.deployment == "cluster":
                        pipe.execute_command("CLUSTER INFO")
                    health.commands += len(pipe.command_stack)
                    replies = pipe.execute()
                    info = replies[0]
                    infos[name] = info
                    if self.target.deployment == "cluster":
                        states.append(_parse_cluster_info(replies[1]))
            except redis.RedisError as exc:
                node.error = str(exc) or type(exc).__name__
                infos.pop(name, None)
                continue
            node.up = True
            node.role = _role(info)  # the node's own word wins over a stale topology
            node.memory_bytes = int(info.get("used_memory", 0))
            node.connected_clients = int(info.get("connected_clients", 0))
            node.ops_per_sec = int(info.get("instantaneous_ops_per_sec", 0))
        if self.target.deployment == "cluster":
            health.state_ok = bool(states) and all(s.get("cluster_state") == "ok" for s in states)
            if states:
                # The worst view among reachable nodes: a partitioned minority must not hide a failure.
                health.slots_assigned = min(int(s.get("cluster_slots_assigned", 0)) for s in states)
                health.slots_fail = max(int(s.get("cluster_slots_fail", 0)) for s in states)
        else:
            health.state_ok = any(n.up and n.role == "primary" for n in health.nodes)
        return infos

    @staticmethod
    def _replication_lag(health: RedisHealth, infos: dict[str, dict]) -> None:
        acked: dict[str, tuple[int, int, int]] = {}  # replica -> (primary offset, replica offset, lag s)
        for info in infos.values():
            if _role(info) != "primary":
                continue
            for replica, entry in parse_info_replicas(info).items():
                acked[replica] = (int(info.get("master_repl_offset", 0)), entry["offset"], entry["lag"])
        for node in health.nodes:
            if node.role != "replica":
                continue
            info = infos.get(node.node, {})
            if node.node in acked:
                primary_offset, replica_offset, lag = acked[node.node]
                node.lag_bytes = max(0, primary_offset - replica_offset)
                node.lag_seconds = float(lag)
            if info.get("master_link_status") == "down":
                node.lag_seconds = float(info.get("master_link_down_since_seconds", -1))
                if node.lag_seconds < 0:  # never synced
                    node.lag_seconds = None


def _role(info: dict[str, Any]) -> str:
    return "primary" if info.get("role") == "master" else "replica"


def _parse_cluster_info(reply: str | dict) -> dict[str, str]:
    if isinstance(reply, dict):  # redis-py parses CLUSTER INFO itself
        return {k: str(v) for k, v in reply.items()}
    return dict(line.split(":", 1) for line in reply.strip().splitlines() if ":" in line)
