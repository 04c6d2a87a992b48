"""DataExchangeLoading: write handlers that ignore ``ОбменДанными.Загрузка``."""

from __future__ import annotations

import re
from typing import Any

from onec_analysis.rules.lexicon import MethodRule, method_body
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource

HANDLERS = frozenset(
    {"передзаписью", "призаписи", "передудалением", "beforewrite", "onwrite", "beforedelete"}
)
_LOAD_CHECK = re.compile(r"(?:обменданными|dataexchange)\s*\.\s*(?:загрузка|load)(?!\w)")


@register
class DataExchangeLoading(MethodRule):
    """A ``ПередЗаписью``/``ПриЗаписи``/``ПередУдалением`` handler that never checks ``ОбменДанными.Загрузка``.

    ## What it does
    Reports these handlers in object and record set modules when their body does not mention
    ``ОбменДанными.Загрузка`` (``DataExchange.Load``).

    ## Why is this bad
    When data arrives by exchange or is restored from a backup, ``ОбменДанными.Загрузка`` is ``Истина``
    and the object must be written exactly as it came: checks, filling and extra records in the handler
    then reject or change the incoming data and break the exchange. The standards require the handler
    to return at once in that mode.

    ## Example
    ```bsl
    Процедура ПередЗаписью(Отказ)
        ЗаполнитьСумму();
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    Процедура ПередЗаписью(Отказ)
        Если ОбменДанными.Загрузка Тогда
            Возврат;
        КонецЕсли;
        ЗаполнитьСумму();
    КонецПроцедуры
    ```
    """

    key = "DataExchangeLoading"
    type = "ERROR"
    severity = "CRITICAL"
    tags = ("standard", "badpractice", "unpredictable")
    edt = ("data-exchange-load",)
    apk = (75,)

    def applies(self, module: ModuleSource) -> bool:
        return module.module_type in ("ObjectModule", "RecordSetModule") and bool(module.methods)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if method.name.lower() not in HANDLERS:
            return None
        start, end = method_body(module, method)
        if _LOAD_CHECK.search(module.code, start, end) is None:
            return f"{method.name} does not check ОбменДанными.Загрузка"
        return None
