"""CompilationDirectiveLost: form and command methods without a compilation directive."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class CompilationDirectiveLost(MethodRule):
    """A form or command module method without ``&НаКлиенте``/``&НаСервере``/… directive.

    ## What it does
    Reports methods of form modules and command modules declared without a compilation directive.

    ## Why is this bad
    In a form module a method without a directive is silently compiled on the server, so a handler
    meant for the client turns every call into a server round trip, and a reader cannot tell where the
    method runs without knowing the default. The standards require an explicit directive on every
    method of these modules.

    ## Example
    ```bsl
    Процедура ОбновитьИтоги()
        Объект.Итого = Объект.Товары.Итог("Сумма");
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    &НаКлиенте
    Процедура ОбновитьИтоги()
        Объект.Итого = Объект.Товары.Итог("Сумма");
    КонецПроцедуры
    ```
    """

    key = "CompilationDirectiveLost"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "unpredictable")

    def applies(self, module: ModuleSource) -> bool:
        return module.module_type in ("FormModule", "CommandModule")

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if not method.directives:
            return f"Method {method.name} has no compilation directive (&НаКлиенте, &НаСервере …)"
        return None
