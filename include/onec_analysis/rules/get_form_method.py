"""GetFormMethod: opening forms through ``ПолучитьФорму()``."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import CallRule, words
from onec_analysis.rules.registry import register


@register
class GetFormMethod(CallRule):
    """Creating a form with ``ПолучитьФорму()`` / ``GetForm()`` before opening it.

    ## What it does
    Reports calls of ``ПолучитьФорму`` (``GetForm``), global or on a manager/object.

    ## Why is this bad
    A form obtained this way is created on the client, then its parameters are filled in by separate
    statements — each property set costs a server call, and ``ПриСозданииНаСервере`` runs before the
    parameters arrive. ``ОткрытьФорму`` passes the parameters with the single server call that creates
    the form.

    ## Example
    ```bsl
    Форма = ПолучитьФорму("Справочник.Контрагенты.ФормаСписка");
    Форма.РежимВыбора = Истина;
    Форма.Открыть();
    ```

    ## Use instead
    ```bsl
    ОткрытьФорму("Справочник.Контрагенты.ФормаСписка", Новый Структура("РежимВыбора", Истина));
    ```
    """

    key = "GetFormMethod"
    type = "ERROR"
    severity = "MAJOR"
    tags = ("standard", "error")
    apk = (65,)
    needs_any = ("получитьформу", "getform")
    pattern = re.compile(rf"(?<!\w)(?:{words('ПолучитьФорму', 'GetForm')})\s*\(")
    message = "Open the form with ОткрытьФорму() and its parameters instead of {name}()"
