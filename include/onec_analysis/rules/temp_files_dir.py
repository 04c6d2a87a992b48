"""TempFilesDir: ``КаталогВременныхФайлов()``."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, global_call
from onec_analysis.rules.registry import register


@register
class TempFilesDir(CallRule):
    """Building temporary file names from ``КаталогВременныхФайлов()`` / ``TempFilesDir()``.

    ## What it does
    Reports every call of the global method ``КаталогВременныхФайлов`` (``TempFilesDir``).

    ## Why is this bad
    A name glued to the temporary directory by hand can collide with another session's file on a
    shared server and is rarely deleted. ``ПолучитьИмяВременногоФайла`` returns a unique name; the
    platform cleans up what it hands out.

    ## Example
    ```bsl
    ИмяФайла = КаталогВременныхФайлов() + "выгрузка.xml";
    ```

    ## Use instead
    ```bsl
    ИмяФайла = ПолучитьИмяВременногоФайла("xml");
    ```
    """

    key = "TempFilesDir"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "badpractice")
    apk = (495,)
    needs_any = ("каталогвременныхфайлов", "tempfilesdir")
    pattern = global_call("КаталогВременныхФайлов", "TempFilesDir")
    message = "Use ПолучитьИмяВременногоФайла() instead of a name built from {name}()"
