"""CommonModuleNameGlobal: global common modules without the "Глобальный" suffix."""

from __future__ import annotations

from typing import Any

from onec_analysis.rules.lexicon import CommonModuleNameRule
from onec_analysis.rules.registry import register


@register
class CommonModuleNameGlobal(CommonModuleNameRule):
    """A global common module whose name does not end with ``Глобальный`` (``Global``).

    ## What it does
    Reports common modules with the ``Глобальный`` (``global``) flag whose name lacks the
    ``Глобальный`` / ``Global`` suffix.

    ## Why is this bad
    The export methods of a global module are called without the module's name, exactly like the
    platform's own global methods. The suffix is the only hint left that such a module exists, that its
    methods may clash with new platform methods, and that it is loaded at every client start.

    ## Example
    ```bsl
    // CommonModule "РаботаСПочтой": flag Глобальный
    ```

    ## Use instead
    ```bsl
    // CommonModule renamed to "РаботаСПочтойГлобальный"
    ```
    """

    key = "CommonModuleNameGlobal"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("standard", "badpractice", "brainoverload")
    suffixes = ("глобальный", "global")
    expected = "Глобальный (Global)"

    def flags_match(self, props: dict[str, Any]) -> bool:
        return bool(props.get("global"))
