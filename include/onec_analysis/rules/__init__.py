"""Best-practice rules for 1C BSL modules, keyed like bsl-language-server's diagnostics.

    from onec_analysis.rules import check_snapshot
    findings = check_snapshot(Path("snapshot"), config=Path("my-rules.toml"))  # a pyarrow.Table

One rule per module of this package (see ``registry`` for the shape of a rule); thresholds in
``defaults.toml``, overridable by a user TOML file; ``// BSLLS:Key-off`` and ``// АПК:NNN-выкл``
suppression comments honoured. Rule documentation is generated into ``docs/rules/`` by
``python -m onec_analysis.rules.docs``.
"""

from onec_analysis.rules.config import ConfigError, load_config
from onec_analysis.rules.engine import FINDINGS_SCHEMA, CheckResult, check_module, check_snapshot, run_checks
from onec_analysis.rules.registry import Finding, Rule, all_rules, register

__all__ = [
    "FINDINGS_SCHEMA",
    "CheckResult",
    "ConfigError",
    "Finding",
    "Rule",
    "all_rules",
    "check_module",
    "check_snapshot",
    "load_config",
    "register",
    "run_checks",
]
