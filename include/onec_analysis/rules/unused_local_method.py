"""UnusedLocalMethod: private methods nobody calls."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import EVENT_HANDLERS, method_name_position
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import Method, ModuleSource

# Modules whose methods are bound to events in metadata rather than called from code.
_BOUND_IN_METADATA = frozenset(
    {"WebServiceModule", "HTTPServiceModule", "IntegrationServiceModule", "BotModule"}
)
_ATTACHABLE = ("подключаемый_", "attachable_")


@register
class UnusedLocalMethod(Rule):
    """A non-export method that nothing in its module uses.

    ## What it does
    Reports procedures and functions without ``Экспорт`` whose name appears nowhere else in the module
    outside its own body — not in a call, not in a string (``Новый ОписаниеОповещения("Имя", …)``,
    ``ПодключитьОбработчикОжидания("Имя", …)``). Methods bound by the platform are not reported: the
    form's event handlers (from the form's metadata), form command handlers (recognised by their single
    parameter ``Команда``/``Command``, since the snapshot does not list command actions), the standard event handlers of object, manager and
    application modules, ``Подключаемый_…`` methods, and methods of web, HTTP and integration services.

    ## Why is this bad
    Dead code is read, reviewed, searched and kept compatible for nothing; it hides the code that is
    used and tends to rot until someone calls it again and finds it broken.

    ## Example
    ```bsl
    Функция СтарыйРасчетСкидки(Сумма)
        Возврат Сумма * 0.05;
    КонецФункции
    ```

    ## Use instead
    ```bsl
    // Delete the method; version control remembers it.
    ```
    """

    key = "UnusedLocalMethod"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "suspicious", "unused")
    edt = ("module-unused-method",)
    apk = (547,)

    def applies(self, module: ModuleSource) -> bool:
        return bool(module.methods) and module.module_type not in _BOUND_IN_METADATA

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        candidates = {
            method.name.lower(): method
            for method in module.methods
            if not method.export
            and method.name
            and method.name.lower() not in EVENT_HANDLERS
            and method.name.lower() not in module.form_handlers
            and not method.name.lower().startswith(_ATTACHABLE)
            and not (module.module_type == "FormModule" and _is_command_handler(method))
        }
        if not candidates:
            return
        lower = module.lower
        code_lines = module.code_lines
        starts = module.text_line_starts
        used: set[str] = set()
        for name, method in candidates.items():
            at = lower.find(name)
            while at >= 0:
                end = at + len(name)
                if (at == 0 or not _is_word_char(lower[at - 1])) and (
                    end == len(lower) or not _is_word_char(lower[end])
                ):
                    number = bisect_right(starts, at)
                    if (
                        not method.start_line <= number <= method.end_line
                    ):  # its declaration or a recursive call
                        column = at - starts[number - 1]
                        code = code_lines[number - 1] if number <= len(code_lines) else ""
                        # Past the end of the code view the line is a comment; a blank in it is a string
                        # literal — a handler named in ОписаниеОповещения and the like counts as used.
                        if column < len(code):
                            used.add(name)
                            break
                at = lower.find(name, end)
        for name, method in candidates.items():
            if name not in used:
                line, column = method_name_position(module, method)
                yield Finding(
                    line, column, f"Method {method.name} is never used in its module", method.end_line
                )


def _is_command_handler(method: Method) -> bool:
    return len(method.param_names) == 1 and method.param_names[0].lower() in ("команда", "command")


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
