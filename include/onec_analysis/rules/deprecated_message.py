"""DeprecatedMessage: the global ``Сообщить()`` method."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register


@register
class DeprecatedMessage(CallRule):
    """Use of the deprecated global method ``Сообщить()`` / ``Message()``.

    ## What it does
    Reports every call of the global-context method ``Сообщить`` (``Message``).

    ## Why is this bad
    ``Сообщить`` writes to the message window without a link to the form field or data it is about,
    and messages sent from a background job or the server are lost when nobody is listening. The 1C
    development standards require ``СообщениеПользователю`` (or SSL's
    ``ОбщегоНазначения.СообщитьПользователю``), which can point at the field and is delivered from
    background jobs.

    ## Example
    ```bsl
    Если Не ЗначениеЗаполнено(Объект.Контрагент) Тогда
        Сообщить("Не заполнен контрагент");
    КонецЕсли;
    ```

    ## Use instead
    ```bsl
    Если Не ЗначениеЗаполнено(Объект.Контрагент) Тогда
        ОбщегоНазначения.СообщитьПользователю(НСтр("ru = 'Не заполнен контрагент'"), , "Объект.Контрагент");
    КонецЕсли;
    ```
    """

    key = "DeprecatedMessage"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "deprecated")
    needs_any = ("сообщить", "message")
    pattern = global_call("Сообщить", "Message")
    message = "Use СообщениеПользователю or ОбщегоНазначения.СообщитьПользователю instead of {name}()"
