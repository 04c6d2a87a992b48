"""Wait until a Redis answers: a sensor that pokes once and defers to a trigger when it must wait."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Any

import redis
import redis.asyncio
from airflow.sdk import BaseSensorOperator
from airflow.triggers.base import BaseTrigger, TriggerEvent


def _client_for(redis_conn_id: str | None) -> redis.Redis:
    from cluster_health_hook import ClusterHealthRedisHook, broker_client

    if redis_conn_id is None:
        return broker_client()
    hook = ClusterHealthRedisHook(redis_conn_id)
    target = hook.redis_target()
    return hook.node_client_factory()(*target.seeds[0])


class RedisAnswersTrigger(BaseTrigger):
    """Fires once the Redis (a connection's first seed, or the Celery broker when ``redis_conn_id`` is
    None) answers PING, or with ``{"status": "timeout"}`` after *timeout* seconds.

    Only ids travel in the trigger's kwargs; the URL (and its password) is read in the triggerer.
    """

    def __init__(
        self, *, redis_conn_id: str | None, poll_interval: float = 5.0, timeout: float = 600.0
    ) -> None:
        super().__init__()
        self.redis_conn_id = redis_conn_id
        self.poll_interval = poll_interval
        self.timeout = timeout

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "redis_conn_id": self.redis_conn_id,
                "poll_interval": self.poll_interval,
                "timeout": self.timeout,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        sync_client = await asyncio.to_thread(_client_for, self.redis_conn_id)
        kwargs = sync_client.connection_pool.connection_kwargs
        sync_client.close()
        client = redis.asyncio.Redis(
            **{k: v for k, v in kwargs.items() if k in ("host", "port", "db", "username", "password", "ssl")},
            socket_timeout=2,
            socket_connect_timeout=2,
        )
        deadline = time.monotonic() + self.timeout
        try:
            while True:
                try:
                    if await client.ping():
                        yield TriggerEvent({"status": "answered"})
                        return
                except redis.RedisError as exc:
                    self.log.info("Redis does not answer yet: %s", exc)
                if time.monotonic() >= deadline:
                    yield TriggerEvent({"status": "timeout"})
                    return
                await asyncio.sleep(self.poll_interval)
        finally:
            await client.aclose()


class RedisAnswersSensor(BaseSensorOperator):
    """Succeeds when the Redis answers PING.

    :param redis_conn_id: the monitored Redis connection; None means the Celery broker of this Airflow.
    :param deferrable: when the first poke fails, wait in the triggerer instead of holding a worker slot.
    """

    template_fields = ("redis_conn_id",)

    def __init__(self, *, redis_conn_id: str | None = None, deferrable: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.redis_conn_id = redis_conn_id
        self.deferrable = deferrable

    def poke(self, context: Any) -> bool:
        client = _client_for(self.redis_conn_id)
        try:
            return bool(client.ping())
        except redis.RedisError as exc:
            self.log.info("Redis %s does not answer: %s", self.redis_conn_id or "broker", exc)
            return False
        finally:
            client.close()

    def execute(self, context: Any) -> Any:
        if not self.deferrable or self.poke(context):
            return super().execute(context) if not self.deferrable else None
        self.defer(
            trigger=RedisAnswersTrigger(
                redis_conn_id=self.redis_conn_id, poll_interval=self.poke_interval, timeout=self.timeout
            ),
            method_name="execute_complete",
        )

    def execute_complete(self, context: Any, event: dict[str, Any]) -> None:
        if event.get("status") != "answered":
            from airflow.sdk.exceptions import AirflowSensorTimeout

            raise AirflowSensorTimeout(f"Redis {self.redis_conn_id or 'broker'} did not answer: {event}")
        self.log.info("Redis %s answers", self.redis_conn_id or "broker")
