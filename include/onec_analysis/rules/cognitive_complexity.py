"""CognitiveComplexity: methods that are hard to understand."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class CognitiveComplexity(MethodRule):
    """A method whose cognitive complexity is above ``complexity_threshold`` (15 by default).

    ## What it does
    Reports methods whose cognitive complexity — computed by the snapshot reader with the SonarSource
    method (+1 for each break in the linear flow, more for each level of nesting) — exceeds the
    threshold.

    ## Why is this bad
    Cognitive complexity measures how hard a method is to follow for a human: nested conditions inside
    loops inside attempts multiply what a reader must keep in mind. Such methods are where defects are
    introduced on change and where reviews miss them.

    ## Example
    ```bsl
    Для Каждого Строка Из Товары Цикл
        Если Строка.Количество > 0 Тогда
            Если Строка.Цена = 0 И Не Строка.Бесплатно Тогда
                Попытка ... Исключение ... КонецПопытки;
            КонецЕсли;
        КонецЕсли;
    КонецЦикла;
    ```

    ## Use instead
    ```bsl
    Для Каждого Строка Из Товары Цикл
        Если СтрокаТребуетЦены(Строка) Тогда
            ЗаполнитьЦену(Строка);
        КонецЕсли;
    КонецЦикла;
    ```
    """

    key = "CognitiveComplexity"
    type = "CODE_SMELL"
    severity = "CRITICAL"
    tags = ("brainoverload",)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        limit = params["complexity_threshold"]
        if method.cognitive > limit:
            return f"Cognitive complexity of {method.name} is {method.cognitive}, more than {limit}"
        return None
