"""CodeOutOfRegion: methods and variables outside any #Область."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from typing import Any

from onec_analysis.rules.lexicon import method_name_position, written_name
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource, Region

_VARIABLE = re.compile(r"(?<![\w.])(?:перем|var)\s+([^\W\d]\w*)")


@register
class CodeOutOfRegion(Rule):
    """A method or a module variable declared outside every ``#Область`` region.

    ## What it does
    Reports methods and ``Перем`` declarations of the module body that are not inside a
    ``#Область … #КонецОбласти`` region.

    ## Why is this bad
    The 1C module structure standard splits every module into known regions —
    ``ПрограммныйИнтерфейс``, ``СлужебныйПрограммныйИнтерфейс``, ``СлужебныеПроцедурыИФункции``,
    ``ОбработчикиСобытий`` … — so a reader knows which methods are the module's interface and which are
    internals. Code outside regions has no such status, and merging configuration updates into it is
    harder.

    ## Example
    ```bsl
    Процедура ЗаполнитьТовары() Экспорт
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    #Область ПрограммныйИнтерфейс

    Процедура ЗаполнитьТовары() Экспорт
    КонецПроцедуры

    #КонецОбласти
    ```
    """

    key = "CodeOutOfRegion"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("standard",)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        inside = _inside(module.regions)
        for method in module.methods:
            if not inside(method.start_line):
                line, column = method_name_position(module, method)
                yield Finding(line, column, f"Method {method.name} is outside every region", method.end_line)
        for match in module.find_all(_VARIABLE, ("перем", "var")):
            line, column = module.position(match.start(1))
            if module.method_at(line) is None and not inside(line):
                name = written_name(module, line, column)
                yield Finding(line, column, f"Variable {name} is outside every region")


def _inside(regions: list[Region]) -> Callable[[int], bool]:
    """Whether a line lies strictly between the first and last line of some region: the regions' inner
    lines merged into disjoint spans once, then a bisection per question (not a pass over the regions)."""
    spans: list[list[int]] = []
    for first, last in sorted((r.start_line + 1, r.end_line - 1) for r in regions):
        if first > last:
            continue
        if spans and first <= spans[-1][1] + 1:
            spans[-1][1] = max(spans[-1][1], last)
        else:
            spans.append([first, last])
    starts = [first for first, _ in spans]

    def inside(line: int) -> bool:
        index = bisect_right(starts, line) - 1
        return index >= 0 and line <= spans[index][1]

    return inside
