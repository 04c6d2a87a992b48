"""DeprecatedFind: the global ``Найти()`` string function."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register


@register
class DeprecatedFind(CallRule):
    """Use of the deprecated global string function ``Найти()`` / ``Find()``.

    ## What it does
    Reports calls of the global-context function ``Найти`` (``Find``). Methods of collections with the
    same name (``Массив.Найти``) are not reported.

    ## Why is this bad
    ``Найти`` is kept only for compatibility; ``СтрНайти`` does the same and more (search direction,
    start position, n-th occurrence) and is what readers of current code expect.

    ## Example
    ```bsl
    Если Найти(Имя, ".") > 0 Тогда
    ```

    ## Use instead
    ```bsl
    Если СтрНайти(Имя, ".") > 0 Тогда
    ```
    """

    key = "DeprecatedFind"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("deprecated",)
    needs_any = ("найти", "find")
    pattern = global_call("Найти", "Find")
    message = "Use СтрНайти() instead of the deprecated {name}()"
