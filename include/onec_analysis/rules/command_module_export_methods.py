"""CommandModuleExportMethods: export methods in command modules."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class CommandModuleExportMethods(MethodRule):
    """An export method in a command module.

    ## What it does
    Reports methods declared ``Экспорт`` in the modules of commands and common commands.

    ## Why is this bad
    A command module is reached only through its ``ОбработкаКоманды`` handler: the platform offers no
    way to call its other methods from elsewhere, so ``Экспорт`` there suggests logic that others need
    and should live in a common module.

    ## Example
    ```bsl
    &НаКлиенте
    Процедура ОткрытьОтчет(Параметры) Экспорт
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    // in a client common module
    Процедура ОткрытьОтчет(Параметры) Экспорт
    КонецПроцедуры
    ```
    """

    key = "CommandModuleExportMethods"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("standard", "clumsy")
    needs_any = ("экспорт", "export")

    def applies(self, module: ModuleSource) -> bool:
        return module.module_type == "CommandModule" and super().applies(module)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if method.export:
            return f"Command module method {method.name} cannot be called from outside: remove Экспорт"
        return None
