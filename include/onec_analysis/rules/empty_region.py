"""EmptyRegion: ``#Область`` with no code inside."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource


@register
class EmptyRegion(Rule):
    """A ``#Область`` region that holds no code.

    ## What it does
    Reports regions whose lines between ``#Область`` and ``#КонецОбласти`` hold only blanks, comments
    and other (empty) regions.

    ## Why is this bad
    Empty regions are left over from a module template or from code moved elsewhere. They make the
    module look structured while hiding where the code really is, and they clutter the outline.

    ## Example
    ```bsl
    #Область СлужебныйПрограммныйИнтерфейс
    #КонецОбласти
    ```

    ## Use instead
    ```bsl
    // Remove the region, or put in it the methods it names.
    ```
    """

    key = "EmptyRegion"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("standard",)
    needs_text = ("#",)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        code = module.code
        for region in module.regions:
            start = module.line_offset(region.start_line + 1)
            end = module.line_offset(region.end_line)
            if start >= end or not code[start:end].strip():
                name = region.name or "(unnamed)"
                yield Finding(
                    region.start_line, region.column, f"Region {name} is empty", end_line=region.end_line
                )
