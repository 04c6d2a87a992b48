"""UsingGoto: the ``Перейти`` statement."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, keyword
from onec_analysis.rules.registry import register


@register
class UsingGoto(CallRule):
    """Use of the ``Перейти ~Метка`` / ``Goto ~Label`` statement.

    ## What it does
    Reports every ``Перейти`` (``Goto``) statement.

    ## Why is this bad
    A jump to a label makes the order in which statements run impossible to follow by reading down the
    method; loops and conditions written around it no longer say what happens. Every use can be
    replaced by a loop, ``Прервать``/``Продолжить``, ``Возврат`` or a smaller method.

    ## Example
    ```bsl
    Для Каждого Строка Из Таблица Цикл
        Если Строка.Сумма = 0 Тогда
            Перейти ~Конец;
        КонецЕсли;
    КонецЦикла;
    ~Конец:
    ```

    ## Use instead
    ```bsl
    Для Каждого Строка Из Таблица Цикл
        Если Строка.Сумма = 0 Тогда
            Прервать;
        КонецЕсли;
    КонецЦикла;
    ```
    """

    key = "UsingGoto"
    type = "CODE_SMELL"
    severity = "CRITICAL"
    tags = ("standard", "badpractice")
    needs_any = ("перейти", "goto")
    pattern = keyword("Перейти", "Goto")
    message = "Replace the {name} statement with a loop, Прервать, Продолжить or Возврат"
