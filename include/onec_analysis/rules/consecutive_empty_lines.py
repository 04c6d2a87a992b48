"""ConsecutiveEmptyLines: runs of blank lines."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource


@lru_cache(maxsize=4)
def _blank_run(allowed: int) -> re.Pattern[str]:
    """More than *allowed* blank lines after a line end (a literal first character: a fast scan)."""
    return re.compile(rf"\n((?:[ \t]*\n){{{allowed + 1},}})")


@register
class ConsecutiveEmptyLines(Rule):
    """More than ``allowed_empty_lines_count`` blank lines in a row (1 by default).

    ## What it does
    Reports each run of consecutive blank lines longer than allowed, at the run's first line (the
    finding's end line is the run's last).

    ## Why is this bad
    One blank line separates; several only push code off the screen and make a reader wonder whether
    something was deleted there. They also show up as noise in comparisons and merges.

    ## Example
    ```bsl
    КонецПроцедуры



    Процедура Следующая()
    ```

    ## Use instead
    ```bsl
    КонецПроцедуры

    Процедура Следующая()
    ```
    """

    key = "ConsecutiveEmptyLines"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("badpractice",)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        allowed = params["allowed_empty_lines_count"]
        text = "\n" + module.text  # so a run at the very start follows a line end too
        first = counted = 0  # line ends counted so far, and the offset they were counted to
        for match in _blank_run(allowed).finditer(text):
            run = match.group(1).count("\n")
            # Counted on from the last run, not from the start (the added newline shifts by one line).
            first += text.count("\n", counted, match.start(1))
            counted = match.start(1)
            yield Finding(
                first, 1, f"{run} blank lines in a row, at most {allowed} allowed", end_line=first + run - 1
            )
