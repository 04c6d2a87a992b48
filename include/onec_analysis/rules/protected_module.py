"""ProtectedModule: modules shipped without source."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource


@register
class ProtectedModule(Rule):
    """A module shipped without source text (password-protected or encrypted).

    ## What it does
    Reports each module that has no readable source: the file starts with the platform's protected
    container signature, or holds no text. It is the only rule that runs on such modules; every other
    rule skips them.

    ## Why is this bad
    Code without source cannot be reviewed, searched, fixed or checked by any of the other rules — and
    it still runs with the configuration's rights. Its behaviour on update is decided by whoever holds
    the source.

    ## Example
    ```bsl
    // CommonModules/ЛицензированиеСлужебный/Module.bsl starts with bytes FF FF FF 7F
    ```

    ## Use instead
    ```bsl
    // Ask the vendor for the source, or isolate the protected code behind a documented interface
    // and list the module as an accepted exception.
    ```
    """

    key = "ProtectedModule"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("badpractice",)
    scope = "protected"

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        yield Finding(1, 1, "Module has no source text (protected): it cannot be reviewed or checked")
