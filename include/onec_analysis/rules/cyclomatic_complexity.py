"""CyclomaticComplexity: methods with too many paths."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class CyclomaticComplexity(MethodRule):
    """A method whose cyclomatic complexity is above ``complexity_threshold`` (20 by default).

    ## What it does
    Reports methods whose cyclomatic complexity — 1 plus one for each ``Если``/``ИначеЕсли``, loop,
    ``Исключение``, ``?()`` and ``И``/``ИЛИ`` in a condition, computed by the snapshot reader — exceeds
    the threshold.

    ## Why is this bad
    Cyclomatic complexity counts the independent paths through a method, which is the number of test
    cases needed to run every branch once. Above twenty, nobody tests them all, and a change in one
    branch breaks another unnoticed.

    ## Example
    ```bsl
    Функция СтавкаНДС(Товар, Дата, Организация, Договор)
        // 25 Если/ИначеЕсли branches for every combination
    КонецФункции
    ```

    ## Use instead
    ```bsl
    Функция СтавкаНДС(Товар, Дата, Организация, Договор)
        Если ОрганизацияБезНДС(Организация, Дата) Тогда
            Возврат Перечисления.СтавкиНДС.БезНДС;
        КонецЕсли;
        Возврат СтавкаПоТовару(Товар, Договор); // the remaining branches live in a table or a smaller method
    КонецФункции
    ```
    """

    key = "CyclomaticComplexity"
    type = "CODE_SMELL"
    severity = "CRITICAL"
    tags = ("brainoverload",)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        limit = params["complexity_threshold"]
        if method.cyclomatic > limit:
            return f"Cyclomatic complexity of {method.name} is {method.cyclomatic}, more than {limit}"
        return None
