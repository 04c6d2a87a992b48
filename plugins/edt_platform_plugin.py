"""The edt_platform plugin: a run's results behind the api-server's login, and the link to them.

* ``/edt/runs/<dag_id>/<run_id>/<path>`` serves the run's artifact folder (the documentation site,
  the analyses' reports, the snapshot) read-only, to users the auth manager lets read that DAG's runs
  (the UI's session cookie or a bearer token, like the REST API);
* the ``Documentation site`` extra link of the ``documentation`` task points there.

See :mod:`edt_platform.results`.
"""

from __future__ import annotations

from airflow.api_fastapi.auth.managers.models.resource_details import DagAccessEntity
from airflow.api_fastapi.core_api.security import requires_access_dag
from airflow.plugins_manager import AirflowPlugin
from fastapi import Depends, FastAPI, HTTPException, Response

from edt_platform.results import URL_PREFIX, DocumentationSiteLink, read_artifact


def create_app() -> FastAPI:
    app = FastAPI(title="EDT analysis results", description=__doc__)

    @app.get(
        "/runs/{dag_id}/{run_id}/{path:path}",
        dependencies=[Depends(requires_access_dag("GET", DagAccessEntity.RUN))],
    )
    def artifact(dag_id: str, run_id: str, path: str) -> Response:
        try:
            content, media_type = read_artifact(dag_id, run_id, path)
        except FileNotFoundError:
            raise HTTPException(
                status_code=404, detail=f"{path or '/'} is not among the results of {dag_id} {run_id}"
            ) from None
        return Response(content, media_type=media_type, headers={"Cache-Control": "private, max-age=60"})

    return app


class EdtPlatformPlugin(AirflowPlugin):
    name = "edt_platform"
    fastapi_apps = [{"app": create_app(), "url_prefix": URL_PREFIX, "name": "EDT analysis results"}]
    operator_extra_links = [DocumentationSiteLink()]
