"""
### Nightly EDT analysis

Every night at 01:00 triggers one `edt_analysis` run per configuration listed in
`config/nightly.yaml` (or the file named by `EDT_NIGHTLY_CONFIG`). The list is read when the run
starts, not when the DAG is parsed, so editing it needs no deployment.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.trigger_dagrun import TriggerDagRunOperator
from airflow.sdk import dag, task

from edt_platform import nightly


@dag(
    dag_id="edt_nightly",
    schedule="0 1 * * *",
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=1,
    doc_md=__doc__,
    tags=["edt", "nightly"],
    default_args={"retries": 1, "retry_delay": timedelta(minutes=1), "retry_exponential_backoff": True},
)
def edt_nightly():
    @task
    def configurations() -> list[dict]:
        return nightly.run_confs()

    TriggerDagRunOperator.partial(task_id="trigger_edt_analysis", trigger_dag_id="edt_analysis").expand(
        conf=configurations()
    )


edt_nightly()
