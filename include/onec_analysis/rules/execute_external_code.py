"""ExecuteExternalCode: ``Выполнить()``/``Вычислить()`` in server code outside common modules."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource

EXECUTE = global_call("Выполнить", "Вычислить", "Execute", "Eval")


@register
class ExecuteExternalCode(CallRule):
    """Running code from a string (``Выполнить``/``Вычислить``) on the server.

    ## What it does
    Reports calls of ``Выполнить`` (``Execute``) and ``Вычислить`` (``Eval``) in code that runs on
    the server — object, manager, record set and form server methods. Common modules have their own
    rule, ExecuteExternalCodeInCommonModule.

    ## Why is this bad
    The text passed to ``Выполнить`` is code no reviewer has seen. When any part of it can come from a
    user, a file or a setting, it runs on the server with the rights of the session: reading and
    changing any data, starting processes. The standards allow it only in safe mode.

    ## Example
    ```bsl
    &НаСервере
    Процедура РассчитатьНаСервере()
        Результат = Вычислить(Объект.Формула);
    КонецПроцедуры
    ```

    ## Use instead
    ```bsl
    &НаСервере
    Процедура РассчитатьНаСервере()
        Результат = ОбщегоНазначения.ВычислитьВБезопасномРежиме(Объект.Формула);
    КонецПроцедуры
    ```
    """

    key = "ExecuteExternalCode"
    type = "VULNERABILITY"
    severity = "CRITICAL"
    tags = ("standard", "design")
    apk = (488,)
    needs_any = ("выполнить", "вычислить", "execute", "eval")
    pattern = EXECUTE
    side = "server"
    message = "{name}() runs code from a string on the server: use safe mode (ВыполнитьВБезопасномРежиме)"

    def in_context(self, module: ModuleSource, method: Method | None) -> bool:
        return not module.is_common_module and module.runs_on_server(method)
