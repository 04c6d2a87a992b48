"""The best-practice analysis on a hand-made snapshot: outputs, counts, SARIF, robustness and the CLI."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import jsonschema
import pyarrow.parquet as pq
import pytest

from onec_analysis.analyses.best_practices import add_parser, run
from onec_analysis.bsl import CallContext, parse_module
from onec_analysis.rules.config import ConfigError
from onec_analysis.rules.deprecated_message import DeprecatedMessage
from onec_analysis.rules.registry import all_rules
from tests.support.snapshots import make_snapshot

SERVICE = """#Область ПрограммныйИнтерфейс

// Сообщает итог.
Процедура СообщитьИтог(Итог) Экспорт
	Сообщить(Итог);
	Дата = ТекущаяДата(); // BSLLS:DeprecatedCurrentDate-off
КонецПроцедуры

#КонецОбласти
"""
FORM = """#Область ОбработчикиСобытийФормы

&НаКлиенте
Процедура ПриОткрытии(Отказ)
	Сообщить("Открыта");
КонецПроцедуры

#КонецОбласти
"""
MODULES = {
    "CommonModule.Сервис.Module": ("CommonModule.Сервис", "CommonModule", SERVICE, False),
    "Catalog.Склады.Form.ФормаЭлемента.Module": ("Catalog.Склады", "FormModule", FORM, False),
    "CommonModule.Закрытый.Module": ("CommonModule.Закрытый", "CommonModule", "", True),
    "CommonModule.Пустой.Module": ("CommonModule.Пустой", "CommonModule", "\n", False),
}


@pytest.fixture
def snapshot(tmp_path: Path) -> Path:
    modules, texts, methods, objects = [], [], [], []
    for module_id, (object_id, module_type, text, protected) in MODULES.items():
        path = "src/" + module_id.replace(".", "/") + ".bsl"
        modules.append(
            {
                "module_id": module_id,
                "object_id": object_id,
                "module_type": module_type,
                "path": path,
                "protected": protected,
            }
        )
        texts.append({"module_id": module_id, "text": text})
        methods += parse_module(
            text, module_id=module_id, object_id=object_id, configuration="Test", ctx=CallContext()
        ).methods
        if module_type == "CommonModule":
            objects.append(
                {
                    "object_id": object_id,
                    "type": "CommonModule",
                    "name": object_id.split(".")[1],
                    "properties": '{"server": true}',
                }
            )
    return make_snapshot(
        tmp_path / "snapshot", modules=modules, module_texts=texts, methods=methods, objects=objects
    )


# The part of the SARIF 2.1.0 schema that code-scanning tools rely on, written out as a JSON schema.
SARIF_REQUIRED = {
    "type": "object",
    "required": ["version", "runs"],
    "properties": {
        "version": {"const": "2.1.0"},
        "runs": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["tool", "results"],
                "properties": {
                    "tool": {
                        "type": "object",
                        "required": ["driver"],
                        "properties": {
                            "driver": {
                                "type": "object",
                                "required": ["name", "rules"],
                                "properties": {
                                    "rules": {
                                        "type": "array",
                                        "items": {
                                            "type": "object",
                                            "required": [
                                                "id", "name", "shortDescription", "fullDescription", "helpUri",
                                                "defaultConfiguration",
                                            ],
                                            "properties": {
                                                "shortDescription": {"required": ["text"]},
                                                "fullDescription": {"required": ["text"]},
                                                "helpUri": {"type": "string", "pattern": "^https://"},
                                                "defaultConfiguration": {
                                                    "required": ["level"],
                                                    "properties": {"level": {"enum": ["error", "warning", "note"]}},
                                                },
                                            },
                                        },
                                    }
                                },
                            }
                        },
                    },
                    "results": {
                        "type": "array",
                        "items": {
                            "type": "object",
                            "required": ["ruleId", "level", "message", "locations"],
                            "properties": {
                                "level": {"enum": ["error", "warning", "note", "none"]},
                                "message": {"required": ["text"]},
                                "locations": {
                                    "type": "array",
                                    "minItems": 1,
                                    "items": {
                                        "required": ["physicalLocation"],
                                        "properties": {
                                            "physicalLocation": {
                                                "required": ["artifactLocation", "region"],
                                                "properties": {
                                                    "artifactLocation": {
                                                        "required": ["uri"],
                                                        "properties": {"uri": {"type": "string", "pattern": "^[^ ]+$"}},
                                                    },
                                                    "region": {
                                                        "required": ["startLine", "startColumn"],
                                                        "properties": {
                                                            "startLine": {"type": "integer", "minimum": 1},
                                                            "startColumn": {"type": "integer", "minimum": 1},
                                                        },
                                                    },
                                                },
                                            }
                                        },
                                    },
                                },
                            },
                        },
                    },
                },
            },
        },
    },
}  # fmt: skip


def test_run_writes_findings_counts_sarif_and_summary(snapshot: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    summary = run(snapshot, out, workers=1)
    assert sorted(p.name for p in out.iterdir()) == [
        "best_practices.json", "best_practices.sarif", "counts.parquet", "findings.parquet",
    ]  # fmt: skip
    assert (summary["modules_checked"], summary["modules_protected"], summary["modules_empty"]) == (2, 1, 1)
    assert summary["rule_errors"] == []

    findings = pq.read_table(out / "findings.parquet").to_pylist()
    by_rule = {(f["rule"], f["module_id"], f["line"], f["column"]) for f in findings}
    assert ("DeprecatedMessage", "CommonModule.Сервис.Module", 5, 2) in by_rule
    assert ("DeprecatedMessage", "Catalog.Склады.Form.ФормаЭлемента.Module", 5, 2) in by_rule
    assert ("ProtectedModule", "CommonModule.Закрытый.Module", 1, 1) in by_rule
    assert not any(f["rule"] == "DeprecatedCurrentDate" for f in findings), "the trailing BSLLS comment holds"
    message = next(
        f for f in findings if f["rule"] == "DeprecatedMessage" and f["module_id"].startswith("Common")
    )
    assert message["method_id"] == "CommonModule.Сервис.Module.СообщитьИтог"
    assert message["path"] == "src/CommonModule/Сервис/Module.bsl"
    assert (message["severity"], message["type"]) == ("MINOR", "CODE_SMELL")

    counts = {row["rule"]: row for row in pq.read_table(out / "counts.parquet").to_pylist()}
    assert set(counts) == set(all_rules()), "every rule that ran is counted, with 0 when it found nothing"
    assert counts["DeprecatedMessage"]["findings"] == 2
    assert counts["UsingGoto"]["findings"] == 0
    assert sum(row["findings"] for row in counts.values()) == len(findings) == summary["findings"]

    document = json.loads((out / "best_practices.json").read_text(encoding="utf-8"))
    assert [o["file"] for o in document["outputs"]] == [
        "findings.parquet", "counts.parquet", "best_practices.sarif", "best_practices.json",
    ]  # fmt: skip
    assert all(o["description"] for o in document["outputs"])


def test_sarif_has_the_structure_code_scanning_tools_read(snapshot: Path, tmp_path: Path) -> None:
    run(snapshot, tmp_path / "out", workers=1)
    log = json.loads((tmp_path / "out" / "best_practices.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(log, SARIF_REQUIRED)
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules] == sorted(all_rules())
    result = next(r for r in run_["results"] if r["ruleId"] == "DeprecatedMessage")
    assert rules[result["ruleIndex"]]["id"] == "DeprecatedMessage"
    assert result["level"] == "warning"
    location = result["locations"][0]["physicalLocation"]
    assert location["artifactLocation"]["uriBaseId"] == "SRCROOT"
    assert location["artifactLocation"]["uri"].startswith(
        "src/"
    )  # relative to the source root, percent-encoded
    assert "%D0%" in location["artifactLocation"]["uri"]
    assert location["region"]["startLine"] >= 1


def test_a_rule_that_raises_on_one_module_loses_nothing_else(
    snapshot: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = DeprecatedMessage.check

    def broken(self, module, params):
        if module.module_type == "FormModule":
            raise RuntimeError("cannot read this form")
        return original(self, module, params)

    monkeypatch.setattr(DeprecatedMessage, "check", broken)
    summary = run(snapshot, tmp_path / "out", workers=1)
    assert summary["rule_errors"] == [
        {
            "rule": "DeprecatedMessage",
            "module_id": "Catalog.Склады.Form.ФормаЭлемента.Module",
            "message": "RuntimeError: cannot read this form",
        }
    ]
    assert summary["findings_per_rule"]["DeprecatedMessage"] == 1  # the common module's finding is kept
    assert summary["modules_checked"] == 2


def test_parallel_and_serial_runs_give_the_same_findings(snapshot: Path, tmp_path: Path) -> None:
    run(snapshot, tmp_path / "one", workers=1)
    run(snapshot, tmp_path / "two", workers=2)
    one = pq.read_table(tmp_path / "one" / "findings.parquet")
    two = pq.read_table(tmp_path / "two" / "findings.parquet")
    assert one.equals(two)


def test_a_bad_config_fails_before_anything_is_written(snapshot: Path, tmp_path: Path) -> None:
    bad = tmp_path / "rules.toml"
    bad.write_text("[MethodSise]\nmax_method_size = 10\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="MethodSise"):
        run(snapshot, tmp_path / "out", bad)
    assert not (tmp_path / "out").exists()


def test_a_config_file_changes_the_results(snapshot: Path, tmp_path: Path) -> None:
    config = tmp_path / "rules.toml"
    config.write_text("[DeprecatedMessage]\nenabled = false\n", encoding="utf-8")
    summary = run(snapshot, tmp_path / "out", config, workers=1)
    assert "DeprecatedMessage" not in summary["findings_per_rule"]
    assert summary["config"] == str(config)


def test_cli_subcommand(snapshot: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parser = argparse.ArgumentParser(prog="edt-analysis")
    add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(
        ["best-practices", str(snapshot), "--out", str(tmp_path / "out"), "--workers", "1"]
    )
    assert args.func(args) == 0
    printed = capsys.readouterr().out
    assert "2 modules checked (1 protected, 1 empty)" in printed
    assert (tmp_path / "out" / "best_practices.sarif").is_file()


def test_module_texts_in_many_row_groups_give_the_same_findings(tmp_path: Path, monkeypatch) -> None:
    """Workers read module texts one row group at a time: a snapshot written in many small groups
    (each batch another group, groups split across batches) finds exactly what one group finds."""
    from onec_analysis.reader.pipeline import ParseOptions, parse_source
    from onec_analysis.rules.engine import run_checks
    from onec_analysis.snapshot import io

    sample = Path(__file__).resolve().parents[3] / "samples" / "demo-workspace"
    parse_source(sample, tmp_path / "one_group", ParseOptions(workers=1))
    monkeypatch.setattr(io, "ROW_GROUP_BYTES", 2048)
    parse_source(sample, tmp_path / "many_groups", ParseOptions(workers=1))
    groups = pq.ParquetFile(tmp_path / "many_groups" / "module_texts.parquet").metadata.num_row_groups
    assert groups > 3

    one = run_checks(tmp_path / "one_group", workers=1)
    many = run_checks(tmp_path / "many_groups", workers=2)
    assert one.findings.num_rows > 0
    assert one.findings.equals(many.findings)
    assert (one.modules_checked, one.modules_empty) == (many.modules_checked, many.modules_empty)
