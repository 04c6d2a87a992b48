"""UsingModalWindows: modal dialogs in client code."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import GLOBAL, CallRule, words
from onec_analysis.rules.registry import register

MODAL_METHODS = (
    "Вопрос", "DoQueryBox", "Предупреждение", "DoMessageBox", "ОткрытьФормуМодально", "OpenFormModal",
    "ОткрытьЗначение", "OpenValue", "ВвестиДату", "InputDate", "ВвестиЗначение", "InputValue",
    "ВвестиСтроку", "InputString", "ВвестиЧисло", "InputNumber",
)  # fmt: skip


@register
class UsingModalWindows(CallRule):
    """Modal dialogs (``Вопрос``, ``Предупреждение``, ``ОткрытьМодально`` …) in client code.

    ## What it does
    Reports calls of the modal global methods (``Вопрос``, ``Предупреждение``, ``ВвестиЗначение`` …)
    and of the ``ОткрытьМодально`` method of a form, in code that runs on a managed application's
    client (the ordinary application's thick client has modal windows).

    ## Why is this bad
    Modal windows block the browser tab and are not part of web standards: with the modality mode set
    to "do not use" (the default for new configurations) they raise an error, in the web client they
    do not work at all. The standards require ``ПоказатьВопрос``, ``ПоказатьПредупреждение`` and
    ``ОткрытьФорму`` with a notification handler.

    ## Example
    ```bsl
    Если Вопрос("Удалить?", РежимДиалогаВопрос.ДаНет) = КодВозвратаДиалога.Да Тогда
        Удалить();
    КонецЕсли;
    ```

    ## Use instead
    ```bsl
    ПоказатьВопрос(Новый ОписаниеОповещения("ПослеОтвета", ЭтотОбъект), "Удалить?", РежимДиалогаВопрос.ДаНет);
    ```
    """

    key = "UsingModalWindows"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard",)
    needs_any = tuple(name.lower() for name in MODAL_METHODS) + ("открытьмодально", "domodal")
    pattern = re.compile(
        rf"{GLOBAL}(?:{words(*MODAL_METHODS)})\s*\(|(?<=\.)(?:{words('ОткрытьМодально', 'DoModal')})\s*\("
    )
    side = "managed_client"
    message = "{name}() opens a modal window: use the Показать…/notification-handler variant"
