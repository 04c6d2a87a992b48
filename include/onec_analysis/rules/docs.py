"""Generate the rule documentation (``docs/rules/<Key>.md`` and an index) from the rules themselves.

    python -m onec_analysis.rules.docs docs/rules

Everything comes from the rule classes (metadata and docstring) and ``defaults.toml`` (parameters), so
the documentation cannot disagree with the code; a test fails when the committed files are stale.
"""

from __future__ import annotations

import inspect
import re
import sys
from pathlib import Path

from onec_analysis.rules.config import load_config
from onec_analysis.rules.registry import Rule, all_rules

_SECTION = re.compile(r"^## (.+)$", re.MULTILINE)
_TYPES = {
    "ERROR": "Error",
    "CODE_SMELL": "Code smell",
    "VULNERABILITY": "Vulnerability",
    "SECURITY_HOTSPOT": "Security hotspot",
}


def _suppression(rule: type[Rule]) -> str:
    lines = [f"// BSLLS:{rule.key}-off", "…", f"// BSLLS:{rule.key}-on"]
    for number in rule.apk:
        lines += [f"// АПК:{number}-выкл", "…", f"// АПК:{number}-вкл"]
    for check in rule.edt:
        lines += [f"Код(); // @skip-check {check}"]
    return "\n".join(lines)


def render_rule(rule: type[Rule], settings: dict) -> str:
    doc = inspect.cleandoc(rule.__doc__ or "")
    title, _, body = doc.partition("\n")
    params = {name: value for name, value in settings[rule.key].items() if name != "enabled"}
    out = [
        f"# {rule.key}",
        "",
        title.strip(),
        "",
        "| Type | Severity | Enabled by default | Tags | 1C:АПК checks | 1C:EDT checks |",
        "| --- | --- | --- | --- | --- | --- |",
        f"| {_TYPES[rule.type]} | {rule.severity.title()} | {'yes' if settings[rule.key]['enabled'] else 'no'} "
        f"| {', '.join(rule.tags) or '—'} | {', '.join(map(str, rule.apk)) or '—'} | {', '.join(rule.edt) or '—'} |",
        "",
    ]
    if params:
        out += ["## Parameters", "", "| Name | Default |", "| --- | --- |"]
        out += [f"| `{name}` | `{value}` |" for name, value in params.items()]
        out += ["", f"Set them in your rules file under `[{rule.key}]` (see [the index](README.md))."]
        out.append("")
    out += [body.strip(), "", "## Suppressing", "", "```bsl", _suppression(rule), "```", ""]
    return "\n".join(out)


def render_index(rules: dict[str, type[Rule]], settings: dict) -> str:
    out = [
        "# Best-practice rules",
        "",
        "Generated from the rule classes in `include/onec_analysis/rules/` by "
        "`python -m onec_analysis.rules.docs docs/rules` — do not edit by hand.",
        "",
        "Rule keys are bsl-language-server's diagnostic keys, so suppression comments written for it "
        "(`// BSLLS:Key-off` … `// BSLLS:Key-on`, `// BSLLS-off` for all rules, or a trailing "
        "`// BSLLS:Key-off` for one line) and for 1C:АПК (`// АПК:NNN-выкл` … `// АПК:NNN-вкл`, for the "
        "check numbers listed below) are honoured, and so is 1C:EDT's `// @skip-check <check-id>` for the EDT "
        "checks a rule lists.",
        "",
        "Thresholds and switches live in `include/onec_analysis/rules/defaults.toml`; override them with "
        "`edt-analysis best-practices SNAPSHOT --out DIR --config my-rules.toml`, for example:",
        "",
        "```toml",
        "[MethodSize]",
        "max_method_size = 150",
        "",
        "[LineLength]",
        "enabled = false",
        "```",
        "",
        f"{len(rules)} rules:",
        "",
        "| Rule | Type | Severity | On | АПК | What it finds |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    for key, rule in rules.items():
        out.append(
            f"| [{key}]({key}.md) | {_TYPES[rule.type]} | {rule.severity.title()} | "
            f"{'yes' if settings[key]['enabled'] else 'no'} | {', '.join(map(str, rule.apk)) or ''} | {rule.title()} |"
        )
    out.append("")
    return "\n".join(out)


def render_all() -> dict[str, str]:
    """``{file name: Markdown}`` for every rule and the index ``README.md``."""
    rules = all_rules()
    settings = load_config()
    pages = {f"{key}.md": render_rule(rule, settings) for key, rule in rules.items()}
    pages["README.md"] = render_index(rules, settings)
    return pages


def write_all(folder: Path) -> list[Path]:
    """Write the pages into *folder*, removing pages of rules that no longer exist."""
    folder.mkdir(parents=True, exist_ok=True)
    pages = render_all()
    for stale in folder.glob("*.md"):
        if stale.name not in pages:
            stale.unlink()
    written = []
    for name, text in pages.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if len(args) != 1:
        print("usage: python -m onec_analysis.rules.docs DOCS_FOLDER", file=sys.stderr)
        return 2
    written = write_all(Path(args[0]))
    print(f"{len(written)} pages -> {args[0]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
