"""The EDT platform on the CeleryExecutor with real parts, for the integration tests and bench_dag.

A redis-server of its own as the broker, a PostgreSQL database created on the local server, and
this repo's dags/ and plugins/ in an AirflowStack (api-server, scheduler, dag-processor, triggerer
as processes); workers are started by the caller (``stack.start_worker``).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

from local_airflow import AirflowStack, StackConfig
from tests.support.postgres import temporary_database
from tests.support.redis_servers import RedisServer, free_port

REPO = Path(__file__).resolve().parents[2]


@contextmanager
def edt_celery_stack(
    tmp: Path,
    *,
    db_prefix: str,
    broker_args: Sequence[str] = (),
    extra_env: Mapping[str, str] | None = None,
) -> Iterator[tuple[AirflowStack, RedisServer]]:
    """A started stack and its broker, artifacts under ``tmp/artifacts``; all stopped on exit."""
    broker = RedisServer(free_port(), tmp / "redis", list(broker_args))
    broker.start()
    try:
        with temporary_database(db_prefix) as db_url:
            config = StackConfig(
                home=tmp / "home",
                dags_folder=REPO / "dags",
                plugins_folder=REPO / "plugins",
                db_url=db_url,
                executor="CeleryExecutor",
                broker_url=f"redis://127.0.0.1:{broker.port}/0",
                result_backend="db+" + db_url.replace("+psycopg2", ""),
                extra_env={"EDT_ARTIFACTS_URL": f"file://{tmp / 'artifacts'}", **(extra_env or {})},
            )
            with AirflowStack(config) as stack:
                yield stack, broker
    finally:
        broker.stop()
