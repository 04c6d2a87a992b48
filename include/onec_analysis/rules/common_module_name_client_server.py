"""CommonModuleNameClientServer: client-and-server common modules without the "КлиентСервер" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule, client
from onec_analysis.rules.registry import register


@register
class CommonModuleNameClientServer(CommonModuleNameRule):
    """A common module compiled on both client and server whose name does not end with ``КлиентСервер``.

    ## What it does
    Reports common modules with both the server flag and the managed-client flag (and no server-call flag)
    whose name lacks the ``КлиентСервер`` / ``ClientServer`` suffix.

    ## Why is this bad
    Code of such a module must work on both sides: no queries, no client-only methods. The suffix
    warns whoever edits it; a module named like a server module attracts server-only code that then
    breaks every client that calls it.

    ## Example
    ```bsl
    // CommonModule "ОбщиеФункции": flags Сервер, Клиент (управляемое приложение)
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "ОбщиеФункцииКлиентСервер"
    ```
    """

    key = "CommonModuleNameClientServer"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "badpractice", "unpredictable")
    suffixes = ("клиентсервер", "clientserver")
    expected = "КлиентСервер (ClientServer)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return bool(props.get("server")) and client(props) and not props.get("serverCall")
