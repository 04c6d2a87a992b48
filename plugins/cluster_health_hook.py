"""Connections of the cluster health collection: the monitored Redis (a hook) and the Celery broker.

The monitored Redis is an Airflow Connection of type ``redis``; the providers' ``RedisHook`` extras
are kept (``cluster``, ``startup_nodes``, ``ssl*``) and three are added:

``deployment``    ``single`` | ``replication`` | ``cluster`` (default: ``cluster`` if ``cluster`` is
                  true, else ``single``)
``cluster_name``  value of the ``cluster`` label (default: the connection id)
``timeout``       per-node socket timeout in seconds (default 0.5)

Example: ``{"cluster": true, "cluster_name": "broker-ha", "startup_nodes": "10.0.0.2:7000,10.0.0.3:7000"}``
"""

from __future__ import annotations

from typing import Any

import redis
from airflow.providers.redis.hooks.redis import RedisHook
from redis.backoff import NoBackoff
from redis.retry import Retry

from cluster_health.redis_nodes import ClientFactory, RedisTarget, default_client_factory

SSL_EXTRAS = ("ssl", "ssl_cert_reqs", "ssl_ca_certs", "ssl_keyfile", "ssl_certfile", "ssl_check_hostname")


class ClusterHealthRedisHook(RedisHook):
    """A RedisHook that also describes the deployment behind the connection, node by node.

    :param redis_conn_id: the Airflow connection of the monitored Redis.
    """

    hook_name = "Redis (cluster health)"

    def __init__(self, redis_conn_id: str = RedisHook.default_conn_name, **kwargs: Any) -> None:
        super().__init__(redis_conn_id=redis_conn_id, **kwargs)

    def _extras(self) -> tuple[Any, dict[str, Any]]:
        conn = self.get_connection(self.redis_conn_id)
        return conn, conn.extra_dejson

    def redis_target(self) -> RedisTarget:
        conn, extra = self._extras()
        deployment = extra.get("deployment") or ("cluster" if extra.get("cluster") else "single")
        seeds = [(conn.host or "127.0.0.1", int(conn.port or 6379))]
        startup = extra.get("startup_nodes") or []
        if isinstance(startup, str):
            startup = [s.strip() for s in startup.split(",") if s.strip()]
        for node in startup:
            host, _, port = str(node).rpartition(":") if ":" in str(node) else (str(node), "", "")
            seeds.append((host, int(port or conn.port or 6379)))
        return RedisTarget(
            cluster_name=str(extra.get("cluster_name") or self.redis_conn_id),
            deployment=deployment,
            seeds=tuple(dict.fromkeys(seeds)),
        )

    def node_client_factory(self) -> ClientFactory:
        conn, extra = self._extras()
        password = None if str(conn.password).lower() in ("none", "false", "") else conn.password
        return default_client_factory(
            username=conn.login or None,
            password=password,
            timeout=float(extra.get("timeout", 0.5)),
            **{k: v for k, v in extra.items() if k in SSL_EXTRAS},
        )


def celery_broker_url() -> str:
    from airflow.configuration import conf

    return conf.get("celery", "broker_url")


def broker_client(*, timeout: float = 1.0) -> redis.Redis:
    """A plain client on the Celery broker (where the snapshot is kept and the queues are)."""
    return redis.Redis.from_url(
        celery_broker_url(),
        decode_responses=True,
        protocol=2,
        driver_info=None,
        socket_timeout=timeout,
        socket_connect_timeout=timeout,
        retry=Retry(NoBackoff(), 0),  # fail fast: a scrape must not wait out redis-py's 4 s of retries
    )


def snapshot_key() -> str:
    from airflow.configuration import conf

    return conf.get("cluster_health", "snapshot_key", fallback="cluster_health:snapshot")
