"""Every rule finds exactly the marked positions of its fixture (see ``support`` for the markers)."""

from __future__ import annotations

import pytest

from onec_analysis.rules.config import load_config
from onec_analysis.rules.engine import check_module
from onec_analysis.rules.registry import all_rules
from tests.unit.rules.support import fixture_path, load_fixture

RULES = sorted(all_rules())


def findings_of(key: str) -> tuple[set[tuple[str, int, int]], set[tuple[str, int, int]], list]:
    fixture = load_fixture(key)
    settings = load_config()
    unknown = set(fixture.params) - set(settings[key])
    assert not unknown, f"fixture of {key} sets unknown params {unknown}"
    settings[key].update(fixture.params, enabled=True)
    table, errors = check_module(fixture.module, settings, only=[key], protected=fixture.protected)
    found = {(row["rule"], row["line"], row["column"]) for row in table.to_pylist()}
    return found, fixture.expected, errors


@pytest.mark.parametrize("key", RULES)
def test_rule_reports_exactly_the_marked_positions(key: str) -> None:
    assert fixture_path(key).is_file(), f"rule {key} has no fixture {fixture_path(key).name}"
    found, expected, errors = findings_of(key)
    assert not errors
    assert expected, f"fixture of {key} marks no finding"
    assert {rule for rule, _, _ in expected} == {key}, "a fixture marks only its own rule"
    missing = sorted(expected - found)
    unexpected = sorted(found - expected)
    assert not missing and not unexpected, f"missing {missing}, unexpected {unexpected}"
