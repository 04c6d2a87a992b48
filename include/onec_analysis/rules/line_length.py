"""LineLength: lines longer than a threshold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from onec_analysis.bsl import lexer
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

TAB_WIDTH = 4  # the 1C Designer and EDT default


@register
class LineLength(Rule):
    """A line longer than ``max_line_length`` characters (120 by default, tabs stopping every 4 columns).

    ## What it does
    Reports each line whose length, with tabs expanded to stops every four columns, is above the threshold. The
    finding points at the line's first non-blank character.

    ## Why is this bad
    Long lines do not fit the editor, the comparison window of a configuration merge or a code review
    page; the end of the line — often the argument that matters — goes unread. The 1C standards limit
    lines to 120 characters and show how to break expressions.

    ## Example
    ```bsl
    Результат = ОбщегоНазначения.ЗначенияРеквизитовОбъекта(Документ, "Организация, Контрагент, Договор, Склад, Ответственный, Комментарий");
    ```

    ## Use instead
    ```bsl
    Результат = ОбщегоНазначения.ЗначенияРеквизитовОбъекта(Документ,
        "Организация, Контрагент, Договор, Склад, Ответственный, Комментарий");
    ```
    """

    key = "LineLength"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "badpractice")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        limit = params["max_line_length"]
        if len(module.text) <= limit:
            return
        for index, width, column in long_lines(module.text, limit):
            yield Finding(index + 1, column, f"Line is {width} characters long, more than {limit}")


def long_lines(text: str, limit: int, tab_width: int = TAB_WIDTH) -> list[tuple[int, int, int]]:
    """``(0-based line, width, 1-based column of its first non-blank)`` of each line of *text* wider
    than *limit* with tabs expanded (``str.expandtabs``); lines end at "\\n".

    In C (``_scan.long_lines``: one pass, nothing copied) when the extension was built, else
    :func:`long_lines_python`; the two agree (tests/unit/bsl/test_scan_speedups.py).
    """
    if lexer._scan is None:
        return long_lines_python(text, limit, tab_width)
    return lexer._scan.long_lines(text, limit, tab_width)


def long_lines_python(text: str, limit: int, tab_width: int = TAB_WIDTH) -> list[tuple[int, int, int]]:
    """:func:`long_lines` with ``expandtabs`` and numpy over the code points: the reference."""
    expanded = text.expandtabs(tab_width)
    points = np.frombuffer(expanded.encode("utf-32-le", "surrogatepass"), np.uint32)
    widths = np.diff(np.flatnonzero(points == 10), prepend=-1, append=len(expanded)) - 1
    lines = text.split("\n")
    found = []
    for index in np.flatnonzero(widths > limit).tolist():
        line = lines[index]
        found.append((index, int(widths[index]), len(line) - len(line.lstrip()) + 1))
    return found
