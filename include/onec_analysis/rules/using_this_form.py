"""UsingThisForm: the deprecated ``ЭтаФорма`` property."""

from __future__ import annotations

from onec_analysis.rules.lexicon import CallRule, keyword
from onec_analysis.rules.registry import register


@register
class UsingThisForm(CallRule):
    """Use of the deprecated form property ``ЭтаФорма`` / ``ThisForm``.

    ## What it does
    Reports every use of ``ЭтаФорма`` (``ThisForm``) in code.

    ## Why is this bad
    ``ЭтаФорма`` is a leftover of ordinary forms. In managed forms the form is ``ЭтотОбъект``, which
    works the same in every module type and keeps code portable between form and object modules.

    ## Example
    ```bsl
    ОписаниеОповещения = Новый ОписаниеОповещения("ПослеВыбора", ЭтаФорма);
    ```

    ## Use instead
    ```bsl
    ОписаниеОповещения = Новый ОписаниеОповещения("ПослеВыбора", ЭтотОбъект);
    ```
    """

    key = "UsingThisForm"
    type = "CODE_SMELL"
    severity = "MINOR"
    tags = ("standard", "deprecated")
    needs_any = ("этаформа", "thisform")
    pattern = keyword("ЭтаФорма", "ThisForm")
    message = "Use ЭтотОбъект instead of the deprecated {name}"
