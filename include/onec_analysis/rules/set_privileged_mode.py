"""SetPrivilegedMode: switching privileged mode on in code."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import GLOBAL, CallRule, words
from onec_analysis.rules.registry import register


@register
class SetPrivilegedMode(CallRule):
    """Switching privileged mode on with ``УстановитьПривилегированныйРежим(Истина)``.

    ## What it does
    Reports calls of ``УстановитьПривилегированныйРежим`` (``SetPrivilegedMode``) whose argument is
    not the literal ``Ложь`` (switching privileged mode off is harmless).

    ## Why is this bad
    In privileged mode the code skips every access right and record-level restriction of the current
    user. Each use is a place where a user can read or change data their roles forbid, so each one
    must be reviewed: kept as short as possible, wrapped so that it is switched off in all paths, and
    preferably moved to a common module with the "privileged" flag whose methods are audited.

    ## Example
    ```bsl
    УстановитьПривилегированныйРежим(Истина);
    Сумма = Справочники.Сотрудники.НайтиПоКоду(Код).Оклад;
    ```

    ## Use instead
    ```bsl
    Сумма = ЗарплатаПривилегированный.ОкладСотрудника(Код); // an audited privileged common module
    ```
    """

    key = "SetPrivilegedMode"
    type = "SECURITY_HOTSPOT"
    severity = "MAJOR"
    tags = ("standard", "design")
    needs_any = ("установитьпривилегированныйрежим", "setprivilegedmode")
    pattern = re.compile(
        rf"{GLOBAL}(?:{words('УстановитьПривилегированныйРежим', 'SetPrivilegedMode')})\s*\((?!\s*(?:ложь|false)\s*\))"
    )
    message = "Privileged mode is switched on: make sure the access it grants is intended"
