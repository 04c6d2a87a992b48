"""MethodSize: methods longer than a threshold."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class MethodSize(MethodRule):
    """A method longer than ``max_method_size`` lines (200 by default).

    ## What it does
    Reports a procedure or function whose declaration-to-``КонецПроцедуры`` span is longer than
    ``max_method_size`` lines (comments and blank lines inside count: they are read too).

    ## Why is this bad
    A long method does several things at once: it cannot be read in one screen, tested or reused in
    parts, and every change risks the parts the author did not look at. Long methods are also where
    queries in loops and deep nesting hide.

    ## Example
    ```bsl
    Процедура ОбработкаПроведения(Отказ, РежимПроведения)
        // 350 lines: checks, queries, register records and messages in one body
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    Процедура ОбработкаПроведения(Отказ, РежимПроведения)
        ДанныеДокумента = ДанныеДляПроведения();
        ПроверитьОстатки(ДанныеДокумента, Отказ);
        СформироватьДвижения(ДанныеДокумента);
    КонецПроцедуры
    ```
    """

    key = "MethodSize"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("badpractice",)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        size = method.end_line - method.start_line + 1
        limit = params["max_method_size"]
        if size > limit:
            return f"Method {method.name} has {size} lines, more than {limit}: split it"
        return None
