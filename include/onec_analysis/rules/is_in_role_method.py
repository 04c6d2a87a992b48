"""IsInRoleMethod: checking access by ``РольДоступна()``."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register


@register
class IsInRoleMethod(CallRule):
    """Checking a user's access with ``РольДоступна()`` / ``IsInRole()``.

    ## What it does
    Reports every call of the global method ``РольДоступна`` (``IsInRole``).

    ## Why is this bad
    A check by role name ties the code to one particular set of roles: it breaks when roles are
    renamed, split or combined into profiles, and it ignores the rights a user gets from other roles.
    The standards ask to check the right itself (``ПравоДоступа``) or SSL's
    ``Пользователи.РолиДоступны``, which also lets a full administrator through.

    ## Example
    ```bsl
    Если РольДоступна("ДобавлениеИзменениеКонтрагентов") Тогда
        Элементы.Создать.Доступность = Истина;
    КонецЕсли;
    ```

    ## Use instead
    ```bsl
    Если ПравоДоступа("Добавление", Метаданные.Справочники.Контрагенты) Тогда
        Элементы.Создать.Доступность = Истина;
    КонецЕсли;
    ```
    """

    key = "IsInRoleMethod"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "badpractice")
    edt = ("using-isinrole",)
    apk = (336, 515)
    needs_any = ("рольдоступна", "isinrole")
    pattern = global_call("РольДоступна", "IsInRole")
    message = "Check the right with ПравоДоступа() or Пользователи.РолиДоступны() instead of {name}()"
