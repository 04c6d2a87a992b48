"""The broker sensor and its trigger against a real redis-server that is down, then comes up."""

from __future__ import annotations

import asyncio
import importlib
import json

import pytest
from cluster_health_sensors import RedisAnswersSensor, RedisAnswersTrigger

from tests.support.redis_servers import RedisServer, free_port, single_node

pytestmark = pytest.mark.integration


async def first_event(trigger: RedisAnswersTrigger):
    """What the triggerer does: take the first event, then close the generator (its finally runs)."""
    events = trigger.run()
    try:
        return await anext(events)
    finally:
        await events.aclose()


def import_string(classpath: str):
    module, _, name = classpath.rpartition(".")
    return getattr(importlib.import_module(module), name)


@pytest.fixture
def conn_on_port(monkeypatch):
    def define(port: int) -> str:
        monkeypatch.setenv(
            "AIRFLOW_CONN_PROBE_REDIS", json.dumps({"conn_type": "redis", "host": "127.0.0.1", "port": port})
        )
        return "probe_redis"

    return define


def test_trigger_serialize_round_trips():
    trigger = RedisAnswersTrigger(redis_conn_id="probe_redis", poll_interval=2.5, timeout=30)
    classpath, kwargs = trigger.serialize()
    # By name, not identity: Airflow's plugin manager loads plugins/ files again under their module
    # names when some earlier test in this process made it load plugins, replacing sys.modules'.
    rebuilt = import_string(classpath)
    assert f"{rebuilt.__module__}.{rebuilt.__qualname__}" == classpath
    assert rebuilt.__name__ == RedisAnswersTrigger.__name__
    assert rebuilt(**kwargs).serialize() == (classpath, kwargs)
    assert "password" not in json.dumps(kwargs)


def test_trigger_fires_when_a_late_redis_starts_answering(tmp_path, conn_on_port):
    port = free_port()
    conn_id = conn_on_port(port)
    server = RedisServer(port, tmp_path / "late", [])

    async def scenario():
        trigger = RedisAnswersTrigger(redis_conn_id=conn_id, poll_interval=0.2, timeout=30)
        pending = asyncio.ensure_future(first_event(trigger))
        await asyncio.sleep(1.0)
        assert not pending.done(), "the trigger fired while nothing listened"
        await asyncio.to_thread(server.start)
        return await asyncio.wait_for(pending, 20)

    try:
        event = asyncio.run(scenario())
    finally:
        server.stop()
    assert event.payload == {"status": "answered"}


def test_trigger_reports_a_timeout(conn_on_port):
    conn_id = conn_on_port(free_port())
    event = asyncio.run(first_event(RedisAnswersTrigger(redis_conn_id=conn_id, poll_interval=0.2, timeout=1)))
    assert event.payload == {"status": "timeout"}


def test_sensor_pokes_the_connection(tmp_path, conn_on_port):
    with single_node(tmp_path) as server:
        sensor = RedisAnswersSensor(task_id="wait", redis_conn_id=conn_on_port(server.port))
        assert sensor.poke({}) is True
        server.stop()
        assert sensor.poke({}) is False
