"""BeginTransactionBeforeTryCatch: ``НачатьТранзакцию()`` not followed by ``Попытка``."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import GLOBAL
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

_BEGIN = re.compile(
    rf"{GLOBAL}(?:начатьтранзакцию|begintransaction)\s*\([^()]*\)(?>\s*;?\s*)(?!(?:попытка|try)(?!\w))"
)


@register
class BeginTransactionBeforeTryCatch(Rule):
    """``НачатьТранзакцию()`` that is not immediately followed by ``Попытка``.

    ## What it does
    Reports calls of ``НачатьТранзакцию`` (``BeginTransaction``) whose next statement is not
    ``Попытка`` (``Try``).

    ## Why is this bad
    If anything between ``НачатьТранзакцию`` and ``Попытка`` raises an exception, the ``Исключение``
    branch that should call ``ОтменитьТранзакцию`` never runs: the transaction stays open, locks are
    held until the session ends, and the caller's later writes fail with "transaction already broken".
    The standard pattern is ``НачатьТранзакцию(); Попытка … ЗафиксироватьТранзакцию(); Исключение
    ОтменитьТранзакцию(); … КонецПопытки;``.

    ## Example
    ```bsl
    НачатьТранзакцию();
    Блокировка.Заблокировать();
    Попытка
        Документ.Записать();
        ЗафиксироватьТранзакцию();
    Исключение
        ОтменитьТранзакцию();
        ВызватьИсключение;
    КонецПопытки;
    ```

    ## Use instead
    ```bsl
    НачатьТранзакцию();
    Попытка
        Блокировка.Заблокировать();
        Документ.Записать();
        ЗафиксироватьТранзакцию();
    Исключение
        ОтменитьТранзакцию();
        ВызватьИсключение;
    КонецПопытки;
    ```
    """

    key = "BeginTransactionBeforeTryCatch"
    type = "ERROR"
    severity = "MAJOR"
    tags = ("standard",)
    needs_any = ("начатьтранзакцию", "begintransaction")

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        for match in module.find_all(_BEGIN, self.needs_any):
            line, column = module.position(match.start())
            yield Finding(line, column, "НачатьТранзакцию() must be followed directly by Попытка")
