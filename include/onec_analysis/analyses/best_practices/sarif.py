"""Findings as a SARIF 2.1.0 log, the format IDEs (VS Code's SARIF viewer, EDT plugins) and code-scanning
services read.

One run; ``tool.driver.rules`` describes every rule that ran (id, name, short and full description, help
with the rule's whole documentation, default level); each result points at the module file relative to
the configuration's source root (``uriBaseId`` ``SRCROOT``) and at the line and column of the finding.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from json.encoder import encode_basestring
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from onec_analysis import __version__
from onec_analysis.rules.registry import Rule

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
#: bsl-language-server's page for a diagnostic: the rules carry its keys, so its documentation applies.
HELP_URI = "https://1c-syntax.github.io/bsl-language-server/diagnostics/{key}/"
#: Severity (bsl-language-server's scale) -> SARIF level.
LEVELS = {"BLOCKER": "error", "CRITICAL": "error", "MAJOR": "warning", "MINOR": "warning", "INFO": "note"}
_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
_BATCH_ROWS = 20_000


def rule_sections(rule: type[Rule]) -> dict[str, str]:
    """The docstring of a rule split into its ``## Section`` parts (dedented text)."""
    import inspect

    doc = inspect.cleandoc(rule.__doc__ or "")
    parts = _SECTION.split(doc)
    sections = {"": parts[0].strip()}
    for title, body in zip(parts[1::2], parts[2::2], strict=True):
        sections[title.strip()] = body.strip()
    return sections


def _descriptor(rule: type[Rule]) -> dict[str, Any]:
    sections = rule_sections(rule)
    return {
        "id": rule.key,
        "name": rule.key,
        "shortDescription": {"text": rule.title()},
        "fullDescription": {"text": " ".join(sections.get("What it does", rule.title()).split())},
        "help": {
            "text": " ".join(sections.get("Why is this bad", "").split()),
            "markdown": sections_markdown(rule),
        },
        "helpUri": HELP_URI.format(key=rule.key),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "tags": sorted({*rule.tags, rule.type.lower()}),
            "type": rule.type,
            "severity": rule.severity,
            "apk": list(rule.apk),
        },
    }


def sections_markdown(rule: type[Rule]) -> str:
    """The rule's documentation as Markdown: the docstring after its title line."""
    import inspect

    return inspect.cleandoc(rule.__doc__ or "").split("\n", 1)[-1].strip()


def _results(findings: pa.Table, rules: list[type[Rule]]) -> Iterator[str]:
    """Each finding's SARIF result, as the JSON text ``json`` would write for the dict below.

    A million findings are common: the text is put together from pieces (strings quoted by the json
    module's own encoder, the rest constant) rather than each result built as nested dicts and
    encoded, which took most of the time of writing the log::

        {"ruleId": rule, "ruleIndex": i, "level": level, "message": {"text": message},
         "locations": [{"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "SRCROOT"},
                                             "region": {"startLine": line, "startColumn": column,
                                                        "endLine": max(end_line or line, line)}},
                        "logicalLocations": [{"fullyQualifiedName": method_id or module_id,
                                              "kind": "function" if method_id else "module"}]}]}

    (``ruleIndex`` only for a rule in *rules*; a level of "warning" for one that is not).
    """
    index = {rule.key: i for i, rule in enumerate(rules)}
    levels = {rule.key: LEVELS[rule.severity] for rule in rules}
    heads: dict[str, str] = {}
    uris: dict[str | None, str] = {}
    names = ["rule", "message", "path", "line", "column", "end_line", "method_id", "module_id"]
    for batch in findings.select(names).to_batches(max_chunksize=_BATCH_ROWS):
        data = batch.to_pydict()
        for rule, message, path, line, column, end_line, method_id, module_id in zip(
            *data.values(), strict=True
        ):
            head = heads.get(rule)
            if head is None:
                head = '{"ruleId":' + _quote(rule)
                if rule in index:
                    head += f',"ruleIndex":{index[rule]}'
                head = heads[rule] = head + ',"level":' + _quote(levels.get(rule, "warning"))
            uri = uris.get(path)
            if uri is None:
                uri = uris[path] = _quote(quote(path or module_id or "", safe="/"))
            if method_id:
                logical = _quote(method_id) + ',"kind":"function"'
            else:
                logical = _quote(module_id) + ',"kind":"module"'
            yield (
                f'{head},"message":{{"text":{_quote(message)}}},"locations":[{{"physicalLocation":'
                f'{{"artifactLocation":{{"uri":{uri},"uriBaseId":"SRCROOT"}},"region":{{"startLine":'
                f'{_number(line)},"startColumn":{_number(column)},"endLine":'
                f'{_number(max(end_line or line, line))}}}}},"logicalLocations":[{{"fullyQualifiedName":'
                f"{logical}}}]}}]}}"
            )


def _quote(text: str | None) -> str:
    """A string as ``json`` writes it with ``ensure_ascii=False`` (None as null)."""
    return "null" if text is None else encode_basestring(text)


def _number(value: int | None) -> str:
    return "null" if value is None else int.__repr__(value)


def write_sarif(
    path: Path, findings: pa.Table, rules: list[type[Rule]], source_root: str | None = None
) -> None:
    """Write the SARIF log of *findings* produced by *rules* to *path*.

    Results are streamed a batch at a time, so a configuration with a million findings does not hold a
    million nested dicts in memory at once.
    """
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "onec-analysis best-practices",
                "version": __version__,
                "rules": [_descriptor(rule) for rule in rules],
            }
        },
        "columnKind": "unicodeCodePoints",
    }
    if source_root and Path(source_root).is_absolute():
        run["originalUriBaseIds"] = {"SRCROOT": {"uri": Path(source_root).as_uri().rstrip("/") + "/"}}
    head = json.dumps({"$schema": SARIF_SCHEMA, "version": SARIF_VERSION}, ensure_ascii=False)[:-1]
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    with open(path, "w", encoding="utf-8") as fh:
        fh.write(head + ',"runs":[' + encode(run)[:-1] + ',"results":[')
        for number, result in enumerate(_results(findings, rules)):
            if number:
                fh.write(",")
            fh.write(result)
        fh.write("]}]}\n")
