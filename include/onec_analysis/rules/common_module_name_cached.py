"""CommonModuleNameCached: common modules reusing return values without the "ПовтИсп" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule
from onec_analysis.rules.registry import register


@register
class CommonModuleNameCached(CommonModuleNameRule):
    """A common module with return-value reuse whose name does not end with ``ПовтИсп`` (``Cached``).

    ## What it does
    Reports common modules whose ``Повторное использование возвращаемых значений``
    (``returnValuesReuse``) is "during request" or "during session", when the name lacks the
    ``ПовтИсп`` / ``ПовторноеИспользование`` / ``Cached`` suffix.

    ## Why is this bad
    Functions of such a module return the same value for the same arguments until the request or
    session ends — even after the data changed, and the returned collections must not be modified.
    Callers have to know this to use them safely; the suffix is how the standards tell them.

    ## Example
    ```bsl
    // CommonModule "НастройкиПрограммы": returnValuesReuse = DuringSession
    Настройки = НастройкиПрограммы.Настройки(); // cached for the whole session
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "НастройкиПрограммыПовтИсп"
    Настройки = НастройкиПрограммыПовтИсп.Настройки();
    ```
    """

    key = "CommonModuleNameCached"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "badpractice", "unpredictable")
    suffixes = ("повтисп", "повторноеиспользование", "cached")
    expected = "ПовтИсп (Cached)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return props.get("returnValuesReuse") in ("DuringRequest", "DuringSession")
