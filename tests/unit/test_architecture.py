"""Dependency direction: the domain library under include/ never imports Airflow.

bsl-language-server guards its layering with a test like this; ours keeps include/ runnable from the
CLI, a notebook or a test without a scheduler, and dags/ thin.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

INCLUDE = Path(__file__).resolve().parents[2] / "include"


def _imported_modules(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def test_include_has_python_sources() -> None:
    assert len(list(INCLUDE.rglob("*.py"))) > 5


@pytest.mark.parametrize("path", sorted(INCLUDE.rglob("*.py")), ids=lambda p: str(p.relative_to(INCLUDE)))
def test_include_never_imports_airflow(path: Path) -> None:
    offending = [
        f"{path}:{line} imports {name}"
        for line, name in _imported_modules(path)
        if name.split(".")[0] == "airflow"
    ]
    assert not offending, "\n".join(offending)


def test_the_check_itself_sees_an_airflow_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text("import os\nfrom airflow.sdk import dag\n")
    assert (2, "airflow.sdk") in _imported_modules(bad)
