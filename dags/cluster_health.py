"""
### cluster_health — Redis, Celery workers and queues, every minute

Waits until the Celery broker answers (deferring to the triggerer if it does not), then collects one
snapshot of cluster and worker health and stores it on the broker, where the `cluster_health`
plugin serves it to Prometheus at `/cluster-health/metrics` (metric names: `docs/metrics.md`).

* Redis: the connection `cluster_health_redis` (extras: `deployment`, `cluster_name`, `startup_nodes`).
* Celery: `stats` and `active` broadcast through a throwaway Celery app on the broker.
* Metadata DB: the Postgres connection `cluster_health_metadata_db` (read-only use).

A worker that stops answering is `worker_up 0` at the next run (≤ 2 minutes after it died) and
stays so for `dead_worker_retention_seconds`, then its series go.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import Param, dag, task
from cluster_health_sensors import RedisAnswersSensor


@dag(
    schedule="* * * * *",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    dagrun_timeout=timedelta(minutes=2),
    default_args={
        "retries": 1,
        "retry_delay": timedelta(seconds=5),
        "execution_timeout": timedelta(seconds=50),
    },
    tags=["monitoring"],
    doc_md=__doc__,
    params={
        "redis_conn_id": Param("cluster_health_redis", type="string"),
        "metadata_db_conn_id": Param("cluster_health_metadata_db", type="string"),
        "dead_worker_retention_seconds": Param(900, type="number", minimum=60),
        "inspect_timeout_seconds": Param(0.5, type="number", minimum=0.1),
    },
)
def cluster_health():
    broker_answers = RedisAnswersSensor(
        task_id="wait_for_broker", redis_conn_id=None, deferrable=True, poke_interval=5, timeout=45
    )

    @task
    def collect(params=None) -> dict:
        from cluster_health_tasks import collect_cluster_health

        return collect_cluster_health(
            redis_conn_id=params["redis_conn_id"],
            metadata_db_conn_id=params["metadata_db_conn_id"],
            inspect_timeout=params["inspect_timeout_seconds"],
            dead_worker_retention_seconds=params["dead_worker_retention_seconds"],
        )

    broker_answers >> collect()


cluster_health()
