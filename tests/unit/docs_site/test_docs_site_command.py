"""``edt-analysis docs`` as the lead wires it: ``add_parser(subparsers)`` then ``args.func(args)``."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from onec_analysis.docs_site import add_parser
from onec_analysis.snapshot.io import SnapshotError
from tests.unit.docs_site.sample_site import make_sample_analyses, make_sample_snapshot


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="edt-analysis")
    add_parser(parser.add_subparsers(dest="command", required=True))
    return parser


def test_docs_command_builds_the_site_and_reports_missing_analyses(tmp_path: Path, capsys) -> None:
    snapshot = make_sample_snapshot(tmp_path / "snapshot")
    analyses = make_sample_analyses(tmp_path / "analyses", with_best_practices=False)
    args = _parser().parse_args(
        ["docs", str(snapshot), "--analyses", str(analyses), "--out", str(tmp_path / "site")]
    )
    assert args.func(args) == 0
    out = capsys.readouterr().out
    assert out.startswith("18 pages (6 objects, 1 problems)")
    assert "  architecture: present\n" in out
    assert "  best_practices: missing: нет папки" in out
    assert (tmp_path / "site" / "objects" / "Catalog" / "Banki.html").is_file()


def test_docs_command_refuses_a_folder_that_is_no_snapshot(tmp_path: Path) -> None:
    args = _parser().parse_args(["docs", str(tmp_path), "--out", str(tmp_path / "site")])
    with pytest.raises(SnapshotError, match="not a snapshot"):
        args.func(args)
    assert not (tmp_path / "site").exists()
