"""CodeOutOfRegion: methods and variables outside any #Область."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import method_name_position, written_name
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

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
        regions = module.regions
        for method in module.methods:
            if not any(r.start_line < method.start_line < r.end_line for r in regions):
                line, column = method_name_position(module, method)
                yield Finding(line, column, f"Method {method.name} is outside every region", method.end_line)
        for match in module.find_all(_VARIABLE, ("перем", "var")):
            line, column = module.position(match.start(1))
            if module.method_at(line) is None and not any(r.start_line < line < r.end_line for r in regions):
                name = written_name(module, line, column)
                yield Finding(line, column, f"Variable {name} is outside every region")
