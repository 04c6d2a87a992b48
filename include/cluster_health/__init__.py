"""Cluster and worker health of a CeleryExecutor platform, as a plain library (no Airflow).

* :mod:`cluster_health.redis_nodes` — find the nodes of a Redis deployment (single node, primary with
  replicas, Redis Cluster) and read one ``INFO`` (plus ``CLUSTER INFO``) per node, pipelined.
* :mod:`cluster_health.celery_workers` — ask Celery workers ``stats``/``active`` through a throwaway
  Celery app on the broker; queue lengths including Redis priority sub-lists.
* :mod:`cluster_health.metadata_db` — failures per host, queue latency and re-run task instances
  from Airflow's metadata DB, read incrementally with cursors.
* :mod:`cluster_health.snapshot` — one collection cycle: merges the sources with the previous
  snapshot (dead-worker detection, retention, counters) into a JSON-able dict; the store.
* :mod:`cluster_health.collector` — the prometheus-client Collector that serves a snapshot.
"""
