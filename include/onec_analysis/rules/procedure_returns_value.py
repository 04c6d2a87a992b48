"""ProcedureReturnsValue: ``Возврат <value>`` in a procedure."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import GLOBAL, method_body, words
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

# Возврат followed by something other than ";" or a keyword that ends the statement's block.
_RETURN_VALUE = re.compile(
    rf"{GLOBAL}(?:возврат|return)(?!\w)\s*(?!;|\s|$|(?:{words('КонецПроцедуры', 'КонецЕсли', 'КонецЦикла', 'КонецПопытки', 'Иначе', 'ИначеЕсли', 'Исключение', 'EndProcedure', 'EndIf', 'EndDo', 'EndTry', 'Else', 'ElsIf', 'Except')})(?!\w))"
)


@register
class ProcedureReturnsValue(Rule):
    """A procedure with ``Возврат <value>``.

    ## What it does
    Reports ``Возврат`` statements with a value inside procedures (``Процедура``).

    ## Why is this bad
    The platform refuses to compile a procedure that returns a value, so the module does not load at
    all — often found only when a user opens the form. Usually a function was turned into a procedure
    and one return was missed.

    ## Example
    ```bsl
    Процедура Проверить(Данные)
        Если Данные = Неопределено Тогда
            Возврат Ложь;
        КонецЕсли;
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    Процедура Проверить(Данные)
        Если Данные = Неопределено Тогда
            Возврат;
        КонецЕсли;
    КонецПроцедуры
    ```
    """

    key = "ProcedureReturnsValue"
    type = "ERROR"
    severity = "BLOCKER"
    tags = ("error",)
    needs_any = ("возврат", "return")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        for method in module.methods:
            if method.is_function:
                continue
            start, end = method_body(module, method)
            for match in module.find_all(_RETURN_VALUE, self.needs_any, start, end):
                line, column = module.position(match.start())
                yield Finding(
                    line,
                    column,
                    f"Procedure {method.name} returns a value: make it a function or drop the value",
                )
