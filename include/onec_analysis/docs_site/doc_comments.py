"""Read a method's doc comment the way 1C's documentation standard writes it.

The standard (and EDT's hover) splits the ``//`` block above a method into a description and the
sections ``Параметры:`` (one ``Имя - Тип - описание`` line per parameter, continued by more-indented
lines), ``Возвращаемое значение:`` (``Тип - описание``) and ``Пример:`` (code), with English
spellings in English configurations. ``Устарела.`` at the start marks a deprecated method.
The result is plain data; the templates render (and escape) it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_SECTIONS = {
    "параметры": "params",
    "parameters": "params",
    "возвращаемое значение": "returns",
    "returns": "returns",
    "return value": "returns",
    "пример": "example",
    "примеры": "example",
    "example": "example",
    "examples": "example",
}
_SECTION_LINE = re.compile(
    r"^\s*(" + "|".join(sorted(_SECTIONS, key=len, reverse=True)) + r")\s*:\s*(.*)$", re.I
)
# "Имя - Тип - описание" (dash, en dash or em dash between the parts).
_PARAM_LINE = re.compile(r"^\s*([^\W\d]\w*)\s+[-–—]\s*(.*)$")
_DASH_SPLIT = re.compile(r"\s+[-–—]\s+")
_DEPRECATED = re.compile(r"^\s*(устарела|deprecated)\b", re.I)


@dataclass
class DocParam:
    name: str
    type: str
    description: str


@dataclass
class DocComment:
    description: str = ""
    params: list[DocParam] = field(default_factory=list)
    returns: str = ""
    example: str = ""
    deprecated: bool = False
    #: Lines of the Параметры section that are not "Имя - Тип - описание" (kept, never dropped).
    params_text: str = ""


def parse_doc_comment(text: str | None) -> DocComment | None:
    """Split a doc comment (the text without ``//``) into its sections; None for an empty one."""
    if not text or not text.strip():
        return None
    sections: dict[str, list[str]] = {"description": [], "params": [], "returns": [], "example": []}
    current = "description"
    for line in text.splitlines():
        match = _SECTION_LINE.match(line) if ":" in line else None  # most lines are no heading
        if match:
            current = _SECTIONS[match.group(1).lower()]
            if match.group(2).strip():
                sections[current].append(match.group(2))
            continue
        sections[current].append(line)
    doc = DocComment(
        description=_dedent(sections["description"]),
        returns=_dedent(sections["returns"]),
        example=_dedent(sections["example"]),
    )
    doc.deprecated = bool(_DEPRECATED.match(doc.description))
    doc.params, doc.params_text = _parse_params(sections["params"])
    return doc


def _parse_params(lines: list[str]) -> tuple[list[DocParam], str]:
    params: list[DocParam] = []
    loose: list[str] = []
    base_indent: int | None = None
    for line in lines:
        if not line.strip():
            continue
        indent = len(line) - len(line.lstrip())
        match = _PARAM_LINE.match(line)
        starts_param = match is not None and (base_indent is None or indent <= base_indent)
        if starts_param:
            base_indent = indent
            name, rest = match.group(1), match.group(2).strip()
            type_, _, description = (part.strip() for part in _partition_dash(rest))
            params.append(DocParam(name=name, type=type_, description=description))
        elif params:
            last = params[-1]
            addition = line.strip()
            last.description = f"{last.description}\n{addition}" if last.description else addition
        else:
            loose.append(line.strip())
    return params, "\n".join(loose)


def _partition_dash(rest: str) -> tuple[str, str, str]:
    parts = _DASH_SPLIT.split(rest, maxsplit=1)
    if len(parts) == 2:
        return parts[0], "-", parts[1]
    return rest, "", ""


def _dedent(lines: list[str]) -> str:
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    if not lines:
        return ""
    indent = min(len(line) - len(line.lstrip()) for line in lines if line.strip())
    return "\n".join(line[indent:] if line.strip() else "" for line in lines)
