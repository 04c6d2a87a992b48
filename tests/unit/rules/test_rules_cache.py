"""The rule engine's batch cache: reuse when nothing changed, recompute exactly what did, and two
analyses sharing one cache side by side (real processes, as ``edt-analysis run`` starts them)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from onec_analysis.reader.pipeline import ParseOptions, parse_source
from onec_analysis.rules.engine import run_checks
from onec_analysis.snapshot import io

SAMPLE = Path(__file__).resolve().parents[3] / "samples" / "demo-workspace"


@pytest.fixture
def source(tmp_path: Path) -> Path:
    copy = tmp_path / "source"
    shutil.copytree(SAMPLE, copy)
    return copy


@pytest.fixture(autouse=True)
def small_row_groups(monkeypatch: pytest.MonkeyPatch) -> None:
    # Several batches even on the small sample: a batch is (part of) a row group of module texts.
    monkeypatch.setattr(io, "ROW_GROUP_BYTES", 4096)


def _snapshot(source: Path, out: Path) -> Path:
    parse_source(source, out, ParseOptions(workers=1))
    return out


def test_a_second_run_takes_every_batch_from_the_cache(source: Path, tmp_path: Path) -> None:
    snapshot = _snapshot(source, tmp_path / "snap")
    cache = tmp_path / "cache"
    plain = run_checks(snapshot, workers=1)
    first = run_checks(snapshot, workers=2, cache_dir=cache)
    again = run_checks(snapshot, workers=1, cache_dir=cache)  # another worker count: same batches
    assert first.batches > 3 and first.batches_from_cache == 0
    assert again.batches_from_cache == again.batches == first.batches
    assert plain.findings.num_rows > 0
    assert first.findings.equals(plain.findings) and again.findings.equals(plain.findings)
    assert (again.modules_checked, again.modules_empty) == (plain.modules_checked, plain.modules_empty)


def test_only_the_batch_of_a_changed_module_is_checked_again(source: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = run_checks(_snapshot(source, tmp_path / "before"), cache_dir=cache)
    module = next(source.rglob("CommonModules/*/Module.bsl"))
    text = module.read_text(encoding="utf-8")
    module.write_text(text + "\nПроцедура Лишняя()\nКонецПроцедуры\n", encoding="utf-8")
    later = time.time() + 5
    os.utime(module, (later, later))
    changed = _snapshot(source, tmp_path / "after")
    again = run_checks(changed, cache_dir=cache)
    assert again.batches_from_cache == again.batches - 1
    assert again.findings.equals(run_checks(changed, workers=1).findings)
    assert again.findings.num_rows > first.findings.num_rows  # the new empty, unused method is found


def test_other_thresholds_do_not_reuse_the_cache(source: Path, tmp_path: Path) -> None:
    snapshot = _snapshot(source, tmp_path / "snap")
    cache = tmp_path / "cache"
    run_checks(snapshot, cache_dir=cache)
    config = tmp_path / "rules.toml"
    config.write_text("[LineLength]\nmax_line_length = 20\n", encoding="utf-8")
    strict = run_checks(snapshot, config, cache_dir=cache)
    assert strict.batches_from_cache == 0
    assert strict.findings.equals(run_checks(snapshot, config, workers=1).findings)


def test_damaged_cache_entries_are_recomputed(source: Path, tmp_path: Path) -> None:
    snapshot = _snapshot(source, tmp_path / "snap")
    cache = tmp_path / "cache"
    first = run_checks(snapshot, cache_dir=cache)
    entries = list(cache.rglob("*.pickle"))
    assert len(entries) == first.batches
    for entry in entries:
        entry.write_bytes(b"not a pickle")
    again = run_checks(snapshot, cache_dir=cache)
    assert again.batches_from_cache == 0
    assert again.findings.equals(first.findings)


def test_best_practices_and_dataset_side_by_side_on_one_cache(source: Path, tmp_path: Path) -> None:
    """The two CLI commands as `edt-analysis run` starts them: same findings as without a cache."""
    snapshot = _snapshot(source, tmp_path / "snap")
    cache = tmp_path / "cache"
    cli = [sys.executable, "-m", "onec_analysis.cli"]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    commands = [
        [*cli, "best-practices", str(snapshot), "--out", str(tmp_path / "bp"), "--rules-cache", str(cache)],
        [*cli, "dataset", str(snapshot), "--out", str(tmp_path / "ds"), "--rules-cache", str(cache)],
    ]
    processes = [subprocess.Popen(command, env=env) for command in commands]
    assert [process.wait(timeout=300) for process in processes] == [0, 0]

    reference = run_checks(snapshot, workers=1).findings
    assert pq.read_table(tmp_path / "bp" / "findings.parquet").equals(reference)
    dataset = pq.read_table(tmp_path / "ds" / "data", columns=["method_id", "findings_count"])
    per_method = (
        reference.filter(reference["method_id"].is_valid())
        .group_by("method_id")
        .aggregate([("rule", "count")])
    )
    expected = dict(
        zip(per_method["method_id"].to_pylist(), per_method["rule_count"].to_pylist(), strict=True)
    )
    got = {m: n for m, n in zip(*dataset.to_pydict().values(), strict=True) if n}
    assert got == expected
    assert len(list(cache.rglob("*.pickle"))) > 3


def test_findings_of_many_batches_come_out_sorted_with_their_modules(source: Path, tmp_path: Path) -> None:
    snapshot = _snapshot(source, tmp_path / "snap")
    result = run_checks(snapshot, workers=2)
    findings = result.findings
    assert result.batches > 3 and findings.num_rows > 20
    # the engine sorts by integer ranks; Arrow's own string sort must agree
    keys = [("module_id", "ascending"), ("line", "ascending"), ("column", "ascending"), ("rule", "ascending")]
    assert findings.equals(findings.sort_by(keys))
    modules = {
        row["module_id"]: (row["object_id"], row["path"])
        for row in io.read_table(snapshot, "modules", ["module_id", "object_id", "path"]).to_pylist()
    }
    for row in findings.select(["module_id", "object_id", "path"]).to_pylist():
        assert (row["object_id"], row["path"]) == modules[row["module_id"]]
    methods = {
        row["method_id"]: row
        for row in io.read_table(
            snapshot, "methods", ["method_id", "module_id", "start_line", "end_line"]
        ).to_pylist()
    }
    for row in findings.filter(findings["method_id"].is_valid()).to_pylist():
        method = methods[row["method_id"]]
        assert method["module_id"] == row["module_id"]
        assert method["start_line"] <= row["line"] <= method["end_line"]
