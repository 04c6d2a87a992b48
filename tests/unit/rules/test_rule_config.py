"""Thresholds come from defaults.toml, a user file overrides them, and a bad file is a clear error."""

from __future__ import annotations

from pathlib import Path

import pytest

from onec_analysis.rules.config import ConfigError, load_config
from onec_analysis.rules.engine import check_module
from tests.unit.rules.support import module_from_text

MODULE = """#Область СлужебныеПроцедурыИФункции
Процедура Пять(А, Б, В, Г, Д)
	Сообщить(А);
КонецПроцедуры
#КонецОбласти
"""


def rules_found(settings: dict) -> set[str]:
    table, _ = check_module(module_from_text(MODULE), settings, only=["NumberOfParams", "DeprecatedMessage"])
    return set(table["rule"].to_pylist())


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_are_the_shipped_thresholds() -> None:
    settings = load_config()
    assert settings["NumberOfParams"]["max_params_count"] == 7
    assert rules_found(settings) == {"DeprecatedMessage"}


def test_a_user_file_overrides_a_threshold_and_switches_a_rule_off(tmp_path: Path) -> None:
    path = write(tmp_path, "[NumberOfParams]\nmax_params_count = 4\n\n[DeprecatedMessage]\nenabled = false\n")
    settings = load_config(path)
    assert settings["NumberOfParams"]["max_params_count"] == 4
    assert settings["MethodSize"]["max_method_size"] == 200  # untouched keys keep their defaults
    assert rules_found(settings) == {"NumberOfParams"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[NumberOfParam]\nmax_params_count = 4\n", r"unknown rule \[NumberOfParam\]"),
        ("[NumberOfParams]\nmax_param_count = 4\n", r"\[NumberOfParams\] has no setting 'max_param_count'"),
        ('[NumberOfParams]\nmax_params_count = "4"\n', r"\[NumberOfParams\] max_params_count must be int"),
        ("[NumberOfParams]\nenabled = 1\n", r"\[NumberOfParams\] enabled must be bool"),
        ("[NumberOfParams]\nmax_params_count = -1\n", r"must not be negative"),
        ("NumberOfParams = 3\n", r"\[NumberOfParams\] must be a table"),
        ("[NumberOfParams\n", r"not valid TOML"),
        (
            '[UsingServiceTag]\nservice_tags = "todo|(fixme"\n',
            r"\[UsingServiceTag\] service_tags is not a valid regular",
        ),
    ],
)
def test_a_bad_file_names_the_file_and_the_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError, match=expected) as error:
        load_config(path)
    assert str(path) in str(error.value)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "absent.toml")
