"""Best-practice findings: every rule of ``onec_analysis.rules`` over every module of a snapshot.

Writes ``findings.parquet`` (one row per finding), ``counts.parquet`` (per rule), ``best_practices.sarif``
(SARIF 2.1.0, for IDEs and code-scanning tools) and ``best_practices.json`` (summary and outputs).
"""

from .report import add_parser, run

__all__ = ["add_parser", "run"]
