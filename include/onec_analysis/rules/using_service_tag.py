"""UsingServiceTag: TODO, FIXME and other service tags left in comments."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter
from typing import Any

from onec_analysis.rules.registry import Finding, Rule, register
from onec_analysis.rules.source import ModuleSource, lower_same_length


@lru_cache(maxsize=4)
def _tags(pattern: str) -> re.Pattern[str]:
    # Word boundaries are checked in Python (see _whole): look-arounds around the alternation would
    # stop CPython's re from scanning for the tags' first characters.
    return re.compile(rf"(?:{pattern})")


def _whole(text: str, start: int, end: int) -> bool:
    """A tag that starts (ends) with a letter or digit must not continue a word: "todo" is a tag,
    "autodo" not. One that ends with "_" is a prefix by design ("{{конструктор_" goes on with the
    constructor's name)."""
    if start < end and text[start].isalnum() and start > 0 and _word(text[start - 1]):
        return False
    return not (start < end and text[end - 1].isalnum() and end < len(text) and _word(text[end]))


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


@register
class UsingServiceTag(Rule):
    """A service tag (``TODO``, ``FIXME``, ``!!``, ``ОТЛАДКА`` …) left in a comment.

    ## What it does
    Reports comments that contain one of the ``service_tags`` (a regular expression, matched
    case-insensitively as a whole word): ``todo``, ``fixme``, ``!!``, ``mrg``, ``отладка``, ``debug``,
    ``для отладки``, and the markers of the 1C query and print constructors. Unlike
    bsl-language-server the default list leaves out ``@``: 1C:EDT's ``// @skip-check`` suppression
    comments and e-mail addresses use it.

    ## Why is this bad
    These tags mark work that was meant to be temporary — unfinished code, debugging aids, merge
    notes. In a shipped configuration they are either forgotten tasks or stale notes; both should
    become a task in the tracker or be removed.

    ## Example
    ```bsl
    // TODO: учесть скидки по карте
    Сумма = Цена * Количество;
    ```

    ## Use instead
    ```bsl
    Сумма = Цена * Количество; // скидки по карте: задача ERP-1234
    ```
    """

    key = "UsingServiceTag"
    type = "CODE_SMELL"
    severity = "INFO"
    tags = ("badpractice",)

    @classmethod
    def validate(cls, params: dict[str, Any]) -> str | None:
        try:
            _tags(params["service_tags"])
        except re.error as exc:
            return f"service_tags is not a valid regular expression: {exc}"
        return None

    def check(self, module: ModuleSource, params: dict[str, Any]) -> Iterable[Finding]:
        pattern = _tags(params["service_tags"])
        comments = module.comments
        if not comments:
            return
        # One search over all comments joined (newline-separated), mapped back by offset.
        texts = list(map(itemgetter(1), comments))
        joined = lower_same_length("\n".join(texts))
        starts = list(accumulate(map((1).__add__, map(len, texts)), initial=0))
        for found in pattern.finditer(joined):
            if not _whole(joined, found.start(), found.end()):
                continue
            index = bisect_right(starts, found.start()) - 1
            offset, text = comments[index]
            within = found.start() - starts[index]
            if within < 2:
                continue  # not inside the comment's text
            line, column = module.text_position(offset + within)
            tag = text[within : within + len(found.group())]
            yield Finding(line, column, f"Service tag {tag!r} left in a comment")
