"""EmptyCodeBlock: branches, loops and exception handlers with no code."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from onec_analysis.rules.lexicon import GLOBAL, words
from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource

_OPENER_WORDS = ("тогда", "иначе", "цикл", "попытка", "исключение", "then", "else", "do", "try", "except")
_OPENERS = words("Тогда", "Иначе", "Цикл", "Попытка", "Исключение", "Then", "Else", "Do", "Try", "Except")
_CLOSERS = words(
    "ИначеЕсли", "Иначе", "КонецЕсли", "КонецЦикла", "Исключение", "КонецПопытки",
    "ElsIf", "Else", "EndIf", "EndDo", "Except", "EndTry",
)  # fmt: skip
_EMPTY = re.compile(rf"{GLOBAL}(?:{_OPENERS})(?!\w)(?=\s*(?:{_CLOSERS})(?!\w))")


@register
class EmptyCodeBlock(Rule):
    """A block with no statements: ``Тогда … КонецЕсли``, ``Цикл … КонецЦикла``, ``Исключение … КонецПопытки``.

    ## What it does
    Reports the keyword that opens an empty block — ``Тогда``, ``Иначе``, ``Цикл``, ``Попытка`` or
    ``Исключение`` followed directly by the keyword that closes it. A block holding only a comment
    counts as empty (bsl-language-server's default ``commentAsCode = false``).

    ## Why is this bad
    An empty block is either unfinished code or code that was deleted without removing its frame. An
    empty ``Исключение`` is the worst case: it swallows every error, so failures go unnoticed and data
    is left half-written.

    ## Example
    ```bsl
    Попытка
        Файл.Удалить();
    Исключение
        // ничего не делаем
    КонецПопытки;
    ```

    ## Use instead
    ```bsl
    Попытка
        Файл.Удалить();
    Исключение
        ЗаписьЖурналаРегистрации(НСтр("ru = 'Удаление файла'"), УровеньЖурналаРегистрации.Предупреждение, , ,
            ОбработкаОшибок.ПодробноеПредставлениеОшибки(ИнформацияОбОшибке()));
    КонецПопытки;
    ```
    """

    key = "EmptyCodeBlock"
    type = "CODE_SMELL"
    severity = "MAJOR"
    tags = ("badpractice", "suspicious")
    edt = ("empty-except-statement",)
    apk = (280,)

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        for match in module.find_all(_EMPTY, _OPENER_WORDS):
            line, column = module.position(match.start())
            yield Finding(
                line,
                column,
                f"Empty block after {module.lines[line - 1][column - 1 : column - 1 + len(match.group())]}",
            )
