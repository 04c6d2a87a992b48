"""Queue depth on a real Redis broker: messages Celery published with priorities, no worker consuming."""

from __future__ import annotations

import pytest
from celery import Celery

from cluster_health.celery_workers import PRIORITY_SEP, declared_queues, queue_lengths
from tests.support.redis_servers import single_node

pytestmark = pytest.mark.integration


def test_queue_length_sums_the_priority_sub_lists_of_declared_queues(tmp_path):
    with single_node(tmp_path) as broker:
        app = Celery("producer", broker=f"redis://127.0.0.1:{broker.port}/0", set_as_current=False)
        app.conf.task_create_missing_queues = True
        try:
            for priority in (None, 0, 3, 5, 9, 9):
                app.send_task("anything", queue="reports", priority=priority)
            for _ in range(2):
                app.send_task("anything", queue="default")
        finally:
            app.close()
        client = broker.client()
        sub_lists = {k for k in client.scan_iter(match="reports*") if PRIORITY_SEP in k}
        assert sub_lists, "kombu put no message in a priority sub-list; the test would prove nothing"

        queues, discovery_commands = declared_queues(client)
        assert {"reports", "default"} <= queues
        assert not any("pidbox" in q for q in queues)
        lengths, commands = queue_lengths(client, queues | {"idle"})
        assert lengths["reports"] == 6 and lengths["default"] == 2 and lengths["idle"] == 0
        assert commands == 4 * len(queues | {"idle"})  # one LLEN per priority step, one pipeline
        assert discovery_commands == 1 + len([k for k in client.scan_iter(match="_kombu.binding.*")])
