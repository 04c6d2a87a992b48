"""``edt-analysis run``: parse, the four analyses as child processes, then the site, in one command."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq

from onec_analysis.rules.engine import run_checks
from onec_analysis.runner import ANALYSES, side_by_side_workers

SAMPLE = Path(__file__).resolve().parents[2] / "samples" / "demo-workspace"
CLI = [sys.executable, "-m", "onec_analysis.cli"]
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}


def test_the_rule_analyses_share_the_cores_side_by_side() -> None:
    assert [side_by_side_workers(cores) for cores in (1, 2, 3, 4, 8)] == [1, 1, 1, 2, 4]


def test_run_writes_the_snapshot_every_analysis_and_the_site(tmp_path: Path) -> None:
    out = tmp_path / "out"
    done = subprocess.run(
        [*CLI, "run", str(SAMPLE), "--out", str(out), "--workers", "2"],
        env=ENV, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert set(result["timings_seconds"]) == {"parse", *ANALYSES, "analyses", "docs", "total"}
    assert result["counts"]["methods"] > 0
    summaries = {
        "architecture": "architecture.json",
        "dependencies": "dependencies.json",
        "best_practices": "best_practices.json",
        "dataset": "dataset.json",
    }
    for name, summary in summaries.items():
        assert (out / "analyses" / name / summary).is_file(), name
    assert Path(result["site"]) == out / "site" / "index.html" and Path(result["site"]).is_file()
    assert f"documentation site: {out / 'site' / 'index.html'}" in done.stdout
    # the rule analyses, side by side on one process each, found what the engine finds alone
    reference = run_checks(out / "snapshot", workers=1).findings
    assert reference.num_rows > 0
    assert pq.read_table(out / "analyses" / "best_practices" / "findings.parquet").equals(reference)
    dataset = json.loads((out / "analyses" / "dataset" / "dataset.json").read_text(encoding="utf-8"))
    assert dataset["total"] == result["counts"]["methods"]


def test_run_on_a_folder_that_is_no_configuration_fails_in_one_line(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    done = subprocess.run(
        [*CLI, "run", str(tmp_path / "src"), "--out", str(tmp_path / "out")],
        env=ENV, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1 and str(tmp_path / "src") in done.stderr
    assert not (tmp_path / "out" / "analyses").exists()
