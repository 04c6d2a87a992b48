"""DeprecatedCurrentDate: the ``ТекущаяДата()`` method."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register


@register
class DeprecatedCurrentDate(CallRule):
    """Use of ``ТекущаяДата()`` / ``CurrentDate()``, the computer's clock instead of the session's date.

    ## What it does
    Reports every call of the global method ``ТекущаяДата`` (``CurrentDate``).

    ## Why is this bad
    ``ТекущаяДата`` returns the clock of the computer the code happens to run on: the server's in one
    call, a user's laptop in another, each in its own time zone. Documents get dates that depend on
    where they were written and on clocks that drift. The standards ask for the session date, which
    follows the time zone set for the infobase or the user.

    ## Example
    ```bsl
    Документ.Дата = ТекущаяДата();
    ```

    ## Use instead
    ```bsl
    Документ.Дата = ТекущаяДатаСеанса(); // on the client: ОбщегоНазначенияКлиент.ДатаСеанса()
    ```
    """

    key = "DeprecatedCurrentDate"
    type = "ERROR"
    severity = "MAJOR"
    tags = ("standard", "deprecated", "unpredictable")
    apk = (143,)
    needs_any = ("текущаядата", "currentdate")
    pattern = global_call("ТекущаяДата", "CurrentDate")
    message = "Use ТекущаяДатаСеанса() instead of {name}()"
