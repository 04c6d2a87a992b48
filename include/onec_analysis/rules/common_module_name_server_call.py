"""CommonModuleNameServerCall: server-call common modules without the "ВызовСервера" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule, client
from onec_analysis.rules.registry import register


@register
class CommonModuleNameServerCall(CommonModuleNameRule):
    """A common module with the "server call" flag whose name does not end with ``ВызовСервера``.

    ## What it does
    Reports server common modules with the ``Вызов сервера`` (``serverCall``) flag and no client
    flag whose name lacks the ``ВызовСервера`` / ``ServerCall`` suffix.

    ## Why is this bad
    Every export method of such a module is an entry point the client can call: a network round trip
    and an attack surface. The suffix makes each of those calls visible in client code and in reviews;
    without it, a client call to the server looks like any local call.

    ## Example
    ```bsl
    // CommonModule "ОстаткиТоваров": flags Сервер, Вызов сервера
    Остаток = ОстаткиТоваров.Остаток(Товар); // from a client form method
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "ОстаткиТоваровВызовСервера"
    Остаток = ОстаткиТоваровВызовСервера.Остаток(Товар);
    ```
    """

    key = "CommonModuleNameServerCall"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "badpractice", "unpredictable")
    suffixes = ("вызовсервера", "servercall")
    expected = "ВызовСервера (ServerCall)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return bool(props.get("server") and props.get("serverCall")) and not client(props)
