"""Parsing what Redis and Celery answer, from replies recorded on Redis 7.0 and Celery 5.6."""

from __future__ import annotations

import json

from cluster_health.celery_workers import running_task_instance, worker_host
from cluster_health.redis_nodes import parse_cluster_nodes, parse_cluster_shards, parse_info_replicas

SHARDS = [
    [
        "slots",
        [0, 5460],
        "nodes",
        [
            [
                "id",
                "a" * 40,
                "port",
                7000,
                "ip",
                "10.0.0.1",
                "endpoint",
                "10.0.0.1",
                "role",
                "master",
                "replication-offset",
                98,
                "health",
                "online",
            ],
            [
                "id",
                "b" * 40,
                "port",
                7003,
                "ip",
                "10.0.0.4",
                "endpoint",
                "10.0.0.4",
                "role",
                "replica",
                "replication-offset",
                98,
                "health",
                "fail",
            ],
        ],
    ],
    [
        "slots",
        [5461, 10922],
        "nodes",
        [
            [
                "id",
                "c" * 40,
                "port",
                7001,
                "ip",
                "10.0.0.2",
                "endpoint",
                "10.0.0.2",
                "role",
                "master",
                "replication-offset",
                98,
                "health",
                "online",
            ],
        ],
    ],
]

NODES = """\
07c37dfeb235213a872192d90877d0cd55635b91 127.0.0.1:30004@31004 slave e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 0 1426238317239 4 connected
67ed2db8d677e59ec4a4cefb06858cf2a1a89fa1 127.0.0.1:30002@31002 master - 0 1426238316232 2 connected 5461-10922
292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 127.0.0.1:30003@31003 master,fail - 0 1426238318243 3 disconnected 10923-16383
e7d1eecce10fd6bb5eb35b9f99a514335d9ba9ca 127.0.0.1:30001@31001 myself,master - 0 0 1 connected 0-5460
6ec23923021cf3ffec47632106199cb7f496ce01 :0@0 noaddr,slave 292f8b365bb7edb5e285caf0b7e6ddc7265d2f4f 0 1 5 disconnected
"""


def test_cluster_shards_lists_every_node_with_its_role_even_failed_ones():
    assert parse_cluster_shards(SHARDS) == {
        "10.0.0.1:7000": "primary",
        "10.0.0.4:7003": "replica",
        "10.0.0.2:7001": "primary",
    }


def test_cluster_shards_in_resp3_map_form():
    resp3 = [{"slots": [0, 16383], "nodes": [{"ip": "h", "port": 1, "role": "master"}]}]
    assert parse_cluster_shards(resp3) == {"h:1": "primary"}


def test_cluster_nodes_text_skips_nodes_without_address():
    assert parse_cluster_nodes(NODES) == {
        "127.0.0.1:30004": "replica",
        "127.0.0.1:30002": "primary",
        "127.0.0.1:30003": "primary",
        "127.0.0.1:30001": "primary",
    }


def test_info_replicas_in_parsed_and_raw_form():
    info = {
        "role": "master",
        "slave0": {"ip": "10.0.0.4", "port": 7003, "state": "online", "offset": 90, "lag": 1},
        "slave1": "ip=10.0.0.5,port=7004,state=online,offset=80,lag=0",
        "slave_read_only": 1,
    }
    assert parse_info_replicas(info) == {
        "10.0.0.4:7003": {"offset": 90, "lag": 1},
        "10.0.0.5:7004": {"offset": 80, "lag": 0},
    }


def test_active_request_names_the_task_instance_it_runs():
    workload = {
        "ti": {
            "id": "0192",
            "dag_id": "d",
            "task_id": "t",
            "run_id": "manual__1",
            "map_index": -1,
            "try_number": 2,
            "pool_slots": 1,
        },
        "type": "ExecuteTask",
    }
    request = {"id": "celery-id", "name": "execute_workload", "args": [json.dumps(workload)]}
    assert running_task_instance(request) == {
        "dag_id": "d",
        "task_id": "t",
        "run_id": "manual__1",
        "map_index": -1,
        "try_number": 2,
    }
    assert running_task_instance({"args": ["not json"]}) is None
    assert running_task_instance({"args": []}) is None


def test_worker_host_is_the_short_lowercase_host_of_the_node_name():
    assert worker_host("celery@Worker-1.example.com") == "worker-1"
    assert worker_host("w1@box") == "box"
