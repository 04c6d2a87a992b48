"""Run the best-practice analysis: snapshot in; findings, counts, SARIF and a summary out.

The output folder appears whole or not at all (``atomic_directory``). ``best_practices.json`` holds the
summary — modules checked, findings per rule and severity, rules that failed on a module — and an
``outputs`` list describing each file, which the documentation generator reads.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from onec_analysis.analyses.best_practices.sarif import LEVELS, write_sarif
from onec_analysis.rules.engine import RULES_CACHE_HELP, counts_per_rule, run_checks
from onec_analysis.rules.registry import all_rules
from onec_analysis.snapshot.io import atomic_directory, read_summary

OUTPUTS = {
    "findings.parquet": "One row per finding: rule, severity, type, module_id, method_id (null at module level), "
    "object_id, path, line, column, end_line, message.",
    "counts.parquet": "Findings per rule with the rule's type, severity and one-line description (rules with none "
    "included).",
    "best_practices.sarif": "The findings as a SARIF 2.1.0 log, for IDEs and code-scanning tools; paths are "
    "relative to the configuration's source root (SRCROOT).",
    "best_practices.json": "Summary: modules checked, findings per rule and severity, rule errors, run time; "
    "and this list of outputs.",
}
COUNTS_SCHEMA = pa.schema(
    [
        ("rule", pa.string()),
        ("type", pa.string()),
        ("severity", pa.string()),
        ("title", pa.string()),
        ("findings", pa.int64()),
    ]
)
_SEVERITY_ORDER = ("BLOCKER", "CRITICAL", "MAJOR", "MINOR", "INFO")


def run(
    snapshot: Path,
    out: Path,
    config: Path | None = None,
    *,
    workers: int | None = None,
    rules_cache: Path | None = None,
) -> dict[str, Any]:
    """Check every module of *snapshot*, write the outputs into *out* (replaced atomically), return the summary.

    *config* is a TOML file overriding ``onec_analysis/rules/defaults.toml``; a bad key or value raises
    ``ConfigError`` (a ``ValueError``) naming the file and the key, before anything is written.
    *rules_cache*: a folder where the rule engine reuses and stores the results of unchanged batches
    of modules (shared with the dataset's findings; see :mod:`onec_analysis.rules.engine`).
    """
    snapshot, out = Path(snapshot), Path(out)
    snapshot_summary = read_summary(snapshot)
    result = run_checks(snapshot, config, workers=workers, cache_dir=rules_cache)
    registry = all_rules()
    rules = [registry[key] for key in result.rules]
    counts = counts_per_rule(result.findings, result.rules)
    counts_table = pa.Table.from_pylist(
        [
            {
                "rule": key,
                "type": registry[key].type,
                "severity": registry[key].severity,
                "title": registry[key].title(),
                "findings": number,
            }
            for key, number in counts.items()
        ],
        schema=COUNTS_SCHEMA,
    )
    per_severity = {severity: 0 for severity in _SEVERITY_ORDER}
    for key, number in counts.items():
        per_severity[registry[key].severity] += number
    summary: dict[str, Any] = {
        "snapshot": str(snapshot),
        "source": snapshot_summary.get("source"),
        "config": str(config) if config else None,
        "workers": workers or os.cpu_count() or 1,
        "rules_run": len(result.rules),
        "modules_checked": result.modules_checked,
        "modules_protected": result.modules_protected,
        "modules_empty": result.modules_empty,
        "rules_cache": str(rules_cache) if rules_cache else None,
        "batches": result.batches,
        "batches_from_cache": result.batches_from_cache,
        "findings": result.findings.num_rows,
        "findings_per_severity": per_severity,
        "findings_per_rule": counts,
        "rule_errors": result.rule_errors,
        "seconds": round(result.seconds, 2),
        "outputs": [{"file": name, "description": text} for name, text in OUTPUTS.items()],
    }
    with atomic_directory(out) as staging:
        pq.write_table(result.findings, staging / "findings.parquet", compression="zstd")
        pq.write_table(counts_table, staging / "counts.parquet")
        write_sarif(staging / "best_practices.sarif", result.findings, rules, snapshot_summary.get("source"))
        (staging / "best_practices.json").write_text(
            json.dumps(summary, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
        )
    return summary


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, got {value}")
    return value


def _cmd(args: argparse.Namespace) -> int:
    summary = run(args.snapshot, args.out, args.config, workers=args.workers, rules_cache=args.rules_cache)
    print(
        f"{summary['modules_checked']} modules checked ({summary['modules_protected']} protected, "
        f"{summary['modules_empty']} empty), {summary['rules_run']} rules, {summary['findings']} findings "
        f"in {summary['seconds']:.1f}s -> {args.out}"
    )
    severities = ", ".join(f"{k} {v}" for k, v in summary["findings_per_severity"].items() if v)
    if severities:
        print(f"  by severity: {severities}")
    for key, number in sorted(summary["findings_per_rule"].items(), key=lambda kv: -kv[1])[:10]:
        if number:
            print(f"  {key}: {number}")
    for error in summary["rule_errors"][:10]:
        print(f"  rule error: {error['rule']} on {error['module_id']}: {error['message']}")
    return 0


def add_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add ``best-practices SNAPSHOT --out DIR [--config FILE] [--workers N] [--rules-cache DIR]``."""
    parser = subparsers.add_parser(
        "best-practices",
        help="check every module of a snapshot against the best-practice rules (Parquet, SARIF, JSON)",
    )
    parser.add_argument("snapshot", type=Path, help="snapshot folder written by `edt-analysis parse`")
    parser.add_argument("--out", type=Path, required=True, help="output folder (replaced atomically)")
    parser.add_argument("--config", type=Path, help="TOML file overriding the rules' thresholds and switches")
    parser.add_argument(
        "--workers", type=_positive_int, default=os.cpu_count() or 1, help="processes (default: all cores)"
    )
    parser.add_argument("--rules-cache", type=Path, help=RULES_CACHE_HELP)
    parser.set_defaults(func=_cmd)
    return parser


__all__ = ["LEVELS", "OUTPUTS", "add_parser", "run"]
