"""ServerSideExportFormMethod: export server methods in form modules."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class ServerSideExportFormMethod(MethodRule):
    """An export method of a form module compiled on the server.

    ## What it does
    Reports form module methods that are ``Экспорт`` and have a server directive (``&НаСервере``,
    ``&НаСервереБезКонтекста``).

    ## Why is this bad
    Other code can reach a form's export methods only through the form object on the client; a server
    method of the form cannot be called from outside at all, so ``Экспорт`` there is either a mistake
    or a sign that the logic belongs to a common or manager module.

    ## Example
    ```bsl
    &НаСервере
    Процедура ПересчитатьНаСервере() Экспорт
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    &НаСервере
    Процедура ПересчитатьНаСервере()
    КонецПроцедуры
    ```
    """

    key = "ServerSideExportFormMethod"
    type = "ERROR"
    severity = "BLOCKER"
    tags = ("standard", "suspicious", "unpredictable")
    needs_any = ("экспорт", "export")

    def applies(self, module: ModuleSource) -> bool:
        return module.module_type == "FormModule" and super().applies(module)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if (
            method.export
            and method.directives
            and all("Server" in d and "Client" not in d for d in method.directives)
        ):
            return f"Form method {method.name} runs on the server and cannot be called from outside: remove Экспорт"
        return None
