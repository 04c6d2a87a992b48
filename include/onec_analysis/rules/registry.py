"""The rule base class and the registry every rule module adds itself to.

A rule is a class in its own module of this package, decorated with :func:`register`::

    @register
    class DeprecatedMessage(Rule):
        '''What it does / Why is this bad / Example / Use instead ...'''

        key = "DeprecatedMessage"  # the bsl-language-server diagnostic key
        type = "CODE_SMELL"
        severity = "MINOR"
        tags = ("standard", "deprecated")
        apk = (...)  # 1C:АПК check numbers whose ``// АПК:NNN-выкл`` also silences this rule

        def check(self, module, params):
            yield Finding(line, column, "message")

Its thresholds live in ``defaults.toml`` under ``[<key>]`` and arrive as *params*.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from onec_analysis.rules.source import ModuleSource

TYPES = ("ERROR", "CODE_SMELL", "VULNERABILITY", "SECURITY_HOTSPOT")
SEVERITIES = ("INFO", "MINOR", "MAJOR", "CRITICAL", "BLOCKER")
DOC_SECTIONS = ("What it does", "Why is this bad", "Example", "Use instead")

# Modules of this package that are machinery, not rules.
_MACHINERY = frozenset(
    {"registry", "source", "config", "suppressions", "engine", "sarif", "docs", "lexicon", "blocks"}
)


@dataclass(frozen=True, slots=True)
class Finding:
    """What a rule reports: a 1-based position in the module and a message."""

    line: int
    column: int
    message: str
    end_line: int | None = None


class Rule:
    key: ClassVar[str]
    type: ClassVar[str]
    severity: ClassVar[str]
    tags: ClassVar[tuple[str, ...]] = ()
    apk: ClassVar[tuple[int, ...]] = ()
    #: What the rule reads: "code" (skipped on modules without source), "metadata" (runs on every
    #: module, source or not) or "protected" (runs only on modules shipped without source).
    scope: ClassVar[str] = "code"
    #: 1C:EDT (v8-code-style) check ids whose ``// @skip-check <id>`` also silences this rule.
    edt: ClassVar[tuple[str, ...]] = ()
    #: Cheap pre-checks: the rule runs only on modules whose code has one of these words
    #: (``ModuleSource.identifiers``, lower case) …
    needs_any: ClassVar[tuple[str, ...]] = ()
    #: … and whose lower-cased text (comments and strings included) holds one of these substrings.
    needs_text: ClassVar[tuple[str, ...]] = ()

    def applies(self, module: ModuleSource) -> bool:
        if self.needs_text:
            lower = module.lower
            if not any(fragment in lower for fragment in self.needs_text):
                return False
        if self.needs_any:
            identifiers = module.identifiers
            return any(word in identifiers for word in self.needs_any)
        return True

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        raise NotImplementedError

    @classmethod
    def validate(cls, params: dict[str, Any]) -> str | None:
        """Why *params* cannot be used (beyond their types, which the config loader checks), or None."""
        return None

    @classmethod
    def title(cls) -> str:
        """The first line of the docstring: a one-line description."""
        return (cls.__doc__ or cls.key).strip().splitlines()[0].strip()


_RULES: dict[str, type[Rule]] = {}


def register(cls: type[Rule]) -> type[Rule]:
    """Class decorator: add a rule to the registry (its key must be new)."""
    if cls.key in _RULES and _RULES[cls.key] is not cls:
        raise ValueError(
            f"rule {cls.key} is registered twice ({_RULES[cls.key].__module__}, {cls.__module__})"
        )
    _RULES[cls.key] = cls
    return cls


def _import_rule_modules() -> None:
    package = importlib.import_module("onec_analysis.rules")
    for info in pkgutil.iter_modules(package.__path__):
        if not info.name.startswith("_") and info.name not in _MACHINERY:
            importlib.import_module(f"onec_analysis.rules.{info.name}")


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by key, sorted by key (rule modules are imported on first call)."""
    _import_rule_modules()
    return dict(sorted(_RULES.items()))
