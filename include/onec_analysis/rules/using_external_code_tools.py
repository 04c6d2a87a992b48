"""UsingExternalCodeTools: attaching external reports and data processors."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import GLOBAL, CallRule, words
from onec_analysis.rules.registry import register


@register
class UsingExternalCodeTools(CallRule):
    """Attaching or creating external reports and data processors.

    ## What it does
    Reports ``ВнешниеОбработки.Создать``/``Подключить`` and ``ВнешниеОтчеты.Создать``/``Подключить``
    (``ExternalDataProcessors``/``ExternalReports`` ``.Create``/``.Connect``).

    ## Why is this bad
    An external report or data processor is code that is not part of the configuration and was never
    reviewed with it. Attached outside safe mode it runs on the server with the session's full rights.
    The standards allow it only in safe mode and for files the administrator has approved (SSL's
    "Additional reports and data processors").

    ## Example
    ```bsl
    ИмяОбработки = ВнешниеОбработки.Подключить(АдресФайла, , Ложь);
    ```

    ## Use instead
    ```bsl
    ИмяОбработки = ВнешниеОбработки.Подключить(АдресФайла, , Истина); // safe mode, approved file only
    ```
    """

    key = "UsingExternalCodeTools"
    type = "SECURITY_HOTSPOT"
    severity = "CRITICAL"
    tags = ("standard", "design")
    apk = (552, 553, 556)
    needs_any = ("внешниеобработки", "внешниеотчеты", "externaldataprocessors", "externalreports")
    pattern = re.compile(
        rf"{GLOBAL}(?:{words('ВнешниеОбработки', 'ВнешниеОтчеты', 'ExternalDataProcessors', 'ExternalReports')})"
        rf"\s*\.\s*(?:{words('Создать', 'Подключить', 'Create', 'Connect')})\s*\("
    )
    message = "{name}: external code attached to the configuration must run in safe mode and be approved"
