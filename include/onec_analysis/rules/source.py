"""One module as the rules see it: its text, a code-only view, its methods and its owner's flags.

Everything a rule needs is computed at most once per module, on first use, and shared by all rules:
the lines, the lower-cased text (for cheap ``in`` pre-checks before any regular expression runs), and
``code`` — the module lower-cased with comments, preprocessor lines and annotations removed and the
inside of every string literal blanked. ``code`` keeps the module's line structure, and within a line
every character before a comment keeps its column, so a match in ``code`` is a position in the module.
``identifiers`` is the set of words of ``code``: rules test it before searching at all, and
``find_all`` searches only at the places where one of a rule's words occurs.

The comment/string/preprocessor patterns come from the BSL lexer, so the rules and the parser agree on
what is code. The view is built with one ``re.sub``; the alternation is rewritten to dispatch on its
first character, which is about four times faster in CPython's ``re`` than trying every branch at
every position (this view is built for every module of a 1 GB configuration).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from itertools import accumulate
from typing import Any

from onec_analysis.bsl import lexer
from onec_analysis.bsl.lexer import ANNOTATION, COMMENT, PREPROCESSOR, STRING, line_starts

# Each lexer pattern begins with its one dispatch character; the lookbehind re-checks which one matched.
_SKIP = re.compile(
    r"[/\"#&](?:"
    rf"(?<=/){COMMENT[1:]}"
    rf"|(?<=\"){STRING[1:]}"
    rf"|(?<=#){PREPROCESSOR[2:]}"
    rf"|(?<=&){ANNOTATION[1:]}"
    r")"
)
_NOT_NEWLINE = re.compile(r"[^\n]")


def _blank(match: re.Match[str]) -> str:
    text = match.group()
    first = text[0]
    if first == "/" or first == "#":
        return ""  # comments and preprocessor lines run to the end of the line: no column moves
    if first == "&":
        return " " * len(text)
    # A string literal: keep both quotes and the newlines, blank the rest.
    inner = text[1:-1] if len(text) > 1 and text[-1] == '"' else text[1:]
    inner = _NOT_NEWLINE.sub(" ", inner) if "\n" in inner else " " * len(inner)
    return '"' + inner + text[1 + len(inner) :]


def lower_same_length(code: str) -> str:
    """``code.lower()`` with every character kept in its column."""
    lowered = lexer.lower(code)
    if len(lowered) != len(code):  # a few letters (İ) lower-case to two characters; keep columns exact
        lowered = "".join(ch.lower()[0] for ch in code)
    return lowered


def code_and_comments(text: str) -> tuple[str, list[tuple[int, str]]]:
    """The module lower-cased without comments, strings blanked (see module doc), and its ``//`` comments
    as ``(offset in text, comment)``."""
    code, comments, _ = _code_view(text, None)
    return code, comments


def _code_view(text: str, lower: str | None) -> tuple[str, list[tuple[int, str]], list[tuple[int, int]]]:
    """``code_and_comments`` and the ``(start, end)`` offsets of every string literal and annotation.

    With *lower* (``text.lower()``, given only when it lower-cases each character to one on its own: see
    ``ModuleSource.lower_is_charwise``) the patterns run over it, which spares lower-casing the result:
    the same spans match (lower-casing keeps every character's class) and the kept characters are
    those of ``lower``. In C (``_scan.rules_view``) when the extension was built, else
    :func:`_code_view_python`.
    """
    scan = lexer._scan
    if scan is None:
        return _code_view_python(text, lower)
    if lower is not None:
        return scan.rules_view(lower, text)
    code, comments, literals = scan.rules_view(text, text)
    return lower_same_length(code), comments, literals


def _code_view_python(
    text: str, lower: str | None
) -> tuple[str, list[tuple[int, str]], list[tuple[int, int]]]:
    """:func:`_code_view` with ``_SKIP``: the reference for the C version."""
    comments: list[tuple[int, str]] = []
    literals: list[tuple[int, int]] = []
    keep, literal = comments.append, literals.append

    def blank(match: re.Match[str]) -> str:
        # The common cases inline: this runs for every comment and string of a 1 GB configuration.
        found = match.group()
        first = found[0]
        if first == "/":
            start = match.start()
            keep((start, text[start : match.end()]))
            return ""
        if first == "#":
            return ""
        literal(match.span())
        if first == "&":
            return " " * len(found)
        size = len(found)
        if "\n" in found:
            return _blank(match)
        if size > 1 and found[-1] == '"':
            return '"' + " " * (size - 2) + '"'
        return '"' + " " * (size - 1)

    if lower is not None:
        return _SKIP.sub(blank, lower), comments, literals
    return lower_same_length(_SKIP.sub(blank, text)), comments, literals


#: Identifiers of lower-cased code (letters, digits, "_"; not starting with a digit).
_IDENTIFIER = re.compile(r"[a-zа-яё_][a-zа-яё_0-9]*")
_WORD = re.compile(r"\w+")


def _starts_of(lines: list[str]) -> list[int]:
    """``line_starts`` of the text these lines were split from."""
    return [0, *accumulate(map((1).__add__, map(len, lines)))]


_REGION_LINE = re.compile(
    r"^[ \t]*#[ \t]*(область|region|конецобласти|endregion)\b[ \t]*([^\W\d]\w*)?", re.MULTILINE
)


@dataclass(frozen=True, slots=True)
class Region:
    name: str
    start_line: int  # line of #Область
    end_line: int  # line of #КонецОбласти (the module's last line when it is missing)
    column: int  # column of the "#"
    depth: int  # 0 for top-level regions


@dataclass(frozen=True, slots=True)
class Method:
    """A row of the snapshot's ``methods`` table, reduced to what the rules read."""

    method_id: str
    name: str
    kind: str  # Procedure | Function
    export: bool
    directives: tuple[str, ...]
    param_names: tuple[str, ...]
    optional_params: int  # parameters with a default value
    region: str | None
    has_description: bool  # a non-blank doc comment above the declaration
    start_line: int
    end_line: int
    ncloc: int
    cyclomatic: int
    cognitive: int
    is_async: bool = False

    @property
    def is_function(self) -> bool:
        return self.kind == "Function"

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> Method:
        """From a ``methods`` row as a dict (what ``onec_analysis.bsl.parse_module`` returns)."""
        params = row.get("params") or ()
        return cls(
            method_id=row["method_id"],
            name=row["name"] or "",
            kind=row["kind"] or "Procedure",
            export=bool(row["export"]),
            directives=tuple(row["directives"] or ()),
            param_names=tuple(p["name"] or "" for p in params),
            optional_params=sum(1 for p in params if p["default"] is not None),
            region=row["region"],
            has_description=bool((row.get("doc_comment") or "").strip()),
            start_line=row["start_line"] or 1,
            end_line=row["end_line"] or row["start_line"] or 1,
            ncloc=row["ncloc"] or 0,
            cyclomatic=row["cyclomatic"] or 0,
            cognitive=row["cognitive"] or 0,
            is_async=bool(row.get("is_async")),
        )


#: Module types whose code runs on the server only.
SERVER_MODULE_TYPES = frozenset(
    {
        "ObjectModule", "ManagerModule", "RecordSetModule", "ValueManagerModule", "SessionModule",
        "ExternalConnectionModule", "WebServiceModule", "HTTPServiceModule", "IntegrationServiceModule",
        "BotModule",
    }
)  # fmt: skip
#: Module types whose code runs on the client only.
CLIENT_MODULE_TYPES = frozenset({"ManagedApplicationModule", "OrdinaryApplicationModule", "CommandModule"})


@dataclass
class ModuleSource:
    """A module with everything the rules read; derived views are computed on first use."""

    module_id: str
    object_id: str | None
    module_type: str | None
    path: str | None
    text: str
    methods: list[Method] = field(default_factory=list)
    #: The owner object's notable flags (``objects.properties``): common-module flags and the like.
    object_properties: dict[str, Any] = field(default_factory=dict)
    #: Flags of every common module in the configuration, by name (for calls into other modules).
    common_modules: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: Lower-cased names of this module's methods that the form binds to events and commands.
    form_handlers: frozenset[str] = frozenset()

    # --- text views -------------------------------------------------------------------------
    @cached_property
    def is_blank(self) -> bool:
        """Whether the text is empty or only blanks (``not text.strip()``, without copying the text)."""
        return not self.text or self.text.isspace()

    @cached_property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @cached_property
    def lower(self) -> str:
        """The raw text lower-cased (comments and strings included): for quick pre-checks only."""
        return lexer.lower(self.text)

    @cached_property
    def lower_is_charwise(self) -> bool:
        """Whether ``lower`` lower-cases each character of ``text`` to one character, regardless of its
        neighbours — so an offset means the same place in both (false for İ and for Σ)."""
        return len(self.lower) == len(self.text) and "Σ" not in self.text

    @cached_property
    def _code_and_comments(self) -> tuple[str, list[tuple[int, str]], list[tuple[int, int]]]:
        return _code_view(self.text, self.lower if self.lower_is_charwise else None)

    @cached_property
    def code(self) -> str:
        return self._code_and_comments[0]

    @cached_property
    def comments(self) -> list[tuple[int, str]]:
        """Every ``//`` comment as ``(offset in text, comment text)``, in order."""
        return self._code_and_comments[1]

    @cached_property
    def literals(self) -> list[tuple[int, int]]:
        """``(start, end)`` offsets in ``text`` of every string literal and annotation, in order."""
        return self._code_and_comments[2]

    @cached_property
    def literal_words(self) -> frozenset[str]:
        """Every lower-cased word inside the string literals and annotations."""
        if self.lower_is_charwise:
            lower = self.lower
            return frozenset(_WORD.findall("\n".join([lower[start:end] for start, end in self.literals])))
        text = self.text
        return frozenset(_WORD.findall("\n".join([text[start:end] for start, end in self.literals]).lower()))

    @cached_property
    def identifier_counts(self) -> dict[str, int]:
        """How many times each lower-cased word occurs in the code."""
        scan = lexer._scan
        if scan is None:
            return Counter(_IDENTIFIER.findall(self.code))
        return scan.identifier_counts(self.code)

    @cached_property
    def identifiers(self) -> frozenset[str]:
        """Every lower-cased word of the code (keywords included): rules test it before searching."""
        return frozenset(self.identifier_counts)

    @cached_property
    def text_line_starts(self) -> list[int]:
        return line_starts(self.text)

    def text_position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset into ``text``."""
        starts = self.text_line_starts
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def find_all(
        self, pattern: re.Pattern[str], anchors: Iterable[str], start: int = 0, end: int | None = None
    ) -> list[re.Match[str]]:
        """Matches of *pattern* in ``code`` that begin at one of the *anchors* (lower-case words).

        A plain ``str.find`` for each anchor, then ``pattern.match`` at each hit: much faster in CPython
        than letting ``finditer`` try an alternation with look-behinds at every position of the module.
        Anchors absent from ``identifiers`` are skipped without scanning. Sorted by position.
        """
        code = self.code
        end = len(code) if end is None else end
        identifiers = self.identifiers
        found: dict[int, re.Match[str]] = {}
        for anchor in anchors:
            if anchor not in identifiers:
                continue
            at = code.find(anchor, start, end)
            while at >= 0:
                if at not in found:
                    match = pattern.match(code, at)
                    if match is not None and match.end() <= end:
                        found[at] = match
                at = code.find(anchor, at + 1, end)
        return [found[at] for at in sorted(found)]

    @cached_property
    def code_line_starts(self) -> list[int]:
        return line_starts(self.code)

    @cached_property
    def code_lines(self) -> list[str]:
        return self.code.split("\n")

    def position(self, offset: int) -> tuple[int, int]:
        """1-based (line, column) of an offset into ``code`` — the same place in the module."""
        starts = self.code_line_starts
        line = bisect_right(starts, offset)
        return line, offset - starts[line - 1] + 1

    def line_offset(self, line: int) -> int:
        """Offset into ``code`` where a 1-based line starts (past the end for lines beyond it)."""
        starts = self.code_line_starts
        return starts[line - 1] if line <= len(starts) else len(self.code)

    def method_code(self, method: Method) -> tuple[int, int]:
        """``code`` offsets of a method, from its first line to the end of its last line."""
        return self.line_offset(method.start_line), self.line_offset(method.end_line + 1)

    @cached_property
    def regions(self) -> list[Region]:
        """The module's ``#Область`` regions in order of their start."""
        lower = self.lower
        found: list[Region] = []
        stack: list[tuple[str, int, int]] = []
        at = lower.find("#")
        while at >= 0:
            start_of_line = lower.rfind("\n", 0, at) + 1
            match = _REGION_LINE.match(lower, start_of_line)
            if match is not None:
                line, column = self.text_position(at)
                if match.group(1) in ("область", "region"):
                    name = self.text[match.start(2) : match.end(2)] if match.group(2) else ""
                    stack.append((name, line, column))
                elif stack:
                    name, start, start_column = stack.pop()
                    found.append(Region(name, start, line, start_column, len(stack)))
            at = lower.find("#", lower.find("\n", at) + 1 or len(lower))
        while stack:
            name, start, column = stack.pop()
            found.append(Region(name, start, len(self.lines), column, len(stack)))
        return sorted(found, key=lambda r: r.start_line)

    # --- methods ----------------------------------------------------------------------------
    @cached_property
    def _method_starts(self) -> list[int]:
        return [m.start_line for m in self.methods]

    def method_at(self, line: int) -> Method | None:
        """The method whose lines hold *line*, or None in the module body."""
        index = bisect_right(self._method_starts, line) - 1
        if index >= 0 and self.methods[index].end_line >= line:
            return self.methods[index]
        return None

    @cached_property
    def method_names(self) -> set[str]:
        return {m.name.lower() for m in self.methods}

    # --- where the code runs ----------------------------------------------------------------
    @property
    def is_common_module(self) -> bool:
        return self.module_type == "CommonModule"

    def runs_on_server(self, method: Method | None) -> bool:
        """Whether code of *method* (or of the module body) can run on the server."""
        if method is not None and method.directives:
            return any("Server" in d for d in method.directives)
        if self.module_type in SERVER_MODULE_TYPES or self.module_type == "FormModule":
            return True  # a form method without a directive is compiled on the server
        if self.is_common_module:
            props = self.object_properties
            return bool(props.get("server") or props.get("externalConnection"))
        return False

    def runs_on_client(self, method: Method | None, *, managed_only: bool = False) -> bool:
        """Whether code of *method* (or of the module body) can run on the client.

        With *managed_only*, only the thin, web and mobile clients of a managed application count —
        the ones without synchronous calls and modal windows; the ordinary application's thick client
        has both.
        """
        if method is not None and method.directives:
            return any("Client" in d for d in method.directives)
        if self.module_type in CLIENT_MODULE_TYPES:
            return not (managed_only and self.module_type == "OrdinaryApplicationModule")
        if self.is_common_module:
            props = self.object_properties
            return bool(
                props.get("clientManagedApplication")
                or (not managed_only and props.get("clientOrdinaryApplication"))
            )
        return False
