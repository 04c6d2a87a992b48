"""YoLetterUsage: the letter "ё" in identifiers."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

_WORD_END = re.compile(r"\w*")


@register
class YoLetterUsage(Rule):
    """The letter ``ё`` in an identifier (variable, method, property name).

    ## What it does
    Reports each identifier in code — not in comments or strings — that contains ``ё``.

    ## Why is this bad
    Most 1C code and the platform's own names write ``е`` for ``ё``; an identifier with ``ё`` is
    typed either way and then not found by search, and ``Счёт`` and ``Счет`` become two different
    variables that both compile. The standards ban ``ё`` in code.

    ## Example
    ```bsl
    Счёт = Документ.Счет;
    ```

    ## Use instead
    ```bsl
    Счет = Документ.Счет;
    ```
    """

    key = "YoLetterUsage"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("standard",)
    apk = (163,)
    needs_text = ("ё",)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        code = module.code
        at = code.find("ё")
        while at >= 0:
            start = at
            while start > 0 and (code[start - 1].isalnum() or code[start - 1] == "_"):
                start -= 1
            end = _WORD_END.match(code, at).end()
            line, column = module.position(start)
            name = module.lines[line - 1][column - 1 : column - 1 + end - start]
            yield Finding(line, column, f"Identifier {name} contains ё: write е")
            at = code.find("ё", end)
