"""Cyclomatic and cognitive complexity per method; the fixture's comments give each increment."""

from __future__ import annotations

from onec_analysis.bsl.complexity import method_complexity


def test_complexity_of_each_fixture_method(parse_fixture) -> None:
    rows = [(m["name"], m["cyclomatic"], m["cognitive"]) for m in parse_fixture("complexity.bsl").methods]
    assert rows == [
        ("Линейная", 1, 0),
        # 1 + If + 2×И + ElsIf + ИЛИ + И + Else + For + While + ?( = 11; cognitive 1+1+1+2+1+2+3+1 = 12
        ("Ветвления", 11, 12),
        # 1 + If + Except + If + Goto = 5; cognitive 1 + 1 + 2 (nested in Except) + 1 = 5
        ("Попытки", 5, 5),
        # recursion counts in both
        ("Факториал", 3, 2),
        # 1 + 2 + 2 + 3 boolean operators + 2 ternaries = 10; cognitive 2 + 1 + 3 + (1 + 2) = 9
        ("Логика", 10, 9),
    ]


def test_keywords_in_english_and_any_case() -> None:
    body = "\nIF a AND b THEN\n  WHILE c DO\n  ENDDO;\nelsif d or e then\nELSE\nENDIF;\n"
    # 1 + If + And + While + ElsIf + Or + Else = 7; cognitive If 1 + And 1 + While 2 + ElsIf 1 + Or 1 + Else 1
    assert method_complexity(body.lower(), 0, len(body)) == (7, 7)


def test_boolean_sequence_changes_operator() -> None:
    body = "\nx = a и b или c и d;\n"
    # runs: и, или, и -> 3 for cognitive; 3 operators for cyclomatic
    assert method_complexity(body, 0, len(body)) == (4, 3)
