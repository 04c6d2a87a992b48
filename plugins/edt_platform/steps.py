"""The steps of the ``edt_analysis`` DAG: artifact locations around calls into ``onec_analysis``.

Each function is one task body; it takes and returns only small JSON values (URLs and counts), so
XCom stays small and the DAG file reads like configuration.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import multiprocessing
import os
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any, TypeVar

from airflow.sdk import ObjectStoragePath
from airflow.sdk.exceptions import AirflowFailException

from edt_platform.artifacts import reading, run_root, writing

log = logging.getLogger(__name__)
Step = TypeVar("Step", bound=Callable[..., Any])


def forks_workers(step: Step) -> Step:
    """Let *step* start the library's worker pools inside a Celery worker.

    The CeleryExecutor runs a task in a process forked from a Celery pool child, and multiprocessing
    marks that child daemonic; a daemonic process may not start children ("daemonic processes are not
    allowed to have children"), so the parse, rule and docs pools would fail on every worker. The task
    process is Airflow's own (its supervisor waits for it and kills its group on timeout) and the
    library joins its pools before returning, so lifting the flag for the step's duration is safe.
    """

    @functools.wraps(step)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        current = multiprocessing.current_process()
        daemonic = current.daemon
        if daemonic:
            current.daemon = False
        try:
            return step(*args, **kwargs)
        finally:
            if daemonic:
                current.daemon = True

    return wrapper  # type: ignore[return-value]


def _cache_base() -> Path:
    """The worker's cache folder: ``EDT_CACHE_DIR``, else ``$AIRFLOW_HOME/edt-cache``."""
    return Path(os.environ.get("EDT_CACHE_DIR") or Path(os.environ.get("AIRFLOW_HOME", ".")) / "edt-cache")


def cache_dir_for(source: str) -> Path:
    """A worker-local cache folder per source, for incremental parsing."""
    return _cache_base() / hashlib.blake2b(str(Path(source).resolve()).encode(), digest_size=8).hexdigest()


def rules_cache_dir() -> Path:
    """A worker-local folder where best_practices and ml_dataset keep the rules' results per batch of
    modules: the two share the work when they run on one worker, and nightly runs re-check only the
    modules that changed."""
    return _cache_base() / "rules"


def root_url(output_base: str | None, dag_id: str, run_id: str) -> str:
    return str(run_root(output_base or None, dag_id, run_id))


def plan_shards(count: int) -> list[int]:
    if not 1 <= int(count) <= 64:
        raise AirflowFailException(f"shards must be between 1 and 64, got {count}")
    return list(range(1, int(count) + 1))


@forks_workers
def parse(source: str, root: str, shard: int, shards: int, incremental: bool) -> dict[str, Any]:
    """Parse the configuration (or one shard of it) into a snapshot under the run's root."""
    from onec_analysis.metadata import NotAConfiguration
    from onec_analysis.reader.pipeline import ParseOptions, Shard, parse_source

    target = ObjectStoragePath(root) / ("snapshot" if shards == 1 else f"parts/shard-{shard:03d}")
    options = ParseOptions(
        shard=Shard(shard - 1, shards) if shards > 1 else None,
        cache_dir=cache_dir_for(source) if incremental else None,
    )
    try:
        with writing(target) as out:
            summary = parse_source(Path(source), out, options)
    except NotAConfiguration as exc:
        # Retrying cannot make a folder become a configuration: fail now, with the reader's message.
        raise AirflowFailException(str(exc)) from None
    log.info("parsed %s: %s", source, summary["counts"])
    return {"snapshot": str(target), "counts": summary["counts"], "problems": summary["problems_by_kind"]}


@forks_workers
def merge(parts: list[dict[str, Any]], root: str) -> dict[str, Any]:
    """One snapshot from the shards' parts; with a single shard, its snapshot already is the result."""
    from onec_analysis.reader.pipeline import merge_snapshots

    parts = list(parts)
    if len(parts) == 1:
        log.info("one shard: its snapshot is the run's snapshot, nothing to merge")
        return parts[0]
    target = ObjectStoragePath(root) / "snapshot"
    with ExitStack() as stack:
        local_parts = [stack.enter_context(reading(ObjectStoragePath(part["snapshot"]))) for part in parts]
        out = stack.enter_context(writing(target))
        summary = merge_snapshots(local_parts, out)
    log.info("merged %d shards: %s", len(parts), summary["counts"])
    return {"snapshot": str(target), "counts": summary["counts"], "problems": summary["problems_by_kind"]}


@forks_workers
def analysis_workers() -> int:
    """Processes one analysis task may use: ``EDT_ANALYSIS_WORKERS``, default 1.

    The four analyses run at once, one per worker slot; a slot is one core (worker concurrency =
    cores), so an analysis that spread over every core would only fight its three siblings for them.
    """
    return max(1, int(os.environ.get("EDT_ANALYSIS_WORKERS", "1")))


def analyse(name: str, parsed: dict[str, Any], root: str, rules_config: str | None = None) -> dict[str, Any]:
    """Run one of the four analyses over the run's snapshot."""
    from onec_analysis.runner import run_analysis

    target = ObjectStoragePath(root) / "analyses" / name
    with reading(ObjectStoragePath(parsed["snapshot"])) as snapshot, writing(target) as out:
        summary = run_analysis(
            name,
            snapshot,
            out,
            rules_config=Path(rules_config) if rules_config else None,
            workers=analysis_workers(),
            rules_cache=rules_cache_dir(),
        )
    return {"name": name, "url": str(target), "summary": _small(summary)}


@forks_workers
def document(analyses: list[dict[str, Any]], root: str) -> dict[str, Any]:
    """Build the documentation site, then say where every result of the run is."""
    from onec_analysis.runner import build_docs

    root_path = ObjectStoragePath(root)
    target = root_path / "site"
    # parse (one shard) and merge_snapshot (several) both leave the run's snapshot at <root>/snapshot.
    with (
        reading(root_path / "snapshot") as snapshot,
        reading(root_path / "analyses") as folder,
        writing(target) as out,
    ):
        summary = build_docs(snapshot, folder, out)
    results = {
        "snapshot": str(root_path / "snapshot"),
        **{item["name"]: item["url"] for item in analyses},
        "site": str(target / "index.html"),
    }
    width = max(map(len, results))
    log.info("results of this run:")
    for key, url in results.items():
        log.info("  %s  %s", key.ljust(width), url)
    return {"results": results, "pages": summary.get("pages")}


def _small(summary: dict[str, Any], limit: int = 2000) -> dict[str, Any]:
    """Only the scalar top-level entries of a summary: XCom carries counts, not reports."""
    return {
        k: v for k, v in summary.items() if isinstance(v, (int, float, str, bool)) and len(str(v)) < limit
    }
