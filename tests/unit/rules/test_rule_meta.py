"""Every registered rule is complete: metadata, documentation, settings, fixture and generated docs."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from onec_analysis.rules.config import load_config
from onec_analysis.rules.docs import render_all
from onec_analysis.rules.registry import DOC_SECTIONS, SEVERITIES, TYPES, all_rules
from tests.unit.rules.support import fixture_path

REPO = Path(__file__).resolve().parents[3]
DIAGNOSTICS = REPO.parent / "shared" / "reference" / "bsl-diagnostics.tsv"
RULES = all_rules()


def _bsl_ls() -> dict[str, dict[str, str]]:
    with open(DIAGNOSTICS, encoding="utf-8") as fh:
        return {row["key"]: row for row in csv.DictReader(fh, delimiter="\t")}


def test_at_least_thirty_rules_including_the_ones_teams_asked_for() -> None:
    assert len(RULES) >= 30
    asked = {
        "CreateQueryInCycle", "MethodSize", "CognitiveComplexity", "CyclomaticComplexity", "NumberOfParams",
        "ExportVariables", "BeginTransactionBeforeTryCatch", "CommitTransactionOutsideTryCatch", "EmptyCodeBlock",
        "DeprecatedMessage", "DeprecatedCurrentDate", "UsingSynchronousCalls", "SetPrivilegedMode",
        "PrivilegedModuleMethodCall", "ExecuteExternalCode", "CodeOutOfRegion", "PublicMethodsDescription",
        "UnusedLocalMethod",
    }  # fmt: skip
    assert asked <= set(RULES)


@pytest.mark.parametrize("key", sorted(RULES))
def test_rule_metadata_matches_bsl_language_server(key: str) -> None:
    rule = RULES[key]
    diagnostics = _bsl_ls()
    assert key in diagnostics, f"{key} is not a bsl-language-server diagnostic key"
    assert rule.type in TYPES and rule.severity in SEVERITIES
    assert (rule.type, rule.severity) == (diagnostics[key]["type"], diagnostics[key]["severity"])
    assert rule.tags and all(tag == tag.lower() for tag in rule.tags)
    assert all(isinstance(number, int) for number in rule.apk)
    snake = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", key).lower()
    assert rule.__module__ == f"onec_analysis.rules.{snake}", "one rule per module, named after the rule"


@pytest.mark.parametrize("key", sorted(RULES))
def test_rule_docstring_has_the_four_sections_in_order(key: str) -> None:
    doc = RULES[key].__doc__ or ""
    assert doc.strip().splitlines()[0].strip(), "first line: what the rule finds"
    positions = [doc.find(f"## {section}\n") for section in DOC_SECTIONS]
    assert all(p >= 0 for p in positions), f"missing sections in {key}: {DOC_SECTIONS}"
    assert positions == sorted(positions)
    assert "```bsl" in doc.split("## Example")[1].split("## Use instead")[0]
    assert "```bsl" in doc.split("## Use instead")[1]


@pytest.mark.parametrize("key", sorted(RULES))
def test_rule_has_a_fixture_with_marked_findings(key: str) -> None:
    text = fixture_path(key).read_text(encoding="utf-8")
    assert f"<- {key}" in text or f"v {key}" in text


def test_defaults_file_has_exactly_one_table_per_rule() -> None:
    settings = load_config()
    assert set(settings) == set(RULES)
    assert all(isinstance(table.get("enabled"), bool) for table in settings.values())


def test_committed_rule_docs_are_generated_from_the_rules() -> None:
    folder = REPO / "docs" / "rules"
    expected = render_all()
    committed = {path.name: path.read_text(encoding="utf-8") for path in folder.glob("*.md")}
    stale = sorted(
        name for name in expected.keys() | committed.keys() if expected.get(name) != committed.get(name)
    )
    assert not stale, f"docs/rules is stale for {stale}: run `python -m onec_analysis.rules.docs docs/rules`"
