"""UnusedLocalMethod: private methods nobody calls."""

from __future__ import annotations

import re
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
            name: method
            for method in module.methods
            if not method.export
            and method.name
            and (name := method.name.lower()) not in EVENT_HANDLERS
            and name not in module.form_handlers
            and not name.startswith(_ATTACHABLE)
            and not (module.module_type == "FormModule" and _is_command_handler(method))
        }
        if not candidates:
            return
        used = {name for name, method in candidates.items() if _used(module, name, method)}
        for name, method in candidates.items():
            if name not in used:
                line, column = method_name_position(module, method)
                yield Finding(
                    line, column, f"Method {method.name} is never used in its module", method.end_line
                )


def _is_command_handler(method: Method) -> bool:
    return len(method.param_names) == 1 and method.param_names[0].lower() in ("команда", "command")


def _used(module: ModuleSource, name: str, method: Method) -> bool:
    """Whether *name* occurs as a whole word outside the lines of *method*, in code or in a string."""
    if module.lower_is_charwise and _NAME.fullmatch(name):
        # Most candidates are never used. Rather than scan the module text for each of them: a whole
        # word in code outside the method is a word of the code view there (the times the name is a
        # word of the code, against the times it is one in its own lines, tell whether to look at all);
        # a whole word in a string literal is one of ``literal_words``. Only a name found among those
        # takes the scan of the text, ``_used_in_text``.
        code = module.code
        start, end = module.method_code(method)
        if module.identifier_counts.get(name, 0) > _whole_words(code, name, start, end) and (
            _whole_words(code, name, 0, start, first=True)
            or _whole_words(code, name, end, len(code), first=True)
        ):
            return True
        if name not in module.literal_words:
            return False
    return _used_in_text(module, name, method)


def _used_in_text(module: ModuleSource, name: str, method: Method) -> bool:
    """The definition: a whole-word occurrence of *name* in the text, outside the lines of *method*,
    before the line's comment."""
    lower = module.lower
    code_lines = module.code_lines
    starts = module.text_line_starts
    at = lower.find(name)
    while at >= 0:
        end = at + len(name)
        if (at == 0 or not _is_word_char(lower[at - 1])) and (
            end == len(lower) or not _is_word_char(lower[end])
        ):
            number = bisect_right(starts, at)
            if not method.start_line <= number <= method.end_line:  # its declaration or a recursive call
                column = at - starts[number - 1]
                code = code_lines[number - 1] if number <= len(code_lines) else ""
                # Past the end of the code view the line is a comment; a blank in it is a string
                # literal — a handler named in ОписаниеОповещения and the like counts as used.
                if column < len(code):
                    return True
        at = lower.find(name, end)
    return False


#: A name whose every whole-word occurrence in ``code`` is one of ``ModuleSource.identifier_counts``.
_NAME = re.compile(r"[a-zа-яё_][a-zа-яё_0-9]*")


def _whole_words(code: str, name: str, start: int, end: int, *, first: bool = False) -> int:
    """Occurrences of *name* as a whole word in ``code[start:end]`` (with *first*: 1 at the first one)."""
    count = 0
    at = code.find(name, start, end)
    while at >= 0:
        after = at + len(name)
        if (at == 0 or not _is_word_char(code[at - 1])) and (
            after == len(code) or not _is_word_char(code[after])
        ):
            count += 1
            if first:
                break
        at = code.find(name, after, end)
    return count


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"
