"""The local Airflow harness brings up real components that run a real DAG.

Everything here is a real process: `airflow db migrate`, api-server, scheduler, dag-processor,
triggerer, and for CeleryExecutor `airflow celery worker` on a Redis broker with a PostgreSQL
metadata database created for the test.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from local_airflow import AirflowClient, AirflowStack, DagRunFailed, StackConfig
from tests.support.postgres import temporary_database

pytestmark = [pytest.mark.integration, pytest.mark.slow]

PROBE_DAG = textwrap.dedent(
    '''
    """Two tasks and a failing one, to exercise the harness."""
    from datetime import datetime

    from airflow.sdk import dag, task


    @dag(schedule=None, start_date=datetime(2024, 1, 1), catchup=False, tags=["test"])
    def harness_probe():
        @task
        def produce():
            return 21

        @task
        def double(x, fail=False):
            if fail:
                raise ValueError("asked to fail")
            return 2 * x

        double(produce())


    harness_probe()
    '''
)


@pytest.fixture(scope="module")
def dags_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("dags")
    (folder / "harness_probe.py").write_text(PROBE_DAG)
    failing = PROBE_DAG.replace("harness_probe", "harness_failing").replace(
        "double(produce())", "double(produce(), fail=True)"
    )
    (folder / "harness_failing.py").write_text(failing)
    return folder


@pytest.fixture(scope="module")
def embedded(tmp_path_factory: pytest.TempPathFactory, dags_folder: Path) -> Iterator[AirflowStack]:
    """SQLite + LocalExecutor, as `make run` uses."""
    with AirflowStack(StackConfig(home=tmp_path_factory.mktemp("home"), dags_folder=dags_folder)) as stack:
        yield stack


def test_embedded_stack_runs_a_dag_and_serves_its_task_instances(embedded: AirflowStack) -> None:
    with embedded.client() as client:
        client.wait_for_dag("harness_probe")
        client.unpause("harness_probe")
        run = client.trigger("harness_probe")
        finished = client.wait_for_run("harness_probe", run["dag_run_id"], timeout=180)
        assert finished["state"] == "success"
        tis = {ti["task_id"]: ti for ti in client.task_instances("harness_probe", run["dag_run_id"])}
        assert set(tis) == {"produce", "double"}
        assert all(ti["state"] == "success" and ti["start_date"] and ti["end_date"] for ti in tis.values())


def test_wait_for_run_reports_the_failed_task(embedded: AirflowStack) -> None:
    with embedded.client() as client:
        client.wait_for_dag("harness_failing")
        client.unpause("harness_failing")
        run = client.trigger("harness_failing")
        with pytest.raises(DagRunFailed, match="double=failed"):
            client.wait_for_run("harness_failing", run["dag_run_id"], timeout=180)


def test_wrong_password_is_refused(embedded: AirflowStack) -> None:
    config = embedded.config
    with AirflowClient(config.api_url, config.admin_user, "not-the-password") as client:
        with pytest.raises(httpx.HTTPStatusError, match="401"):
            client.request("GET", "/dags")


def test_celery_stack_on_postgres_runs_a_dag(
    tmp_path: Path, dags_folder: Path, redis_broker_url: str
) -> None:
    with temporary_database("onec_af") as db_url:
        config = StackConfig(
            home=tmp_path / "home",
            dags_folder=dags_folder,
            db_url=db_url,
            executor="CeleryExecutor",
            broker_url=redis_broker_url,
            result_backend="db+" + db_url.replace("+psycopg2", ""),
        )
        with AirflowStack(config) as stack, stack.client() as client:
            worker = stack.start_worker("w1", concurrency=2)
            client.wait_for_dag("harness_probe")
            client.unpause("harness_probe")
            run = client.trigger("harness_probe")
            client.wait_for_run("harness_probe", run["dag_run_id"], timeout=240)
            assert worker.alive()
            hostnames = {ti["hostname"] for ti in client.task_instances("harness_probe", run["dag_run_id"])}
            assert hostnames and all(h for h in hostnames)
