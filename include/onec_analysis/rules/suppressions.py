"""Suppression comments: the ones 1C teams already write for bsl-language-server and for 1C:АПК.

* ``// BSLLS:Key-off`` … ``// BSLLS:Key-on`` — rule *Key* is silent on the lines between (inclusive);
  ``// BSLLS-off`` … ``// BSLLS-on`` silences every rule. An ``-off`` without ``-on`` runs to the end.
* ``Код(); // BSLLS:Key-off`` — written after code, it silences that one line only.
* ``// АПК:NNN-выкл`` … ``// АПК:NNN-вкл`` — the same for the rules that list check NNN of the 1C
  standards in their ``apk`` metadata; several may share one comment (``// АПК:96-выкл, АПК:494-выкл``).
* ``// @skip-check query-in-loop`` — 1C:EDT's form, for the rules that list that EDT check in their ``edt``
  metadata: after code it silences its line; on a line of its own, the next line with code.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from onec_analysis.rules.source import line_starts

ALL = "*"
# Matched against the lower-cased text: CPython's re is much slower with IGNORECASE on Cyrillic.
_MARK = re.compile(r"bslls(?::(\w+))?-(off|on)\b|апк:(\d+)-(выкл|вкл)|@skip-check\s+([\w-]+)")
_MARK_WORDS = ("bslls", "апк:", "@skip-check")  # the literal each branch of _MARK starts with


@dataclass
class Suppressions:
    """Silenced line ranges, by rule key (``*`` for all) and by АПК check number."""

    by_key: dict[str, list[tuple[int, int]]] = field(default_factory=dict)
    by_apk: dict[int, list[tuple[int, int]]] = field(default_factory=dict)
    by_edt: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_key or self.by_apk or self.by_edt)

    def silences(self, key: str, apk: tuple[int, ...], line: int, edt: tuple[str, ...] = ()) -> bool:
        for ranges in (
            self.by_key.get(key),
            self.by_key.get(ALL),
            *(self.by_apk.get(n) for n in apk),
            *(self.by_edt.get(check) for check in edt),
        ):
            if ranges and any(start <= line <= end for start, end in ranges):
                return True
        return False


def find_suppressions(
    text: str,
    lower: str | None = None,
    *,
    lines: list[str] | None = None,
    starts: list[int] | None = None,
) -> Suppressions:
    """Read every suppression comment of a module (*lower*, *lines* and *starts*: its ``text.lower()``,
    ``text.split("\\n")`` and :func:`line_starts`, when the caller has them already)."""
    lower = text.lower() if lower is None else lower
    if not has_marks(lower):
        return Suppressions()
    lines = text.split("\n") if lines is None else lines
    starts = line_starts(text) if starts is None else starts
    opened: dict[object, int] = {}
    ranges: dict[object, list[tuple[int, int]]] = defaultdict(list)
    edt: dict[str, list[tuple[int, int]]] = defaultdict(list)
    for mark in _marks(lower):
        number = bisect_right(starts, mark.start())
        line = lines[number - 1]
        comment_at = line.find("//")
        if comment_at < 0 or comment_at > mark.start() - starts[number - 1]:
            continue  # not in a comment
        trailing = bool(line[:comment_at].strip())
        if mark.group(5) is not None:  # @skip-check check-id
            target_line = number if trailing else _next_code_line(lines, number)
            edt[mark.group(5)].append((target_line, target_line))
            continue
        if mark.group(2) is not None:  # BSLLS[:Key]-off|on
            key = mark.group(1)
            target: object = text[mark.start(1) : mark.end(1)] if key else ALL  # the key as written
            off = mark.group(2) == "off"
        else:
            target = int(mark.group(3))
            off = mark.group(4) == "выкл"
        if trailing:
            if off:
                ranges[target].append((number, number))
        elif off:
            opened.setdefault(target, number)
        elif target in opened:
            ranges[target].append((opened.pop(target), number))
    for target, start in opened.items():
        ranges[target].append((start, len(lines)))
    result = Suppressions(by_edt=dict(edt))
    for target, spans in ranges.items():
        if isinstance(target, int):
            result.by_apk[target] = spans
        else:
            result.by_key[str(target)] = spans
    return result


def has_marks(lower: str) -> bool:
    """Whether a lower-cased module text may hold a suppression comment at all (a cheap test)."""
    return any(word in lower for word in _MARK_WORDS)


def _marks(lower: str) -> Iterator[re.Match[str]]:
    """``_MARK.finditer(lower)``, tried only where one of its words occurs: every mark starts with one,
    and the words are found by a fast scan where the alternation would be tried at every letter "а"."""
    starts = []
    for word in _MARK_WORDS:
        at = lower.find(word)
        while at >= 0:
            starts.append(at)
            at = lower.find(word, at + 1)
    starts.sort()
    end = 0
    for at in starts:
        if at >= end:
            mark = _MARK.match(lower, at)
            if mark is not None:
                end = mark.end()
                yield mark


def _next_code_line(lines: list[str], number: int) -> int:
    """The first line after *number* that holds something other than blanks and a comment."""
    for following in range(number + 1, len(lines) + 1):
        stripped = lines[following - 1].strip()
        if stripped and not stripped.startswith("//"):
            return following
    return number
