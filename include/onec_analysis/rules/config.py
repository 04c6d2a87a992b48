"""Rule settings: the shipped ``defaults.toml`` overridden by an optional user TOML file.

Every rule has a table ``[<RuleKey>]`` with ``enabled`` and its thresholds. A user file may switch a
rule off or change a threshold; it may not invent keys — a misspelt rule or parameter, or a value of the
wrong type, is an error naming the file and the key, so a typo never silently keeps the default.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

from onec_analysis.rules.registry import all_rules

DEFAULTS_FILE = Path(__file__).with_name("defaults.toml")


class ConfigError(ValueError):
    """A rule configuration file that cannot be used (the message names the file and the key)."""


def _load(path: Path) -> dict[str, Any]:
    try:
        with open(path, "rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"{path}: rule configuration file not found") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None


def _same_type(default: Any, value: Any) -> bool:
    if isinstance(default, bool) or isinstance(value, bool):
        return isinstance(default, bool) and isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, int)
    if isinstance(default, float):
        return isinstance(value, int | float)
    return isinstance(value, type(default))


def load_config(user_file: Path | None = None) -> dict[str, dict[str, Any]]:
    """``{rule_key: {"enabled": bool, <param>: value}}`` for every rule in ``defaults.toml``."""
    settings = _load(DEFAULTS_FILE)
    if user_file is None:
        return settings
    user_file = Path(user_file)
    for key, table in _load(user_file).items():
        if key not in settings:
            raise ConfigError(
                f"{user_file}: unknown rule [{key}] (known rules are listed in docs/rules/README.md)"
            )
        if not isinstance(table, dict):
            raise ConfigError(f"{user_file}: [{key}] must be a table of settings, got {table!r}")
        for name, value in table.items():
            if name not in settings[key]:
                known = ", ".join(sorted(settings[key]))
                raise ConfigError(f"{user_file}: [{key}] has no setting {name!r} (settings: {known})")
            default = settings[key][name]
            if not _same_type(default, value):
                raise ConfigError(
                    f"{user_file}: [{key}] {name} must be {type(default).__name__} like the default "
                    f"{default!r}, got {value!r}"
                )
            if isinstance(value, int | float) and not isinstance(value, bool) and value < 0:
                raise ConfigError(f"{user_file}: [{key}] {name} must not be negative, got {value!r}")
            settings[key][name] = value
    rules = all_rules()
    for key in settings:
        problem = rules[key].validate(settings[key]) if key in rules else None
        if problem:
            raise ConfigError(f"{user_file}: [{key}] {problem}")
    return settings


def rule_params(settings: dict[str, dict[str, Any]], key: str) -> dict[str, Any]:
    """A rule's parameters without the ``enabled`` switch."""
    return {name: value for name, value in settings[key].items() if name != "enabled"}
