"""`make run`: an embedded Airflow (SQLite + LocalExecutor) running `edt_analysis` on the sample.

Starts scheduler, dag-processor, triggerer and api-server from this repo's dags/ and plugins/,
triggers `edt_analysis` on the bundled sample configuration, waits for it, and prints the UI
address, the login and where the documentation site is. Then it keeps serving until Ctrl-C.

Environment:
  ONCE=1            exit after the run, with status 0 when it succeeded (for scripts and CI)
  EDT_SOURCE=DIR    analyse another configuration instead of the bundled sample
  EDT_UI_PORT=8080  port of the Airflow UI / API (default 8080, or a free one if it is taken)
  EDT_HOME=DIR      where the embedded Airflow keeps its state (default: var/airflow in the repo)
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "include"))

from local_airflow import AirflowStack, DagRunFailed, StackConfig, free_port  # noqa: E402

DAG_ID = "edt_analysis"


def _port() -> int:
    wanted = int(os.environ.get("EDT_UI_PORT", "8080"))
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", wanted))
            return wanted
        except OSError:
            port = free_port()
            print(f"port {wanted} is taken; using {port}", flush=True)
            return port


def _admin_password(home: Path) -> str:
    """Random on first run, then kept in the embedded home so the login stays the same."""
    path = home / ".admin_password"
    if not path.exists():
        home.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(12))
        path.chmod(0o600)
    return path.read_text().strip()


def main() -> int:
    once = os.environ.get("ONCE", "") not in ("", "0", "false", "False")
    home = Path(os.environ.get("EDT_HOME", REPO / "var" / "airflow")).resolve()
    source = Path(os.environ.get("EDT_SOURCE", REPO / "samples" / "demo-workspace")).resolve()
    artifacts = home / "artifacts"
    config = StackConfig(
        home=home,
        dags_folder=REPO / "dags",
        plugins_folder=REPO / "plugins",
        api_port=_port(),
        admin_password=_admin_password(home),
        extra_env={"EDT_ARTIFACTS_URL": f"file://{artifacts}", "EDT_DEFAULT_SOURCE": str(source)},
    )
    stack = AirflowStack(config)
    print(f"starting Airflow in {home} (SQLite, LocalExecutor) …", flush=True)
    status = 1
    try:
        stack.migrate()
        stack.start()
        with stack.client() as client:
            client.wait_for_dag(DAG_ID, timeout=180)
            client.unpause(DAG_ID)
            run = client.trigger(DAG_ID, conf={"source": str(source)}, note="make run: bundled sample")
            run_id = run["dag_run_id"]
            print(f"triggered {DAG_ID} run {run_id} on {source}", flush=True)
            try:
                client.wait_for_run(DAG_ID, run_id, timeout=1800)
                status = 0
            except DagRunFailed as exc:
                print(f"FAILED: {exc}", flush=True)
            site = None
            if status == 0:
                docs = client.request(
                    "GET",
                    f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/documentation/xcomEntries/return_value",
                )
                site = (docs.get("value") or {}).get("results", {}).get("site")
        print()
        print(
            f"Airflow UI:          {config.api_url}  (login: {config.admin_user} / {config.admin_password})"
        )
        print(f"Run:                 {config.api_url}/dags/{DAG_ID}/runs/{run_id}")
        if site:
            print(f"Documentation site:  {site}")
        print(f"Run status:          {'success' if status == 0 else 'failed'}")
        if once:
            return status
        print("\nServing until Ctrl-C …", flush=True)
        signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
        while all(component.alive() for component in stack.components):
            time.sleep(1)
        dead = [c.name for c in stack.components if not c.alive()]
        print(f"stopped: {', '.join(dead)} exited", flush=True)
        return 1
    except KeyboardInterrupt:
        print("\nstopping …", flush=True)
        return status
    finally:
        stack.stop()


if __name__ == "__main__":
    sys.exit(main())
