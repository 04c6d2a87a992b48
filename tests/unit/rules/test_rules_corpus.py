"""The rules over the real SSL 3.1.9 configuration: every rule on every module, without an error."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pyarrow.compute as pc
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses.best_practices import run
from onec_analysis.rules.registry import all_rules
from onec_analysis.snapshot.io import read_table
from tests.unit.rules.test_best_practices_analysis import SARIF_REQUIRED

pytestmark = pytest.mark.corpus


@pytest.fixture(scope="module")
def ssl_findings(ssl_edt_snapshot: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("best-practices") / "out"
    return run(ssl_edt_snapshot, out, workers=2), out


def test_every_rule_runs_on_every_module_without_errors(ssl_findings: tuple[dict, Path]) -> None:
    summary, _ = ssl_findings
    print("\nSSL 3.1.9 findings per rule:")
    for key, number in summary["findings_per_rule"].items():
        print(f"  {key:40s} {number:7d}")
    print(f"  {summary['modules_checked']} modules in {summary['seconds']}s")
    assert summary["rule_errors"] == []
    assert set(summary["findings_per_rule"]) == set(all_rules())
    assert summary["modules_checked"] + summary["modules_empty"] + summary["modules_protected"] == 2790
    assert summary["modules_checked"] > 2500
    # Patterns the SSL is known to contain (queries in loops marked with @skip-check are only some of them).
    for key in (
        "CreateQueryInCycle",
        "SetPrivilegedMode",
        "MethodSize",
        "CognitiveComplexity",
        "DeprecatedCurrentDate",
    ):
        assert summary["findings_per_rule"][key] > 0, key


def test_suppression_comments_in_the_ssl_are_honoured(
    ssl_edt_snapshot: Path, ssl_findings: tuple[dict, Path]
) -> None:
    summary, _ = ssl_findings
    texts = read_table(ssl_edt_snapshot, "module_texts")
    calls = pc.sum(pc.count_substring(pc.utf8_lower(texts["text"]), "рольдоступна(")).as_py()
    assert calls > 0
    # Every IsInRole call in the SSL sits under // АПК:336-выкл, // АПК:515-выкл or // @skip-check using-isinrole.
    assert summary["findings_per_rule"]["IsInRoleMethod"] == 0


def test_outputs_agree_with_each_other(ssl_findings: tuple[dict, Path]) -> None:
    summary, out = ssl_findings
    findings = pq.read_table(out / "findings.parquet")
    counts = {row["rule"]: row["findings"] for row in pq.read_table(out / "counts.parquet").to_pylist()}
    assert findings.num_rows == summary["findings"] == sum(counts.values())
    log = json.loads((out / "best_practices.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, SARIF_REQUIRED)
    assert len(log["runs"][0]["results"]) == findings.num_rows
    assert pc.min(findings["line"]).as_py() >= 1 and pc.min(findings["column"]).as_py() >= 1
