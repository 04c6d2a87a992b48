"""The cluster_health plugin: a FastAPI app on the api-server that serves ``/cluster-health/metrics``.

The app reads the snapshot the ``cluster_health`` DAG keeps on the Celery broker (one GET per
scrape, 0.5 s timeout) and renders it with :class:`cluster_health.collector.SnapshotCollector`;
it never contacts the monitored Redis nodes, the workers or the metadata DB itself.

Settings (airflow.cfg ``[cluster_health]`` or ``AIRFLOW__CLUSTER_HEALTH__*``):
``snapshot_key`` (default ``cluster_health:snapshot``), ``stale_after_seconds`` (default 180).
"""

from __future__ import annotations

import json
import threading
import time
from typing import Any

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin
from fastapi import FastAPI, Response
from fastapi.responses import JSONResponse
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, generate_latest

from cluster_health.collector import SnapshotCollector


class _SnapshotReader:
    """Lazily opened broker client, shared by requests; reopened after errors."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._client = None

    def _get(self):
        with self._lock:
            if self._client is None:
                from cluster_health_hook import broker_client

                self._client = broker_client(timeout=0.5)
            return self._client

    def load(self) -> dict[str, Any] | None:
        from cluster_health_hook import snapshot_key

        try:
            raw = self._get().get(snapshot_key())
        except Exception:
            self.close()  # a fresh connection next time
            raise
        return json.loads(raw) if raw else None

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None


def create_app() -> FastAPI:
    reader = _SnapshotReader()
    stale_after = conf.getfloat("cluster_health", "stale_after_seconds", fallback=180.0)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(reader.load, stale_after_seconds=stale_after))
    app = FastAPI(title="Cluster health", description=__doc__)

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), media_type=CONTENT_TYPE_LATEST)

    @app.get("/snapshot")
    def snapshot() -> JSONResponse:
        """The raw snapshot with its age, for humans and debugging."""
        try:
            snap = reader.load()
        except Exception as exc:
            return JSONResponse({"error": f"{type(exc).__name__}: {exc}"}, status_code=503)
        if not snap:
            return JSONResponse({"error": "no snapshot yet"}, status_code=404)
        age = time.time() - snap["collected_at"]
        return JSONResponse({"age_seconds": age, "stale": age > stale_after, "snapshot": snap})

    app.state.reader = reader
    return app


class ClusterHealthPlugin(AirflowPlugin):
    name = "cluster_health"
    fastapi_apps = [{"app": create_app(), "url_prefix": "/cluster-health", "name": "Cluster health metrics"}]
