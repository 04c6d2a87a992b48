"""ExecuteExternalCodeInCommonModule: ``Выполнить()``/``Вычислить()`` in server common modules."""

from __future__ import annotations

from onec_analysis.rules.execute_external_code import EXECUTE
from onec_analysis.rules.lexicon import CallRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource


@register
class ExecuteExternalCodeInCommonModule(CallRule):
    """Running code from a string (``Выполнить``/``Вычислить``) in a server common module.

    ## What it does
    Reports calls of ``Выполнить`` (``Execute``) and ``Вычислить`` (``Eval``) in common modules that
    are compiled on the server.

    ## Why is this bad
    A common module's export methods can be called from anywhere, so a string that reaches
    ``Выполнить`` there may come from any caller — including a client call when the module is a
    server-call module. Executing it outside safe mode gives that caller the full rights of the server.

    ## Example
    ```bsl
    Функция ЗначениеВыражения(Выражение) Экспорт
        Возврат Вычислить(Выражение);
    КонецФункции
    ```

    ## Use instead
    ```bsl
    Функция ЗначениеВыражения(Выражение) Экспорт
        Возврат ОбщегоНазначения.ВычислитьВБезопасномРежиме(Выражение);
    КонецФункции
    ```
    """

    key = "ExecuteExternalCodeInCommonModule"
    type = "SECURITY_HOTSPOT"
    severity = "CRITICAL"
    tags = ("badpractice", "standard")
    apk = (488,)
    needs_any = ("выполнить", "вычислить", "execute", "eval")
    pattern = EXECUTE
    side = "server"
    message = "{name}() in a server common module runs code from a string: use safe mode"

    def applies(self, module: ModuleSource) -> bool:
        return module.is_common_module and super().applies(module)

    def in_context(self, module: ModuleSource, method: Method | None) -> bool:
        return module.runs_on_server(method)
