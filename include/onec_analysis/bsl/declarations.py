"""Method declarations of a module: header, parameters, directives, regions, preprocessor, doc comment.

Works on a ``CodeView`` (comments, strings and preprocessor lines already out of the way), so a
``Процедура`` inside a comment or a query text is never taken for a declaration.

Preprocessor format (``Declaration.preprocessor``): the conditions of the enclosing ``#Если``
blocks, outermost first, joined with `` И ``. Each condition is the text between ``#Если``/``#ИначеЕсли``
and ``Тогда`` with blanks collapsed, as written. Inside ``#ИначеЕсли B`` of ``#Если A`` the part is
``НЕ (A) И B``; inside ``#Иначе`` it is ``НЕ (A)`` (``НЕ (A) И НЕ (B)`` after an ``#ИначеЕсли B``).
When there is more than one part, a plain condition that contains ``Или``/``Or`` is put in parentheses
so the result reads unambiguously: ``(Сервер Или ТолстыйКлиентОбычноеПриложение) И НЕ (ВебКлиент)``.
The connectives are always the Russian ``И``/``НЕ`` whatever language the module uses.

``#Вставка``/``#Insert`` blocks are ordinary code; the code of ``#Удаление``/``#Delete`` blocks is
removed from the view (it is code an extension deletes from the adopted method, not code that runs).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

from . import lexer
from .lexer import CodeView, line_of

DIRECTIVES = {
    "наклиенте": "AtClient",
    "насервере": "AtServer",
    "насерверебезконтекста": "AtServerNoContext",
    "наклиентенасерверебезконтекста": "AtClientAtServerNoContext",
    "наклиентенасервере": "AtClientAtServer",
    "atclient": "AtClient",
    "atserver": "AtServer",
    "atservernocontext": "AtServerNoContext",
    "atclientatservernocontext": "AtClientAtServerNoContext",
    "atclientatserver": "AtClientAtServer",
}

# Both run on the lower-cased code view. A declaration starts a line; matching "\n" instead of "^"
# lets the regex engine jump from newline to newline (the text is searched with a "\n" in front).
_DECL = re.compile(
    r"\n[ \t]*+(?:(асинх|async)[ \t]+)?(процедура|функция|procedure|function)[ \t]+([^\W\d]\w*)[ \t]*\("
)
# No leading \b (it would disable the engine's first-character scan); checked in Python instead.
_END = re.compile(r"(?:конецпроцедуры|конецфункции|endprocedure|endfunction)(?!\w)")
# Parameter list up to ")" (strings are placeholders and comments are gone, so no ")" can hide there),
# then an optional Экспорт that may sit on a later line.
_TAIL = re.compile(r"([^)]*)\)\s*((?:экспорт|export)\b)?", re.IGNORECASE)
_PARAM = re.compile(r"\s*(?:(знач|val)\s+)?([^\W\d]\w*)\s*(?:=\s*(.*?))?\s*\Z", re.IGNORECASE | re.DOTALL)
_PLACEHOLDER = re.compile(r'"(\d+)\n*"')
_ANNOTATION = re.compile(r"&([^\W\d]\w*)(.*)", re.DOTALL)
_PREPROC = re.compile(r"#\s*([^\W\d]\w*)\s*(.*?)\s*$", re.DOTALL)
_THEN = re.compile(r"\s+(?:тогда|then)\s*$", re.IGNORECASE)
_OR = re.compile(r"\b(?:или|or)\b", re.IGNORECASE)
_WS = re.compile(r"\s+")

_REGION = {"область", "region"}
_END_REGION = {"конецобласти", "endregion"}
_IF = {"если", "if"}
_ELSIF = {"иначеесли", "elsif"}
_ELSE = {"иначе", "else"}
_END_IF = {"конецесли", "endif"}
_DELETE = {"удаление", "delete"}
_END_DELETE = {"конецудаления", "enddelete"}


@dataclass(slots=True)
class Param:
    name: str
    by_value: bool
    default: str | None


@dataclass(slots=True)
class Declaration:
    name: str
    kind: str  # Procedure | Function
    is_async: bool
    export: bool
    params: list[Param]
    directives: list[str]
    annotations: list[str]
    region: str | None
    preprocessor: str | None
    doc_comment: str | None
    start_line: int
    end_line: int
    name_pos: int  # offset of the name in the code view (excluded from call search)
    body_start: int  # offset just after the header (after ")" / Экспорт)
    body_end: int  # offset of the end keyword


def remove_deleted_blocks(view: CodeView) -> None:
    """Blank the lines between ``#Удаление`` and ``#КонецУдаления`` in ``view.code``."""
    spans, open_line = [], None
    for line, text in view.preprocessor:
        m = _PREPROC.match(text)
        word = m.group(1).lower() if m else ""
        if word in _DELETE:
            open_line = line
        elif word in _END_DELETE and open_line is not None:
            spans.append((open_line, line))
            open_line = None
    if not spans:
        return
    lines = view.code.split("\n")
    for first, last in spans:
        for i in range(first, last - 1):  # 0-based indices of the lines strictly between the two
            lines[i] = ""
    view.code = "\n".join(lines)


def _is_word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _condition(text: str) -> str:
    return _WS.sub(" ", _THEN.sub("", text)).strip()


def _preprocessor_text(stack: list[list]) -> str | None:
    parts: list[str] = []
    for conditions, in_else in stack:
        for c in conditions[:-1] if not in_else else conditions:
            parts.append(f"НЕ ({c})")
        if not in_else:
            parts.append(conditions[-1])
    if not parts:
        return None
    if len(parts) > 1:
        parts = [f"({p})" if not p.startswith("НЕ (") and _OR.search(p) else p for p in parts]
    return " И ".join(parts)


def _context_by_line(view: CodeView, decl_lines: list[int]) -> list[tuple[str | None, str | None]]:
    """Region path and preprocessor condition in force at each declaration line."""
    regions: list[str] = []
    ifs: list[list] = []  # [conditions so far, in_else]
    result = []
    events = view.preprocessor
    i = 0
    for decl_line in decl_lines:
        while i < len(events) and events[i][0] < decl_line:
            m = _PREPROC.match(events[i][1])
            i += 1
            if not m:
                continue
            word, rest = m.group(1).lower(), m.group(2)
            if word in _REGION:
                regions.append(rest.split()[0] if rest.split() else "")
            elif word in _END_REGION:
                if regions:
                    regions.pop()
            elif word in _IF:
                ifs.append([[_condition(rest)], False])
            elif word in _ELSIF and ifs:
                ifs[-1][0].append(_condition(rest))
            elif word in _ELSE and ifs:
                ifs[-1][1] = True
            elif word in _END_IF and ifs:
                ifs.pop()
        result.append(("/".join(regions) if regions else None, _preprocessor_text(ifs)))
    return result


def _params(seg: str, view: CodeView) -> list[Param]:
    if not seg.strip():
        return []
    params = []
    for piece in seg.split(","):
        m = _PARAM.match(piece)
        if not m:
            continue
        default = m.group(3)
        if default is not None:
            # Put literals back: a default "a, b" was a placeholder in the code view.
            default = _PLACEHOLDER.sub(lambda p: view.strings[int(p.group(1))].text, default)
            default = _WS.sub(" ", default)
        params.append(Param(m.group(2), m.group(1) is not None, default))
    return params


def doc_comment(text: str, starts: list[int], first_line: int) -> str | None:
    """The contiguous ``//`` block ending on the line above ``first_line`` (1-based) of *text*
    (``starts``: its ``line_starts``).

    In C (``_scan.doc_comment``) when the extension was built, else :func:`doc_comment_python`; the
    two agree (tests/unit/bsl/test_scan_speedups.py)."""
    if lexer._scan is None:
        return doc_comment_python(text, starts, first_line)
    return lexer._scan.doc_comment(text, starts[first_line - 1])


def doc_comment_python(text: str, starts: list[int], first_line: int) -> str | None:
    """:func:`doc_comment` line by line: the reference for the C version."""
    i = first_line - 2
    block = []
    while i >= 0:
        line = text[starts[i] : starts[i + 1] - 1].lstrip()
        if not line.startswith("//"):
            break
        # Strip the slashes and one space after them; keep deeper indentation of the comment text.
        line = line.lstrip("/")
        block.append((line[1:] if line.startswith(" ") else line).rstrip())
        i -= 1
    if not block:
        return None
    block.reverse()
    return "\n".join(block)


def declaration_sites(low: str) -> tuple[list[tuple[int, int, int, int, bool, bool]], list[int]]:
    """The method headers of the lower-cased code view *low*, each ``(keyword start, name start,
    name end, header end, is_async, is_function)``, and the offsets of the end keywords.

    In C (``_scan.declaration_sites``) when the extension was built, else
    :func:`declaration_sites_python`; the two agree (tests/unit/bsl/test_scan_speedups.py).
    """
    if lexer._scan is None:
        return declaration_sites_python(low)
    return lexer._scan.declaration_sites(low)


def declaration_sites_python(low: str) -> tuple[list[tuple[int, int, int, int, bool, bool]], list[int]]:
    """:func:`declaration_sites` with ``_DECL`` and ``_END``: the reference for the C version."""
    # Offsets in "\n" + low are one more than in low.
    headers = [
        (
            h.start(2) - 1,
            h.start(3) - 1,
            h.end(3) - 1,
            h.end() - 1,
            h.group(1) is not None,
            h.group(2) in ("функция", "function"),
        )
        for h in _DECL.finditer("\n" + low)
    ]
    ends = [m.start() for m in _END.finditer(low) if not m.start() or not _is_word(low[m.start() - 1])]
    return headers, ends


def find_declarations(
    module_text: str, text_starts: list[int], view: CodeView, low: str, code_starts: list[int]
) -> list[Declaration]:
    """Every Procedure/Function of the module, in text order (``low`` is the lower-cased code view;
    ``text_starts`` and ``code_starts`` the ``line_starts`` of the text and of the code view)."""
    code = view.code
    headers, ends = declaration_sites(low)
    if not headers:
        return []
    decl_lines = [line_of(code_starts, h[0]) for h in headers]
    contexts = _context_by_line(view, decl_lines)
    annotations_by_line: dict[int, list[str]] = {}
    for line, text in view.annotations:
        annotations_by_line.setdefault(line, []).append(text)

    result = []
    for k, (_, name_pos, name_end, header_end, is_async, is_function) in enumerate(headers):
        start_line = decl_lines[k]
        tail = _TAIL.match(code, header_end)
        body_start = tail.end() if tail else header_end
        next_start = code_starts[decl_lines[k + 1] - 1] if k + 1 < len(headers) else len(code)
        j = bisect_left(ends, body_start)
        if j < len(ends) and ends[j] < next_start:
            body_end = ends[j]
            end_line = line_of(code_starts, body_end)
        else:  # missing end keyword: the method runs up to the next declaration
            body_end = next_start
            end_line = line_of(code_starts, next_start) - 1 if k + 1 < len(headers) else len(text_starts) - 1
        # Directives and annotations: on the declaration line itself and the lines right above it.
        directives, annotations = [], []
        first_line = start_line
        collected = list(annotations_by_line.get(start_line, ()))
        while first_line - 1 in annotations_by_line:
            first_line -= 1
            collected[:0] = annotations_by_line[first_line]
        for a in collected:
            m = _ANNOTATION.match(a)
            name = m.group(1)
            canonical = DIRECTIVES.get(name.lower())
            if canonical and not m.group(2).strip():
                directives.append(canonical)
            else:
                annotations.append(a[1:].strip())
        region, preprocessor = contexts[k]
        result.append(
            Declaration(
                name=code[name_pos:name_end],
                kind="Function" if is_function else "Procedure",
                is_async=is_async,
                export=bool(tail and tail.group(2)),
                params=_params(tail.group(1), view) if tail else [],
                directives=directives,
                annotations=annotations,
                region=region,
                preprocessor=preprocessor,
                doc_comment=doc_comment(module_text, text_starts, first_line),
                start_line=start_line,
                end_line=end_line,
                name_pos=name_pos,
                body_start=body_start,
                body_end=body_end,
            )
        )
    return result
