"""PublicMethodsDescription: export methods without a description comment."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.non_export_methods_in_api_region import API_REGIONS
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class PublicMethodsDescription(MethodRule):
    """An export method without a description comment above it.

    ## What it does
    Reports export procedures and functions with no ``//`` comment block right above the declaration
    (or above its compilation directive). Like bsl-language-server, only methods of the interface
    regions (``ПрограммныйИнтерфейс``, ``СлужебныйПрограммныйИнтерфейс``) are checked unless
    ``check_all_region`` is on — export methods elsewhere are usually notification handlers.

    ## Why is this bad
    An export method is an interface other modules rely on. Without a description — what it does, its
    parameters and return value — callers guess from the name, EDT and the language server show no
    hint, and the method cannot be kept compatible because nobody knows what it promised.

    ## Example
    ```bsl
    Функция ОстатокТовара(Товар, Склад) Экспорт
    ```

    ## Use instead
    ```bsl
    // Возвращает свободный остаток товара на складе.
    //
    // Параметры:
    //  Товар - СправочникСсылка.Номенклатура
    //  Склад - СправочникСсылка.Склады
    //
    // Возвращаемое значение:
    //  Число
    //
    Функция ОстатокТовара(Товар, Склад) Экспорт
    ```
    """

    key = "PublicMethodsDescription"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("standard", "brainoverload", "badpractice")
    needs_any = ("экспорт", "export")

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if not params["check_all_region"]:
            top = (method.region or "").split("/", 1)[0].lower()
            if top not in API_REGIONS:
                return None
        if method.export and not method.has_description:
            return f"Export method {method.name} has no description"
        return None
