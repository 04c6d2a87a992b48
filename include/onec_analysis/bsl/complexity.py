"""Cyclomatic and cognitive complexity of a method, from keyword matches over the lower-cased code view.

Both follow bsl-language-server (``CyclomaticComplexityComputer``, ``CognitiveComplexityComputer``),
computed here from keywords instead of a parse tree.

Cyclomatic complexity = 1 for the method
    + 1 per ``Если/If``, ``ИначеЕсли/ElsIf``, ``Иначе/Else`` (bsl-language-server counts the else branch),
    + 1 per ``Для/For`` and ``Для Каждого/For Each``, ``Пока/While``,
    + 1 per ``Исключение/Except`` (the except branch of a ``Попытка``),
    + 1 per ternary ``?(``, per ``Перейти/Goto``, per recursive call of the method to itself,
    + 1 per boolean operator ``И/And``, ``ИЛИ/Or``.
    (bsl-language-server walks every nested expression again and can count an operator inside
    parentheses twice; here every operator counts once.)

Cognitive complexity (SonarSource white paper 1.4, as bsl-language-server applies it to BSL):
    structural increments, +1 plus the current nesting, and nesting +1 inside: ``Если``, ``Для``,
    ``Пока``, the ``Исключение`` block, the ternary ``?(…)``;
    hybrid increments, +1 and nesting +1 inside, no nesting penalty: ``ИначеЕсли``, ``Иначе``;
    fundamental increments, +1: ``Перейти``, each recursive call, and each sequence of like boolean
    operators in an expression. An expression's operators are flattened through plain parentheses;
    ``НЕ (…)`` breaks a sequence on both sides, and the arguments of a call or a ternary are separate
    expressions. So ``a И b И c`` is +1, ``a И b ИЛИ c`` is +2, ``a И НЕ (b И c)`` is +2.
    ``Попытка`` itself does not nest; only its except block does.
"""

from __future__ import annotations

import re

from . import lexer

# Keywords, factored by their common beginnings, and the ternary "?(" searched on its own: with the
# ternary as one more alternative the scan took a third longer, and most methods have none.
_KEYWORD = re.compile(
    r"\b(?:если|иначе(?:если)?|конец(?:если|цикла|попытки)|для|пока|попытка|исключение|перейти|или|и"
    r"|if|els(?:if|e)|end(?:if|do|try)|for|while|try|except|goto|and|or)\b"
)
_TERNARY = re.compile(r"\?\s*\(")
# END_IF == IF + 1 and END_LOOP == LOOP + 1: closing a block checks the kind it closes.
IF, END_IF, LOOP, END_LOOP, ELSIF, ELSE, TRY, EXCEPT, END_TRY, GOTO, AND, OR = range(12)
TERNARY = 12
_KIND = {
    "если": IF, "if": IF, "иначеесли": ELSIF, "elsif": ELSIF, "иначе": ELSE, "else": ELSE,
    "конецесли": END_IF, "endif": END_IF, "для": LOOP, "for": LOOP, "пока": LOOP, "while": LOOP,
    "конеццикла": END_LOOP, "enddo": END_LOOP, "попытка": TRY, "try": TRY, "исключение": EXCEPT,
    "except": EXCEPT, "конецпопытки": END_TRY, "endtry": END_TRY, "перейти": GOTO, "goto": GOTO,
    "и": AND, "and": AND, "или": OR, "or": OR,
}  # fmt: skip

# Where a condition or a statement holding boolean operators ends.
_EXPRESSION_END = re.compile(r";|\b(?:тогда|then|цикл|do)\b")
_EXPRESSION_TOKEN = re.compile(r"\w+|\?\s*\(|[()\[\],=<>+\-*/%]")
_PAREN = re.compile(r"[()]")
# Words after which "(" opens a parenthesised group, not a call's arguments.
_NOT_CALLERS = frozenset(
    "и или не and or not если иначеесли пока тогда цикл возврат return if elsif while then do".split()
)
_NOT = frozenset(("не", "not"))
_BOOLEAN = {"и": AND, "and": AND, "или": OR, "or": OR}


def _ternary_end(low: str, pos: int, limit: int) -> int:
    depth = 1
    for m in _PAREN.finditer(low, pos, limit):
        depth += 1 if m.group() == "(" else -1
        if depth == 0:
            return m.end()
    return limit


def _boolean_sequences(low: str, start: int, end: int) -> int:
    """Number of runs of like boolean operators in the expressions of ``low[start:end]``."""
    total = 0
    last = -1  # operator of the current run, -1 when a run is broken
    frames: list[tuple[str, int]] = []
    prev = ""
    for m in _EXPRESSION_TOKEN.finditer(low, start, end):
        t = m.group()
        op = _BOOLEAN.get(t, -1)
        if op != -1:
            if op != last:
                total += 1
                last = op
        elif t == "(" or t == "[" or t[0] == "?":
            if (
                t[0] == "?"
                or t == "["
                or (prev[:1].isalnum() or prev[:1] == "_")
                and prev not in _NOT_CALLERS
            ):
                frames.append(("call", last))
                last = -1
            elif prev in _NOT:
                frames.append(("not", -1))
                last = -1
            else:
                frames.append(("group", -1))
        elif t == ")" or t == "]":
            if frames:
                kind, saved = frames.pop()
                if kind == "call":
                    last = saved
                elif kind == "not":
                    last = -1
        elif t == "," and frames and frames[-1][0] == "call":
            last = -1  # the next argument is an expression of its own
        prev = t
    return total


def method_complexity(low: str, start: int, end: int, recursive_calls: int = 0) -> tuple[int, int]:
    """(cyclomatic, cognitive) of the method body ``low[start:end]`` (lower-cased code view).

    In C (``_scan.method_complexity``) when the extension was built, else
    :func:`method_complexity_python`; the two agree (tests/unit/bsl/test_scan_speedups.py).
    """
    if lexer._scan is None:
        return method_complexity_python(low, start, end, recursive_calls)
    return lexer._scan.method_complexity(low, start, end, recursive_calls)


def method_complexity_python(low: str, start: int, end: int, recursive_calls: int = 0) -> tuple[int, int]:
    """:func:`method_complexity` with the regular expressions above: the reference for the C version."""
    cyclomatic = 1 + recursive_calls
    cognitive = recursive_calls
    nesting = 0
    blocks: list[int] = []  # IF / LOOP / TRY / EXCEPT, innermost last
    ternary_ends: list[int] = []
    expression_end = -1
    last_boundary = start
    ternaries = list(_TERNARY.finditer(low, start, end))
    matches = _KEYWORD.finditer(low, start, end)
    if ternaries:  # the two scans in text order (they never overlap: a keyword is a word)
        matches = sorted([*matches, *ternaries], key=lambda m: m.start())
    for m in matches:
        p = m.start()
        if p and low[p - 1] == ".":  # a property that happens to be spelled like a keyword
            continue
        while ternary_ends and p >= ternary_ends[-1]:
            ternary_ends.pop()
            nesting -= 1
        word = m.group()
        kind = TERNARY if word[0] == "?" else _KIND[word]
        if kind == AND or kind == OR:
            cyclomatic += 1
            if p >= expression_end:
                semicolon = low.rfind(";", start, p) + 1
                first = max(semicolon, last_boundary, expression_end)
                found = _EXPRESSION_END.search(low, p, end)
                expression_end = found.start() if found else end
                cognitive += _boolean_sequences(low, first, expression_end)
            continue
        last_boundary = m.end()
        if kind == IF or kind == LOOP:
            cyclomatic += 1
            cognitive += 1 + nesting
            nesting += 1
            blocks.append(kind)
        elif kind == ELSIF or kind == ELSE:
            cyclomatic += 1
            cognitive += 1
        elif kind == END_IF or kind == END_LOOP:
            if blocks and blocks[-1] == kind - 1:  # END_IF == IF + 1, END_LOOP == LOOP + 1
                blocks.pop()
                nesting -= 1
        elif kind == TRY:
            blocks.append(TRY)
        elif kind == EXCEPT:
            cyclomatic += 1
            cognitive += 1 + nesting
            if blocks and blocks[-1] == TRY:
                blocks[-1] = EXCEPT
                nesting += 1
        elif kind == END_TRY:
            if blocks and blocks[-1] in (TRY, EXCEPT):
                if blocks.pop() == EXCEPT:
                    nesting -= 1
        elif kind == GOTO:
            cyclomatic += 1
            cognitive += 1
        else:  # ternary
            cyclomatic += 1
            cognitive += 1 + nesting
            nesting += 1
            ternary_ends.append(_ternary_end(low, m.end(), end))
    return cyclomatic, cognitive
