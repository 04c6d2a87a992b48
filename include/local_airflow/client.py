"""A small authenticated client for Airflow 3's public REST API (``/api/v2``).

It speaks to the SimpleAuthManager the embedded stack uses (``POST /auth/token``) and to any
deployment that issues JWTs the same way. Every wait is bounded by a timeout.
"""

from __future__ import annotations

import time
from typing import Any

import httpx

TERMINAL_RUN_STATES = frozenset({"success", "failed"})


class DagRunFailed(RuntimeError):
    """A DAG run ended in a state other than the one waited for."""


class AirflowClient:
    def __init__(self, base_url: str, username: str, password: str, *, timeout: float = 30.0) -> None:
        self.base_url = base_url.rstrip("/")
        self._username = username
        self._password = password
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout)
        self._token: str | None = None

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> AirflowClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- plumbing ---------------------------------------------------------------------------
    def _login(self) -> str:
        response = self._http.post(
            "/auth/token", json={"username": self._username, "password": self._password}
        )
        response.raise_for_status()
        return response.json()["access_token"]

    def token(self) -> str:
        """A JWT for this user: ``Authorization: Bearer`` header, or the UI's ``_token`` cookie."""
        if self._token is None:
            self._token = self._login()
        return self._token

    def request(self, method: str, path: str, **kwargs: Any) -> Any:
        """Call ``/api/v2`` + *path*; logs in on first use and again when the token expires."""
        for attempt in (1, 2):
            if self._token is None:
                self._token = self._login()
            response = self._http.request(
                method, f"/api/v2{path}", headers={"Authorization": f"Bearer {self._token}"}, **kwargs
            )
            if response.status_code == 401 and attempt == 1:
                self._token = None
                continue
            response.raise_for_status()
            return response.json() if response.content else None
        raise AssertionError("unreachable")

    # -- what callers need ------------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        response = self._http.get("/api/v2/monitor/health")
        response.raise_for_status()
        return response.json()

    def wait_for_dag(self, dag_id: str, *, timeout: float = 120.0) -> dict[str, Any]:
        """Wait until the dag-processor has serialized *dag_id* (it is then triggerable)."""
        deadline = time.monotonic() + timeout
        last_error = ""
        while time.monotonic() < deadline:
            try:
                return self.request("GET", f"/dags/{dag_id}")
            except httpx.HTTPStatusError as exc:
                last_error = f"{exc.response.status_code} {exc.response.text[:200]}"
            except httpx.TransportError as exc:
                last_error = repr(exc)
            time.sleep(1.0)
        errors = self.import_errors()
        raise TimeoutError(
            f"DAG {dag_id!r} did not appear within {timeout:.0f}s ({last_error}); import errors: {errors}"
        )

    def import_errors(self) -> list[dict[str, Any]]:
        return self.request("GET", "/importErrors").get("import_errors", [])

    def unpause(self, dag_id: str) -> None:
        self.request("PATCH", f"/dags/{dag_id}", json={"is_paused": False})

    def trigger(
        self, dag_id: str, *, conf: dict[str, Any] | None = None, note: str | None = None
    ) -> dict[str, Any]:
        body: dict[str, Any] = {"logical_date": None, "conf": conf or {}}
        if note:
            body["note"] = note
        return self.request("POST", f"/dags/{dag_id}/dagRuns", json=body)

    def dag_run(self, dag_id: str, run_id: str) -> dict[str, Any]:
        return self.request("GET", f"/dags/{dag_id}/dagRuns/{run_id}")

    def task_instances(self, dag_id: str, run_id: str) -> list[dict[str, Any]]:
        return self.request("GET", f"/dags/{dag_id}/dagRuns/{run_id}/taskInstances", params={"limit": 1000})[
            "task_instances"
        ]

    def wait_for_run(
        self, dag_id: str, run_id: str, *, timeout: float = 600.0, expect: str | None = "success"
    ) -> dict[str, Any]:
        """Poll until the run is finished; raise DagRunFailed if it ended otherwise than *expect*."""
        deadline = time.monotonic() + timeout
        while True:
            run = self.dag_run(dag_id, run_id)
            if run["state"] in TERMINAL_RUN_STATES:
                break
            if time.monotonic() > deadline:
                raise TimeoutError(f"{dag_id} run {run_id} still {run['state']} after {timeout:.0f}s")
            time.sleep(1.0)
        if expect is not None and run["state"] != expect:
            failed = [
                f"{ti['task_id']}={ti['state']}"
                for ti in self.task_instances(dag_id, run_id)
                if ti["state"] != "success"
            ]
            raise DagRunFailed(f"{dag_id} run {run_id} ended {run['state']}: {', '.join(failed)}")
        return run
