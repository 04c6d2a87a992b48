"""NonExportMethodsInApiRegion: private methods in the module's interface regions."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import MethodRule
from onec_analysis.rules.registry import register
from onec_analysis.rules.source import Method, ModuleSource

API_REGIONS = frozenset({"программныйинтерфейс", "служебныйпрограммныйинтерфейс", "public", "internal"})


@register
class NonExportMethodsInApiRegion(MethodRule):
    """A method without ``Экспорт`` inside ``ПрограммныйИнтерфейс`` or ``СлужебныйПрограммныйИнтерфейс``.

    ## What it does
    Reports non-export methods whose enclosing top-level region is ``ПрограммныйИнтерфейс``
    (``Public``) or ``СлужебныйПрограммныйИнтерфейс`` (``Internal``), nested regions included.

    ## Why is this bad
    These regions are the module's interface by definition: a reader (and tools generating
    documentation) take everything in them for callable from outside. A private helper there is either
    a forgotten ``Экспорт`` or a method in the wrong place.

    ## Example
    ```bsl
    #Область ПрограммныйИнтерфейс
    Функция ПолныйАдрес(Адрес)
    КонецФункции
    #КонецОбласти
    ```

    ## Use instead
    ```bsl
    #Область СлужебныеПроцедурыИФункции
    Функция ПолныйАдрес(Адрес)
    КонецФункции
    #КонецОбласти
    ```
    """

    key = "NonExportMethodsInApiRegion"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard",)

    def check_method(self, module: ModuleSource, method: Method, params: dict[str, Any]) -> str | None:
        if method.export or not method.region:
            return None
        top = method.region.split("/", 1)[0].lower()
        if top in API_REGIONS:
            return f"Method {method.name} is not exported but sits in the interface region {method.region.split('/', 1)[0]}"
        return None
