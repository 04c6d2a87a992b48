"""PrivilegedModuleMethodCall: calls into common modules that run in privileged mode."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from onec_analysis.rules.lexicon import written_name
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource


@lru_cache(maxsize=8)
def _privileged_call(names: frozenset[str]) -> re.Pattern[str]:
    alternation = "|".join(sorted(map(re.escape, names), key=len, reverse=True))
    return re.compile(rf"(?<![\w.])(?:{alternation})\s*\.\s*[^\W\d]\w*\s*\(")


_last: tuple[dict | None, frozenset[str]] = (None, frozenset())


def _privileged(module: ModuleSource) -> frozenset[str]:
    """Names of the privileged common modules (every module of a snapshot shares one dict)."""
    global _last
    if _last[0] is not module.common_modules:
        names = frozenset(name for name, props in module.common_modules.items() if props.get("privileged"))
        _last = (module.common_modules, names)
    return _last[1]


@register
class PrivilegedModuleMethodCall(Rule):
    """A call of a method of a common module that has the "privileged" flag.

    ## What it does
    Reports ``Модуль.Метод(…)`` calls where ``Модуль`` is a common module whose ``privileged`` flag is
    set (read from the configuration's metadata), from any other module.

    ## Why is this bad
    Methods of a privileged module run without access-right checks for whoever calls them. Every call
    site is therefore a place where a user may reach data their roles forbid; each needs a reason, and
    the arguments passed must not let the caller widen what the method reads or writes.

    ## Example
    ```bsl
    Оклад = ЗарплатаПривилегированный.ОкладСотрудника(Параметры.Сотрудник);
    ```

    ## Use instead
    ```bsl
    // Keep the call, but check the caller's right to this employee first and pass only that value:
    Если Пользователи.ЭтоПолноправныйПользователь() Или ДоступенСотрудник(Сотрудник) Тогда
        Оклад = ЗарплатаПривилегированный.ОкладСотрудника(Сотрудник);
    КонецЕсли;
    ```
    """

    key = "PrivilegedModuleMethodCall"
    type = "SECURITY_HOTSPOT"
    severity = "MAJOR"
    tags = ("standard",)

    def applies(self, module: ModuleSource) -> bool:
        names = _privileged(module)
        return bool(names) and not names.isdisjoint(module.identifiers)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        names = _privileged(module)
        own = (
            module.object_id.split(".", 1)[1].lower()
            if module.is_common_module and module.object_id
            else None
        )
        for match in module.find_all(_privileged_call(names), names):
            module_name = match.group().split(".", 1)[0].strip()
            if module_name == own:
                continue
            line, column = module.position(match.start())
            yield Finding(
                line,
                column,
                f"Call into privileged module {written_name(module, line, column)}: access rights are not checked there",
            )
