"""LineLength: lines longer than a threshold."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

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
        # A line's width is its length with tabs expanded, and tab stops restart at every line end:
        # so the widths are the gaps between the line ends of the whole expanded text, found by numpy
        # — no Python loop over the lines, only over the long ones.
        expanded = module.text.expandtabs(TAB_WIDTH)
        points = np.frombuffer(expanded.encode("utf-32-le", "surrogatepass"), np.uint32)
        widths = np.diff(np.flatnonzero(points == 10), prepend=-1, append=len(expanded)) - 1
        lines = module.lines
        for index in np.flatnonzero(widths > limit).tolist():
            line = lines[index]
            width = int(widths[index])
            column = len(line) - len(line.lstrip()) + 1
            yield Finding(index + 1, column, f"Line is {width} characters long, more than {limit}")
