"""A run's results in the Airflow UI: the ``Documentation site`` link and the pages behind it.

The documentation task's extra link points at ``/edt/runs/<dag_id>/<run_id>/site/index.html`` on the
api-server, where the ``edt_platform`` plugin serves the run's artifact folder read-only from the
artifact store (local or remote, through ``ObjectStoragePath``) to users allowed to read that DAG's
runs: the same login as the UI, so the customer's code in the site is never public. A run written
to another ``output_base`` than the deployment's gets a link to that location itself.
"""

from __future__ import annotations

import mimetypes
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from airflow.sdk import BaseOperatorLink
from airflow.sdk.execution_time.xcom import XCom

from edt_platform.artifacts import run_root

if TYPE_CHECKING:
    from airflow.sdk import BaseOperator
    from airflow.sdk.definitions.taskinstancekey import TaskInstanceKey

URL_PREFIX = "/edt"


def run_url(dag_id: str, run_id: str, path: str = "") -> str:
    """Where the plugin serves *path* of a run's artifact folder (relative to the api-server)."""
    from airflow.configuration import conf

    base = conf.get("api", "base_url", fallback="") or ""
    prefix = base.split("://", 1)[-1].partition("/")[2].rstrip("/") if "://" in base else base.strip("/")
    prefix = f"/{prefix}" if prefix else ""
    return f"{prefix}{URL_PREFIX}/runs/{quote(dag_id, safe='')}/{quote(run_id, safe='')}/{quote(path)}"


def site_link(dag_id: str, run_id: str, site_index: str) -> str:
    """The UI link for a run's site: served by the plugin when it lies under the deployment's base."""
    served = str(run_root(None, dag_id, run_id) / "site" / "index.html")
    return run_url(dag_id, run_id, "site/index.html") if site_index == served else site_index


class DocumentationSiteLink(BaseOperatorLink):
    """Extra link on the ``documentation`` task: the site that task built for its run."""

    name = "Documentation site"

    def get_link(self, operator: BaseOperator, *, ti_key: TaskInstanceKey) -> str:
        value: Any = XCom.get_value(ti_key=ti_key, key="return_value")
        site = (value or {}).get("results", {}).get("site") if isinstance(value, dict) else None
        return site_link(ti_key.dag_id, ti_key.run_id, site) if site else ""


def read_artifact(dag_id: str, run_id: str, path: str) -> tuple[bytes, str]:
    """Bytes and media type of *path* in a run's artifact folder; a folder gives its index.html.

    Raises FileNotFoundError for anything outside the run's folder or missing.
    """
    parts = [part for part in path.split("/") if part not in ("", ".")]
    if ".." in parts or any("\\" in part for part in parts):
        raise FileNotFoundError(path)
    root = run_root(None, dag_id, run_id)
    target = root.joinpath(*parts) if parts else root
    if target.is_dir():
        target = target / "index.html"
    if not target.is_file():
        raise FileNotFoundError(path)
    media_type = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
    if media_type.startswith("text/") or media_type in ("application/javascript", "application/json"):
        media_type += "; charset=utf-8"
    return target.read_bytes(), media_type
