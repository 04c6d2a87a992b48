"""Celery workers and queues as seen on the broker, through a throwaway Celery app.

The executor's own Celery app is never used: inspecting with it from inside a worker can leave
that worker's prefetched tasks stranded. A private app on the same broker URL only publishes two
broadcasts (``stats``, ``active``) and reads the replies, whatever the number of workers.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import redis
from celery import Celery

log = logging.getLogger(__name__)

#: kombu's Redis transport keeps priorities 3, 6 and 9 in sub-lists "<queue>\x06\x16<priority>".
PRIORITY_SEP = "\x06\x16"
PRIORITY_STEPS = (0, 3, 6, 9)


@dataclass
class WorkerReply:
    name: str  # Celery node name, e.g. "celery@host"
    processed: int = 0
    uptime_seconds: float = 0.0
    #: Peak resident memory of the worker's main process (Celery `stats` → `rusage.maxrss`, KiB on Linux).
    max_rss_bytes: int = 0
    active: list[dict[str, Any]] = field(default_factory=list)  # task instance keys running now

    @property
    def host(self) -> str:
        return worker_host(self.name)


def worker_host(node_name: str) -> str:
    """The short host of a Celery node name ``name@host.domain`` (how Airflow's hostname compares)."""
    return node_name.rpartition("@")[2].split(".", 1)[0].lower()


def running_task_instance(request: dict[str, Any]) -> dict[str, Any] | None:
    """The Airflow task instance an ``active`` entry executes, from the workload in its args."""
    args = request.get("args") or []
    if not args or not isinstance(args[0], str):
        return None
    try:
        ti = json.loads(args[0]).get("ti") or {}
    except (ValueError, AttributeError):
        return None
    keys = ("dag_id", "task_id", "run_id", "map_index", "try_number")
    if not all(k in ti for k in keys):
        return None
    return {k: ti[k] for k in keys}


class CeleryInspector:
    """``inspect()`` over a private Celery app; ``close()`` releases its broker connections."""

    def __init__(self, broker_url: str, *, timeout: float = 0.5) -> None:
        self.timeout = timeout
        self.app = Celery("cluster_health_inspector", broker=broker_url, set_as_current=False)
        self.app.conf.broker_connection_retry_on_startup = False
        self.app.conf.broker_connection_max_retries = 0
        # kombu reads replies with BRPOP of `polling_interval` (default 1 s); one left pending when a
        # broadcast times out delays the next broadcast's replies by up to that second.
        self.app.conf.broker_transport_options = {"polling_interval": 0.05}

    def close(self) -> None:
        self.app.close()

    def workers(self, expected: Iterable[str] = (), *, confirm_attempts: int = 2) -> list[WorkerReply]:
        """Every worker that answers ``stats`` within the timeout, with its active tasks.

        ``stats`` waits the full timeout (a new worker must be able to show up). A worker in
        *expected* (up at the last collection) that did not answer is asked again, alone, up to
        *confirm_attempts* times with four times the timeout before it is left out: a busy host or
        a lost broadcast (Redis pub/sub does not queue) must not count as a death. This costs time
        only in the cycle where a worker is missing.
        """
        stats = self.app.control.inspect(timeout=self.timeout).stats() or {}
        missing = sorted(set(expected) - set(stats))
        for _ in range(confirm_attempts if missing else 0):
            again = (
                self.app.control.inspect(
                    timeout=4 * self.timeout, destination=missing, limit=len(missing)
                ).stats()
                or {}
            )
            if again:
                log.warning("worker(s) %s answered only a repeated stats request", ", ".join(sorted(again)))
            stats.update(again)
            missing = sorted(set(missing) - set(again))
            if not missing:
                break
        if not stats:
            return []
        # No ``destination``: with one, kombu waits out the timeout; ``limit`` alone returns as soon
        # as that many workers answered.
        active = self.app.control.inspect(timeout=self.timeout, limit=len(stats)).active() or {}
        replies = []
        for name, data in sorted(stats.items()):
            total = data.get("total") or {}
            running = [ti for ti in map(running_task_instance, active.get(name) or []) if ti is not None]
            replies.append(
                WorkerReply(
                    name=name,
                    processed=int(sum(total.values())),
                    uptime_seconds=float(data.get("uptime", 0)),
                    max_rss_bytes=int((data.get("rusage") or {}).get("maxrss") or 0) * 1024,
                    active=running if name in active else None,
                )
            )
            if name not in active:
                log.warning("worker %s answered stats but not active within %.1fs", name, self.timeout)
        return replies


def declared_queues(broker: redis.Redis) -> tuple[set[str], int]:
    """Queues with a binding on the broker, and the commands it took.

    kombu keeps one set ``_kombu.binding.<exchange>`` per exchange (Airflow declares one direct
    exchange per queue) whose members end with the queue name. They are found with SCAN (never
    KEYS) and read with one pipelined SMEMBERS each; Celery's own control exchanges are skipped.
    """
    names, cursor, commands = [], 0, 0
    while True:
        cursor, batch = broker.scan(cursor=cursor, match="_kombu.binding.*", count=1000)
        commands += 1
        names += [n.decode() if isinstance(n, bytes) else n for n in batch]
        if int(cursor) == 0:
            break
    names = [n for n in names if "pidbox" not in n]
    if not names:
        return set(), commands
    pipe = broker.pipeline(transaction=False)
    for name in names:
        pipe.smembers(name)
    commands += len(names)
    queues = set()
    for members in pipe.execute():
        for entry in members:
            entry = entry.decode() if isinstance(entry, bytes) else entry
            queues.add(entry.split(PRIORITY_SEP)[-1])
    return queues, commands


def queue_lengths(broker: redis.Redis, queues: Iterable[str]) -> tuple[dict[str, int], int]:
    """{queue: messages waiting} summed over priority sub-lists, in one pipeline; and its command count."""
    names = sorted(set(queues))
    pipe = broker.pipeline(transaction=False)
    for queue in names:
        for step in PRIORITY_STEPS:
            pipe.llen(queue if step == 0 else f"{queue}{PRIORITY_SEP}{step}")
    commands = len(pipe.command_stack)
    replies = pipe.execute() if commands else []
    lengths = {
        q: sum(replies[i * len(PRIORITY_STEPS) : (i + 1) * len(PRIORITY_STEPS)]) for i, q in enumerate(names)
    }
    return lengths, commands
