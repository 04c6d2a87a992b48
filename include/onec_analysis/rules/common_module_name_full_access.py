"""CommonModuleNameFullAccess: privileged common modules without the "ПолныеПрава" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule
from onec_analysis.rules.registry import register


@register
class CommonModuleNameFullAccess(CommonModuleNameRule):
    """A privileged common module whose name does not end with ``ПолныеПрава`` (``FullAccess``).

    ## What it does
    Reports common modules with the ``Привилегированный`` (``privileged``) flag whose name lacks the
    ``ПолныеПрава`` / ``FullAccess`` suffix.

    ## Why is this bad
    Every method of a privileged module runs without access-right checks. The suffix makes each call
    into it stand out in code reviews and in security audits; without it, a call that bypasses the
    user's rights looks like any other.

    ## Example
    ```bsl
    // CommonModule "Зарплата": flag Привилегированный
    Оклад = Зарплата.ОкладСотрудника(Сотрудник);
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "ЗарплатаПолныеПрава"
    Оклад = ЗарплатаПолныеПрава.ОкладСотрудника(Сотрудник);
    ```
    """

    key = "CommonModuleNameFullAccess"
    type = "SECURITY_HOTSPOT"
    severity = "MAJOR"
    tags = ("standard",)
    suffixes = ("полныеправа", "fullaccess")
    expected = "ПолныеПрава (FullAccess)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return bool(props.get("privileged"))
