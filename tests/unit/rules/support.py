"""Fixture modules for rule tests: hand-written BSL whose offending lines carry markers.

Markers (they are comments, so they never change what a rule sees in code):

* ``Код(); // <- RuleKey`` — a finding of RuleKey on this line, at its first non-blank character;
  ``// <- RuleKey:17`` at column 17 (1-based); several per line: ``// <- A:5 B:12``.
* ``// v RuleKey:1`` on a comment line of its own marks the *next* line (for lines that cannot carry
  a trailing comment, such as blank lines).

Optional header line: ``// fixture: module_type=FormModule; properties={"server": true};
handlers=ПриОткрытии,ПриЗакрытии; params={"max_method_size": 5}; protected=true`` sets the module's
type, its owner's flags, the form's handlers, the rule's thresholds and whether the module is protected.

Expected positions are read from the fixture itself, so inserting a line moves the marker with the
code and a test can never silently compare against stale line numbers.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from onec_analysis.bsl import CallContext, parse_module
from onec_analysis.rules.source import Method, ModuleSource

FIXTURES = Path(__file__).with_name("fixtures")
_TRAILING = re.compile(r"//\s*<-\s*(.+)$")
_NEXT_LINE = re.compile(r"^\s*//\s*v\s+(.+)$")
_ENTRY = re.compile(r"(\w+)(?::(\d+))?")
_HEADER = re.compile(r"^//\s*fixture:\s*(.*?)\s*(?://\s*<-.*)?$")


def fixture_path(key: str) -> Path:
    return FIXTURES / f"{key}.bsl"


def module_from_text(
    text: str,
    *,
    module_type: str = "CommonModule",
    properties: dict | None = None,
    handlers: frozenset[str] = frozenset(),
    module_id: str = "CommonModule.Тест.Module",
    common_modules: dict | None = None,
) -> ModuleSource:
    """A ModuleSource as the engine builds it, with methods from the real BSL parser."""
    object_id = module_id.rsplit(".", 1)[0] if module_type != "FormModule" else module_id.split(".Form.")[0]
    parsed = parse_module(
        text,
        module_id=module_id,
        object_id=object_id,
        configuration="Test",
        ctx=CallContext(own_object_id=object_id),
    )
    return ModuleSource(
        module_id=module_id,
        object_id=object_id,
        module_type=module_type,
        path=f"src/{module_id.replace('.', '/')}.bsl",
        text=text,
        methods=[Method.from_row(row) for row in sorted(parsed.methods, key=lambda r: r["start_line"])],
        object_properties=properties or {},
        common_modules=common_modules or {},
        form_handlers=frozenset(h.lower() for h in handlers),
    )


@dataclass
class Fixture:
    module: ModuleSource
    expected: set[tuple[str, int, int]]  # {(rule, line, column)}
    params: dict = field(default_factory=dict)
    protected: bool = False


def load_fixture(key: str) -> Fixture:
    """The fixture of rule *key* as a module, its marked findings and its header options."""
    text = fixture_path(key).read_text(encoding="utf-8")
    lines = text.split("\n")
    options: dict = {}
    header = _HEADER.match(lines[0]) if lines else None
    if header:
        for part in filter(None, (p.strip() for p in header.group(1).split(";"))):
            name, _, value = part.partition("=")
            options[name.strip()] = value.strip()
    expected: set[tuple[str, int, int]] = set()
    for number, line in enumerate(lines, start=1):
        target, marks = number, None
        if found := _NEXT_LINE.match(line):
            target, marks = number + 1, found.group(1)
        elif found := _TRAILING.search(line):
            marks = found.group(1)
        if marks is None:
            continue
        marked = lines[target - 1]
        first = len(marked) - len(marked.lstrip()) + 1
        for entry in _ENTRY.finditer(marks):
            expected.add((entry.group(1), target, int(entry.group(2)) if entry.group(2) else first))
    module = module_from_text(
        text,
        module_type=options.get("module_type", "CommonModule"),
        properties=json.loads(options["properties"]) if "properties" in options else {"server": True},
        handlers=frozenset(filter(None, options.get("handlers", "").split(","))),
        module_id=options.get("module_id", f"CommonModule.{key}.Module"),
        common_modules=json.loads(options["common_modules"]) if "common_modules" in options else None,
    )
    return Fixture(
        module, expected, json.loads(options.get("params", "{}")), options.get("protected", "false") == "true"
    )
