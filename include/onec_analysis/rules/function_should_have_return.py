"""FunctionShouldHaveReturn: functions that never return a value."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule, keyword, method_body
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource

RETURN = keyword("Возврат", "Return")


@register
class FunctionShouldHaveReturn(MethodRule):
    """A function whose body has no ``Возврат`` statement.

    ## What it does
    Reports functions (``Функция``) with no ``Возврат`` (``Return``) anywhere in their body.

    ## Why is this bad
    A function without ``Возврат`` always returns ``Неопределено``: callers that use its result get a
    value nobody wrote, and the next reader cannot tell whether a return was forgotten or the function
    should be a procedure.

    ## Example
    ```bsl
    Функция ЗаполнитьШапку(Документ)
        Документ.Дата = ТекущаяДатаСеанса();
    КонецФункции
    ```

    ## Use instead
    ```bsl
    Процедура ЗаполнитьШапку(Документ)
        Документ.Дата = ТекущаяДатаСеанса();
    КонецПроцедуры
    ```
    """

    key = "FunctionShouldHaveReturn"
    type = "ERROR"
    severity = "MAJOR"
    tags = ("suspicious", "unpredictable")

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if not method.is_function:
            return None
        start, end = method_body(module, method)
        if not module.find_all(RETURN, ("возврат", "return"), start, end):
            return f"Function {method.name} has no Возврат: it always returns Неопределено"
        return None
