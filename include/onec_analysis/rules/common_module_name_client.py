"""CommonModuleNameClient: client common modules without the "Клиент" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule, client, server
from onec_analysis.rules.registry import register


@register
class CommonModuleNameClient(CommonModuleNameRule):
    """A client-only common module whose name does not end with ``Клиент`` (``Client``).

    ## What it does
    Reports common modules compiled for the managed application's client and not for the server, not
    global, whose name lacks the ``Клиент`` / ``Client`` suffix (``…КлиентГлобальный`` is
    CommonModuleNameGlobal's business).

    ## Why is this bad
    The 1C standards encode where a common module runs in its name, so that a call like
    ``ОбменДанными.Выгрузить()`` tells the reader — and the reviewer of a server method — whether it is
    legal there. A client module named like a server one invites calls that fail at run time.

    ## Example
    ```bsl
    // CommonModule "РаботаСФайлами": flags Клиент (управляемое приложение) only
    РаботаСФайлами.ОткрытьФайл(Ссылка);
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "РаботаСФайламиКлиент"
    РаботаСФайламиКлиент.ОткрытьФайл(Ссылка);
    ```
    """

    key = "CommonModuleNameClient"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "badpractice", "unpredictable")
    suffixes = ("клиент", "client")
    expected = "Клиент (Client)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return client(props) and not server(props) and not props.get("global")
