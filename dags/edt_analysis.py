"""
### EDT analysis of a 1C:Enterprise configuration

Reads a configuration exported by **1C:EDT** (a project, or a workspace with its extensions) or by
**Designer** (an XML dump), then runs four analyses in parallel and builds a documentation site:

`plan_shards` → `parse` (one mapped task per shard) → `merge_snapshot` →
[`architecture`, `ml_dataset`, `dependencies`, `best_practices`] → `documentation`

* **Params** (Trigger DAG w/ config): `source` (folder of the configuration), `output_base` (artifact
  store URL: `file://…` by default, `s3://…` or any fsspec store), `shards` (parse on several workers
  at once; 1 = one task), `incremental` (reuse the per-worker parse cache), `rules_config` (TOML file
  with best-practice thresholds, used by `best_practices` and by `ml_dataset` for its findings).
* Artifacts go to `<output_base>/edt_analysis/<run_id>/` (`snapshot/`, `analyses/<name>/`, `site/`);
  XCom carries only URLs and counts. The `documentation` task logs where every result is.
* The ML dataset is the Asset `edt_ml_dataset`; `ml_retraining` can be scheduled on it.
* A failure stops the run: downstream tasks do not run. Timeouts: parse 20 min, documentation
  5 min, the rest 12 min; retries with exponential back-off (a source that is not a configuration
  fails at once, without retries).
* Nightly runs over the configurations listed in `config/nightly.yaml` are triggered by `edt_nightly`.
"""

from __future__ import annotations

import os
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import Asset, Param, dag, get_current_context, task

from edt_platform import steps
from edt_platform.results import DocumentationSiteLink

EDT_DATASET = Asset(name="edt_ml_dataset", uri="edt://datasets/ml_dataset")
#: priority_weight of the two analyses that run the rules, handed out first.
RULES_FIRST = 3
#: priority_weight of dependencies, the longer of the other two (architecture keeps Airflow's default, 1).
LONGER_NEXT = 2
SAMPLE_SOURCE = Path(__file__).resolve().parent.parent / "samples" / "demo-workspace"


@dag(
    dag_id="edt_analysis",
    schedule=None,
    start_date=datetime(2025, 1, 1),
    catchup=False,
    max_active_runs=4,
    doc_md=__doc__,
    tags=["edt", "1c"],
    default_args={
        "retries": 2,
        "retry_delay": timedelta(seconds=20),
        "retry_exponential_backoff": True,
        "max_retry_delay": timedelta(minutes=5),
        "execution_timeout": timedelta(minutes=12),
        "queue": "edt",
    },
    params={
        "source": Param(
            os.environ.get("EDT_DEFAULT_SOURCE", str(SAMPLE_SOURCE)),
            type="string",
            minLength=1,
            title="Configuration folder",
            description="EDT project or workspace, or Designer dump (folder with Configuration.xml)",
        ),
        "output_base": Param(
            "",
            type="string",
            title="Artifact store URL",
            description="empty: EDT_ARTIFACTS_URL or file://$AIRFLOW_HOME/artifacts",
        ),
        "shards": Param(1, type="integer", minimum=1, maximum=64, title="Parse shards"),
        "incremental": Param(True, type="boolean", title="Incremental parse (reuse cache)"),
        "rules_config": Param(
            "", type="string", title="Best-practice thresholds (TOML path, empty: defaults)"
        ),
    },
)
def edt_analysis():
    @task
    def plan_shards() -> list[int]:
        return steps.plan_shards(get_current_context()["params"]["shards"])

    @task(execution_timeout=timedelta(minutes=20), map_index_template="shard {{ task.op_kwargs['shard'] }}")
    def parse(shard: int) -> dict:
        params = get_current_context()["params"]
        return steps.parse(params["source"], _root(), shard, params["shards"], params["incremental"])

    @task
    def merge_snapshot(parts: list[dict]) -> dict:
        return steps.merge(parts, _root())

    @task
    def architecture(parsed: dict) -> dict:
        return steps.analyse("architecture", parsed, _root())

    # The two that run the rules go first, side by side: they share the rules' cache (the dataset walks
    # the modules from the smallest batch, the report from the largest) and each computes about half;
    # dependencies (about four times architecture's work) takes the slot that frees first, architecture
    # the last one: longest first. In definition order the dataset ran the rules alone and the
    # ERP-size analyses took 118 s instead of about 90; with architecture ahead of dependencies they
    # took 94 s, dependencies ending alone 23 s after the dataset.
    @task(outlets=[EDT_DATASET], priority_weight=RULES_FIRST)
    def ml_dataset(parsed: dict) -> dict:
        result = steps.analyse(
            "dataset", parsed, _root(), get_current_context()["params"]["rules_config"] or None
        )
        get_current_context()["outlet_events"][EDT_DATASET].extra = {"url": result["url"]}
        return result

    @task(priority_weight=LONGER_NEXT)
    def dependencies(parsed: dict) -> dict:
        return steps.analyse("dependencies", parsed, _root())

    @task(priority_weight=RULES_FIRST)
    def best_practices(parsed: dict) -> dict:
        return steps.analyse(
            "best_practices", parsed, _root(), get_current_context()["params"]["rules_config"] or None
        )

    @task(execution_timeout=timedelta(minutes=5))
    def documentation(architecture: dict, dataset: dict, dependencies: dict, best_practices: dict) -> dict:
        return steps.document([architecture, dataset, dependencies, best_practices], _root())

    snapshot = merge_snapshot(parse.expand(shard=plan_shards()))
    site = documentation(
        architecture(snapshot),
        ml_dataset(snapshot),
        dependencies(snapshot),
        best_practices(snapshot),
    )
    # The site, served by the edt_platform plugin, one click from the task in the UI.
    site.operator.operator_extra_links = (DocumentationSiteLink(),)


def _root() -> str:
    context = get_current_context()
    return steps.root_url(context["params"]["output_base"], context["dag"].dag_id, context["run_id"])


edt_analysis()
