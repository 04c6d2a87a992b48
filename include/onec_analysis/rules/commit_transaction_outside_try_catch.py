"""CommitTransactionOutsideTryCatch: ``ЗафиксироватьТранзакцию()`` not last in a ``Попытка``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import GLOBAL
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

_COMMIT = re.compile(
    rf"{GLOBAL}(?:зафиксироватьтранзакцию|committransaction)\s*\([^()]*\)(?>\s*;?\s*)(?!(?:исключение|except)(?!\w))"
)


@register
class CommitTransactionOutsideTryCatch(Rule):
    """``ЗафиксироватьТранзакцию()`` that is not the last statement of a ``Попытка`` block.

    ## What it does
    Reports calls of ``ЗафиксироватьТранзакцию`` (``CommitTransaction``) not followed directly by
    ``Исключение`` (``Except``) — outside a ``Попытка`` or with more statements after it.

    ## Why is this bad
    Outside ``Попытка`` a failed commit leaves nobody to roll the transaction back. With statements
    after it inside ``Попытка``, an exception in them lands in ``Исключение``, which then calls
    ``ОтменитьТранзакцию`` for a transaction that was already committed — an error that hides the first
    one.

    ## Example
    ```bsl
    Попытка
        Документ.Записать();
    Исключение
        ОтменитьТранзакцию();
        ВызватьИсключение;
    КонецПопытки;
    ЗафиксироватьТранзакцию();
    ```

    ## Use instead
    ```bsl
    Попытка
        Документ.Записать();
        ЗафиксироватьТранзакцию();
    Исключение
        ОтменитьТранзакцию();
        ВызватьИсключение;
    КонецПопытки;
    ```
    """

    key = "CommitTransactionOutsideTryCatch"
    type = "ERROR"
    severity = "MAJOR"
    tags = ("standard",)
    apk = (330,)
    needs_any = ("зафиксироватьтранзакцию", "committransaction")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        for match in module.find_all(_COMMIT, self.needs_any):
            line, column = module.position(match.start())
            yield Finding(
                line, column, "ЗафиксироватьТранзакцию() must be the last statement before Исключение"
            )
