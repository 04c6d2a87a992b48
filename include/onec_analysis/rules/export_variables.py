"""ExportVariables: module variables declared with ``Экспорт``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import written_name
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

_DECLARATION = re.compile(r"(?<![\w.])(?:перем|var)(?!\w)[^;]*")
_EXPORTED = re.compile(r"([^\W\d]\w*)\s+(?:экспорт|export)(?!\w)")


@register
class ExportVariables(Rule):
    """A module variable declared ``Перем Имя Экспорт``.

    ## What it does
    Reports every variable of a ``Перем`` declaration that carries ``Экспорт`` (``Export``).

    ## Why is this bad
    An export variable is global state: any code holding the object (or, in the application module,
    any client code) can change it, nothing says who set it last, and its value is lost between server
    calls. Values that must be shared belong in parameters, form attributes or a cached common module.

    ## Example
    ```bsl
    Перем ТекущийСклад Экспорт;
    ```

    ## Use instead
    ```bsl
    Функция ТекущийСклад() Экспорт // in a module with returnValuesReuse, or pass it as a parameter
        Возврат ОбщегоНазначения.ХранилищеОбщихНастроекЗагрузить("Склады", "Текущий");
    КонецФункции
    ```
    """

    key = "ExportVariables"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "design", "unpredictable")
    needs_any = ("перем", "var")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        code = module.code
        for declaration in module.find_all(_DECLARATION, self.needs_any):
            for variable in _EXPORTED.finditer(code, declaration.start(), declaration.end()):
                line, column = module.position(variable.start(1))
                yield Finding(
                    line,
                    column,
                    f"Variable {written_name(module, line, column)} is exported: avoid global state",
                )
