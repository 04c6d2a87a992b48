"""DisableSafeMode: switching safe mode off."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import GLOBAL, CallRule, words
from onec_analysis.rules.registry import register


@register
class DisableSafeMode(CallRule):
    """Switching safe mode off: ``УстановитьБезопасныйРежим(Ложь)`` or ``УстановитьОтключениеБезопасногоРежима(Истина)``.

    ## What it does
    Reports ``УстановитьБезопасныйРежим(Ложь)`` (``SetSafeMode(False)``) and
    ``УстановитьОтключениеБезопасногоРежима(Истина)`` (``SetSafeModeDisabled(True)``).

    ## Why is this bad
    Safe mode is what keeps external code — extensions, external reports and data processors, text
    given to ``Выполнить`` — from touching files, COM objects, other processes and privileged mode.
    Switching it off hands all of that to code the configuration does not control.

    ## Example
    ```bsl
    УстановитьОтключениеБезопасногоРежима(Истина);
    ВнешняяОбработка.ВыполнитьКоманду();
    ```

    ## Use instead
    ```bsl
    // Keep safe mode on; grant the external code only the permissions it asked for
    // (SSL: РаботаВБезопасномРежиме.ЗапросНаИспользованиеВнешнихРесурсов).
    ВнешняяОбработка.ВыполнитьКоманду();
    ```
    """

    key = "DisableSafeMode"
    type = "VULNERABILITY"
    severity = "MAJOR"
    tags = ("standard", "badpractice")
    needs_any = (
        "установитьбезопасныйрежим",
        "setsafemode",
        "установитьотключениебезопасногорежима",
        "setsafemodedisabled",
    )
    pattern = re.compile(
        rf"{GLOBAL}(?:(?:{words('УстановитьБезопасныйРежим', 'SetSafeMode')})\s*\(\s*(?:ложь|false)\s*\)"
        rf"|(?:{words('УстановитьОтключениеБезопасногоРежима', 'SetSafeModeDisabled')})\s*\(\s*(?:истина|true)\s*\))"
    )
    message = "Safe mode is switched off: external code runs with full rights"
