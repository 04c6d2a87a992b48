"""ExternalAppStarting: starting other programs from 1C code."""

from __future__ import annotations

import re

from onec_analysis.rules.lexicon import GLOBAL, CallRule, words
from onec_analysis.rules.registry import register

GLOBAL_METHODS = (
    "КомандаСистемы", "System", "ЗапуститьСистему", "RunSystem", "ЗапуститьПриложение", "RunApp",
    "НачатьЗапускПриложения", "BeginRunningApplication", "ЗапуститьПриложениеАсинх", "RunAppAsync",
    "ПерейтиПоНавигационнойСсылке", "GotoURL",
)  # fmt: skip
FILE_SYSTEM_METHODS = ("ЗапуститьПрограмму", "ОткрытьНавигационнуюСсылку", "ОткрытьПроводник", "ОткрытьФайл")


@register
class ExternalAppStarting(CallRule):
    """Starting an external program or opening a link from code.

    ## What it does
    Reports ``КомандаСистемы``, ``ЗапуститьСистему``, ``ЗапуститьПриложение``,
    ``НачатьЗапускПриложения``, ``ЗапуститьПриложениеАсинх``, ``ПерейтиПоНавигационнойСсылке`` and
    SSL's ``ФайловаяСистема[Клиент].ЗапуститьПрограмму``/``ОткрытьНавигационнуюСсылку``/
    ``ОткрытьПроводник``/``ОткрытьФайл``.

    ## Why is this bad
    A command line assembled from data can run anything on the user's computer or on the server. The
    standards ask for every program start to be reviewed: the command built from trusted parts only,
    arguments escaped, and SSL's ``ФайловаяСистема`` methods used because they do both.

    ## Example
    ```bsl
    КомандаСистемы("notepad " + ИмяФайла);
    ```

    ## Use instead
    ```bsl
    ФайловаяСистемаКлиент.ОткрытьФайл(ИмяФайла); // reviewed: the name comes from ПолучитьИмяВременногоФайла
    ```
    """

    key = "ExternalAppStarting"
    type = "SECURITY_HOTSPOT"
    severity = "MAJOR"
    tags = ("standard",)
    apk = (534,)
    needs_any = tuple(name.lower() for name in GLOBAL_METHODS) + ("файловаясистема", "файловаясистемаклиент")
    pattern = re.compile(
        rf"{GLOBAL}(?:(?:{words(*GLOBAL_METHODS)})"
        rf"|файловаясистема(?:клиент)?\s*\.\s*(?:{words(*FILE_SYSTEM_METHODS)}))\s*\("
    )
    message = (
        "{name}: starting a program or opening a link must be reviewed (command built from trusted parts)"
    )
