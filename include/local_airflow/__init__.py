"""Run a real Airflow 3 as local processes: the embedded default and the test harness.

``make run`` and the integration tests both start Airflow this way, so what a user runs on their
machine is what CI exercises. Nothing here imports ``airflow``: every component is the ``airflow``
command of the project's venv started as a child process with its own environment, so several
stacks (each with its own ``AIRFLOW_HOME``, database and ports) can run side by side.

    config = StackConfig(home=tmp, dags_folder=repo / "dags", plugins_folder=repo / "plugins")
    with AirflowStack(config) as stack:          # migrates the DB, starts the components
        client = stack.client()                  # authenticated REST client for /api/v2
        run = client.trigger("edt_analysis", conf={...})
        client.wait_for_run("edt_analysis", run["dag_run_id"], timeout=600)
"""

from local_airflow.client import AirflowClient, DagRunFailed
from local_airflow.stack import AirflowStack, Component, StackConfig, free_port

__all__ = ["AirflowClient", "AirflowStack", "Component", "DagRunFailed", "StackConfig", "free_port"]
