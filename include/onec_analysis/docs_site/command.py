"""``edt-analysis docs SNAPSHOT --analyses DIR --out SITE``."""

from __future__ import annotations

import argparse
from pathlib import Path


def _cmd_docs(args: argparse.Namespace) -> int:
    from .build import build_site

    summary = build_site(args.snapshot, args.analyses, args.out, workers=args.workers)
    print(
        f"{summary['pages']} pages ({summary['objects']} objects, {summary['problems']} problems) "
        f"in {summary['seconds']['total']:.1f}s -> {summary['site']}"
    )
    for name, state in summary["analyses"].items():
        print(f"  {name}: {state}")
    index = summary["search_index"]
    print(
        f"  search index: {index['objects']} objects, {index['methods']} exported methods, {index['bytes']:,} bytes"
    )
    return 0


def add_parser(subparsers: argparse._SubParsersAction) -> argparse.ArgumentParser:
    """Add the ``docs`` sub-command to the ``edt-analysis`` parser."""
    parser = subparsers.add_parser(
        "docs",
        help="build the static documentation site from a snapshot and the analyses' output folders",
    )
    parser.add_argument("snapshot", type=Path, help="snapshot folder written by `edt-analysis parse`")
    parser.add_argument(
        "--analyses",
        type=Path,
        help="folder holding architecture/, dependencies/, best_practices/, dataset/ (missing ones are reported on the site)",
    )
    parser.add_argument("--out", type=Path, required=True, help="site folder to write (replaced atomically)")
    parser.add_argument(
        "--workers",
        type=int,
        default=None,
        help="processes rendering object pages (default: cores, at most 4)",
    )
    parser.set_defaults(func=_cmd_docs)
    return parser
