"""The EDT pipeline in one place: parse, then four analyses in parallel, then documentation.

Airflow's ``edt_analysis`` DAG runs each step as its own task through :func:`run_analysis` and
:func:`build_docs`; ``edt-analysis run`` runs them all here without a scheduler, the four analyses
as four child processes (exactly what separate workers would do: each reads only the snapshot and
writes only its own folder).

Output layout, shared by both::

    OUT/snapshot/                   the parsed configuration (``edt-analysis parse``)
    OUT/analyses/<name>/            architecture, dependencies, best_practices, dataset
    OUT/site/                       the documentation site
"""

from __future__ import annotations

import gc
import importlib
import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from onec_analysis.snapshot.io import atomic_write_text, release_memory

log = logging.getLogger(__name__)

#: Analysis name -> (module with ``run(snapshot, out, **options)``, CLI sub-command).
ANALYSES: dict[str, tuple[str, str]] = {
    "architecture": ("onec_analysis.analyses.architecture", "architecture"),
    "dependencies": ("onec_analysis.analyses.dependencies", "dependencies"),
    "best_practices": ("onec_analysis.analyses.best_practices", "best-practices"),
    "dataset": ("onec_analysis.analyses.dataset", "dataset"),
}


#: The analyses that run the rule engine.
RULE_ANALYSES = ("best_practices", "dataset")


@dataclass(frozen=True)
class Layout:
    """Where each step of one pipeline run reads and writes."""

    root: Path

    @property
    def snapshot(self) -> Path:
        return self.root / "snapshot"

    @property
    def analyses(self) -> Path:
        return self.root / "analyses"

    def analysis(self, name: str) -> Path:
        return self.analyses / name

    @property
    def site(self) -> Path:
        return self.root / "site"

    @property
    def rules_cache(self) -> Path:
        """Where ``run`` keeps the rules' results when no cache folder is given (kept between runs
        into the same folder, so a re-run re-checks only what changed)."""
        return self.root / ".cache" / "rules"


def run_analysis(
    name: str,
    snapshot: Path,
    out: Path,
    *,
    rules_config: Path | None = None,
    workers: int | None = None,
    rules_cache: Path | None = None,
) -> dict[str, Any]:
    """Run one analysis over a snapshot; return its summary.

    The two analyses that run the rule engine (best practices, and the dataset for its findings
    column) both take *rules_config* (so the dataset's findings are the report's), *workers* (their
    processes; None: every core) and *rules_cache* (a folder where they keep and share the results
    of unchanged batches of modules).
    """
    try:
        module_name, _ = ANALYSES[name]
    except KeyError:
        raise ValueError(f"unknown analysis {name!r}; known: {', '.join(ANALYSES)}") from None
    module = importlib.import_module(module_name)
    options: dict[str, Any] = {}
    if name in RULE_ANALYSES:
        if rules_config:
            options["config" if name == "best_practices" else "rules_config"] = Path(rules_config)
        if workers:
            options["workers"] = workers
        if rules_cache:
            options["rules_cache"] = Path(rules_cache)
    return module.run(Path(snapshot), Path(out), **options)


def build_docs(snapshot: Path, analyses: Path, out: Path) -> dict[str, Any]:
    from onec_analysis.docs_site import build_site

    return build_site(Path(snapshot), Path(analyses), Path(out))


def side_by_side_workers(cores: int) -> int:
    """Processes for each of the two rule analyses when they run side by side on *cores* cores.

    Half each: together they still keep every core busy (and dependencies and architecture take
    their share beside them), with half the processes. On the ERP-size copy with two cores, one
    process each instead of two: the four analyses side by side in 89.0 s at 2.55 GiB PSS against
    102.6 s at 3.13 GiB (each process holds its own batch of module texts and their tokens).
    """
    return max(1, cores // len(RULE_ANALYSES))


def run_all(
    source: Path,
    out: Path,
    *,
    workers: int | None = None,
    cache_dir: Path | None = None,
    rules_config: Path | None = None,
) -> dict[str, Any]:
    """parse → four analyses at once (child processes) → docs. Returns timings and summaries.

    With *cache_dir* the parse is incremental and the rules' results are kept in ``cache_dir/rules``;
    without, the rules' results are kept in ``OUT/.cache/rules``. Either way best practices and the
    dataset share that folder while they run side by side, so the rules run about once, not twice.
    """
    from onec_analysis.reader.pipeline import ParseOptions, parse_source

    layout = Layout(Path(out))
    layout.root.mkdir(parents=True, exist_ok=True)
    timings: dict[str, float] = {}
    cores = workers or os.cpu_count() or 1
    started = time.perf_counter()
    parse_summary = parse_source(source, layout.snapshot, ParseOptions(workers=cores, cache_dir=cache_dir))
    timings["parse"] = time.perf_counter() - started
    # What the parse left behind, freed before four analyses start beside this process.
    gc.collect()
    release_memory()

    # Each analysis in its own process, as separate workers would run them.
    rules_cache = Path(cache_dir) / "rules" if cache_dir else layout.rules_cache
    rule_workers = side_by_side_workers(cores)
    t0 = time.perf_counter()
    children: dict[str, tuple[subprocess.Popen, float]] = {}
    for name, (_, command) in ANALYSES.items():
        argv = [
            sys.executable,
            "-m",
            "onec_analysis.cli",
            command,
            str(layout.snapshot),
            "--out",
            str(layout.analysis(name)),
        ]
        if name in RULE_ANALYSES:
            argv += ["--rules-cache", str(rules_cache), "--workers", str(rule_workers)]
            if rules_config:
                argv += ["--config" if name == "best_practices" else "--rules-config", str(rules_config)]
        children[name] = (
            subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
            time.perf_counter(),
        )
    failures = []
    for name, (process, began) in children.items():
        output, _ = process.communicate()
        timings[name] = time.perf_counter() - began
        if process.returncode != 0:
            failures.append(f"{name} (exit {process.returncode}):\n{output.strip()[-2000:]}")
    timings["analyses"] = time.perf_counter() - t0
    if failures:
        raise RuntimeError("analyses failed: " + "\n".join(failures))

    t0 = time.perf_counter()
    docs_summary = build_docs(layout.snapshot, layout.analyses, layout.site)
    timings["docs"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - started
    result = {
        "source": str(source),
        "out": str(layout.root),
        "snapshot": str(layout.snapshot),
        "analyses": {name: str(layout.analysis(name)) for name in ANALYSES},
        "site": str(layout.site / "index.html"),
        "counts": parse_summary["counts"],
        "problems_by_kind": parse_summary["problems_by_kind"],
        "docs": docs_summary,
        "timings_seconds": {k: round(v, 3) for k, v in timings.items()},
    }
    atomic_write_text(layout.root / "run.json", json.dumps(result, ensure_ascii=False, indent=2))
    return result
