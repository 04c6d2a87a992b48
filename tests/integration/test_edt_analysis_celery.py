"""edt_analysis on the CeleryExecutor, with real parts and real faults.

PostgreSQL database created for the test on the local server, a Redis broker of the test's own
(append-only, so a restart keeps its queues like a production broker), two `airflow celery worker`
processes with two slots each, scheduler, dag-processor, triggerer and api-server as processes; runs
are triggered and read through the authenticated REST API (`/api/v2`).
"""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import psutil
import pytest

from local_airflow import AirflowStack
from tests.support.chromium import chromium
from tests.support.edt_platform import edt_celery_stack
from tests.support.redis_servers import RedisServer

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]
SAMPLE = REPO / "samples" / "demo-workspace"
DAG_ID = "edt_analysis"
ANALYSES = ("architecture", "ml_dataset", "dependencies", "best_practices")


class CeleryPlatform:
    def __init__(self, stack: AirflowStack, broker: RedisServer) -> None:
        self.stack, self.broker = stack, broker
        self.client = stack.client()
        self.workers = {}

    def start_worker(self, name: str) -> None:
        self.workers[name] = self.stack.start_worker(name, queues=("default", "edt"), concurrency=2)

    def run(self, conf: dict, *, expect: str | None = "success", timeout: float = 600) -> tuple[dict, dict]:
        run = self.client.trigger(DAG_ID, conf=conf)
        finished = self.client.wait_for_run(DAG_ID, run["dag_run_id"], timeout=timeout, expect=expect)
        tis = {ti["task_id"]: ti for ti in self.client.task_instances(DAG_ID, run["dag_run_id"])}
        return finished, tis


@pytest.fixture(scope="module")
def platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CeleryPlatform]:
    with edt_celery_stack(
        tmp_path_factory.mktemp("celery-platform"),
        db_prefix="onec_edt",
        # append-only, so a restart keeps its queues like a production broker
        broker_args=["--appendonly", "yes", "--appendfsync", "always"],
        extra_env={
            # A worker that vanished is noticed in seconds, not the default five minutes.
            "AIRFLOW__SCHEDULER__TASK_INSTANCE_HEARTBEAT_TIMEOUT": "20",
            "AIRFLOW__SCHEDULER__TASK_QUEUED_TIMEOUT": "60",
        },
    ) as (stack, broker):
        platform = CeleryPlatform(stack, broker)
        platform.start_worker("w1")
        platform.start_worker("w2")
        platform.client.wait_for_dag(DAG_ID, timeout=180)
        platform.client.unpause(DAG_ID)
        yield platform
        platform.client.close()


def _interval(ti: dict) -> tuple[datetime, datetime]:
    return datetime.fromisoformat(ti["start_date"]), datetime.fromisoformat(ti["end_date"])


def test_sample_run_succeeds_with_the_four_analyses_in_parallel(platform: CeleryPlatform) -> None:
    run, tis = platform.run({"source": str(SAMPLE)})
    assert run["state"] == "success"
    assert {ti["state"] for ti in tis.values()} == {"success"}
    # Gantt chart: every task instance has its queue, host, try and start/end served by the API.
    for ti in tis.values():
        assert ti["start_date"] and ti["end_date"] and ti["hostname"] and ti["try_number"] >= 1
        assert ti["queue"] == "edt"
    intervals = [_interval(tis[name]) for name in ANALYSES]
    # The sample's analyses take a few seconds, so on a loaded machine one may end before the last
    # one starts; what the DAG guarantees is that all four are handed to the workers together.
    # Their overlap in time is asserted on the SSL run of the kill test, where they run for minutes.
    queued = [datetime.fromisoformat(tis[name]["queued_when"]) for name in ANALYSES]
    assert max(queued) < min(end for _, end in intervals), f"not queued together: {queued}"
    parse_end = _interval(tis["merge_snapshot"])[1]
    docs_start = _interval(tis["documentation"])[0]
    assert all(start >= parse_end for start, _ in intervals) and all(
        end <= docs_start for _, end in intervals
    )


def test_the_documentation_site_is_one_click_from_the_task_behind_the_login(
    platform: CeleryPlatform,
) -> None:
    run, _ = platform.run({"source": str(SAMPLE)})
    client, run_id = platform.client, run["dag_run_id"]
    links = client.request("GET", f"/dags/{DAG_ID}/dagRuns/{run_id}/taskInstances/documentation/links")
    link = links["extra_links"]["Documentation site"]
    assert link and link.startswith("/edt/runs/edt_analysis/") and link.endswith("/site/index.html"), link
    base = client.base_url

    anonymous = httpx.get(base + link, timeout=30)
    assert anonymous.status_code in (401, 403), "the customer's code must not be served without a login"
    token = client.token()
    headers = {"Authorization": f"Bearer {token}"}
    page = httpx.get(base + link, headers=headers, timeout=30)
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    escape = httpx.get(base + link.replace("site/index.html", "../../../airflow.cfg"), headers=headers)
    assert escape.status_code == 404

    with chromium() as browser:
        context = browser.new_context()
        host = httpx.URL(base).host
        context.add_cookies([{"name": "_token", "value": token, "domain": host, "path": "/"}])
        tab = context.new_page()
        failed: list[str] = []
        tab.on("response", lambda response: response.status >= 400 and failed.append(response.url))
        tab.goto(base + link)
        assert tab.title()
        tab.fill("#search-input", "контраген")
        hit = tab.locator("#search-results a", has_text="Контрагенты").first
        hit.click()
        tab.wait_for_url("**/objects/Catalog/**")
        assert "Контрагенты" in tab.locator("h1").inner_text()
        assert not failed, failed
        context.close()


def test_a_source_that_is_not_a_configuration_fails_at_parse(
    platform: CeleryPlatform, tmp_path: Path
) -> None:
    (tmp_path / "readme.txt").write_text("not 1C")
    run, tis = platform.run({"source": str(tmp_path)}, expect="failed", timeout=300)
    assert tis["parse"]["state"] == "failed"
    assert tis["parse"]["try_number"] == 1, "a source that is not a configuration is not retried"
    for name in (*ANALYSES, "merge_snapshot", "documentation"):
        assert tis[name]["state"] == "upstream_failed", name
    log = platform.client.request(
        "GET",
        f"/dags/{DAG_ID}/dagRuns/{run['dag_run_id']}/taskInstances/parse/logs/1",
        params={"map_index": 0},
    )
    assert "not a 1C configuration" in str(log)


def _worker_of(platform: CeleryPlatform, pid: int) -> str | None:
    """The worker whose process tree holds *pid* (all workers share this machine's hostname)."""
    try:
        chain = [psutil.Process(pid), *psutil.Process(pid).parents()]
    except psutil.NoSuchProcess:
        return None
    pids = {process.pid for process in chain}
    for name, component in platform.workers.items():
        if component.process.pid in pids:
            return name
    return None


def test_killing_the_worker_running_parse_retries_it_elsewhere(
    platform: CeleryPlatform, ssl_edt: Path
) -> None:
    client = platform.client
    run = client.trigger(DAG_ID, conf={"source": str(ssl_edt), "incremental": False})
    run_id = run["dag_run_id"]
    deadline = time.monotonic() + 300
    victim = None
    while victim is None and time.monotonic() < deadline:
        parse = [ti for ti in client.task_instances(DAG_ID, run_id) if ti["task_id"] == "parse"]
        if parse and parse[0]["state"] == "running" and parse[0].get("pid"):
            victim = _worker_of(platform, parse[0]["pid"])
        time.sleep(0.5)
    assert victim, "parse never ran on one of the test's workers"
    component = platform.workers.pop(victim)
    # The whole worker with its pool and task processes, as when its machine dies.
    platform.stack.stop_component(component, sig=signal.SIGKILL)
    # A replacement comes up, as an orchestrator would start one: four slots again for the analyses.
    platform.start_worker(victim)
    client.wait_for_run(DAG_ID, run_id, timeout=900)
    tis = {ti["task_id"]: ti for ti in client.task_instances(DAG_ID, run_id)}
    assert tis["parse"]["try_number"] >= 2
    assert tis["parse"]["state"] == "success"
    intervals = [_interval(tis[name]) for name in ANALYSES]
    latest_start = max(start for start, _ in intervals)
    earliest_end = min(end for _, end in intervals)
    assert latest_start < earliest_end, f"the four analyses did not all overlap: {intervals}"


def test_restarting_the_broker_mid_run_does_not_fail_the_run(platform: CeleryPlatform) -> None:
    client = platform.client
    run = client.trigger(DAG_ID, conf={"source": str(SAMPLE)})
    run_id = run["dag_run_id"]
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        states = {ti["task_id"]: ti["state"] for ti in client.task_instances(DAG_ID, run_id)}
        if states.get("plan_shards") == "success":
            break
        time.sleep(0.2)
    platform.broker.stop()
    time.sleep(3)
    platform.broker.start()
    finished = client.wait_for_run(DAG_ID, run_id, timeout=600)
    assert finished["state"] == "success"
