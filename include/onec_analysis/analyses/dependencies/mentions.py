"""Method names that module text mentions outside the calls table: string literals, and unqualified
calls of global common-module methods.

Both are found by DuckDB's RE2 over ``module_texts``. The literal pattern starts with ``"``, which
RE2 finds with memchr, so that pass costs little; the unqualified-call pass has no such anchor and
costs about as much as reading the text again, so it runs only for the names still in doubt.

Both passes run on one DuckDB thread: a vector of 2,048 module texts is a hundred megabytes on a
large configuration, and two threads each holding one, with the lists the regular expression
returns, went over the connection's memory limit.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import duckdb

_IDENT = r"[\p{L}_][\p{L}\p{N}_]*"
# "Имя", "Модуль.Метод", "Справочники.X.Метод", each optionally followed by ", Владелец" — the shape
# of ОписаниеОповещения("Метод", Модуль), ПодключитьОбработчикОжидания("Метод", 1), ВыполнитьВФоне("М.Метод").
# Plain byte classes rather than \p{L}: RE2 runs them about eight times faster, and every part is
# later joined against real module and method names, which are identifiers.
_PART = r'[^"\s.,()]+'
_LITERAL = rf'"{_PART}(?:\.{_PART}){{0,2}}"(?:\s*,\s*[^\s,()";]+)?'
# ``Имя(`` not preceded by a letter, digit, ``_`` or ``.`` (``Х.Имя(`` is another object's method).
_UNQUALIFIED = r"(?i)(?:^|[^\p{{L}}\p{{N}}_.])({names})[ \t]*\("
_IDENTIFIER = re.compile(r"[^\W\d]\w*")


@contextmanager
def _one_thread(connection: duckdb.DuckDBPyConnection) -> Iterator[None]:
    (threads,) = connection.execute("SELECT current_setting('threads')").fetchone()
    connection.execute("SET threads = 1")
    try:
        yield
    finally:
        connection.execute(f"SET threads = {int(threads)}")


def scan_literals(connection: duckdb.DuckDBPyConnection) -> None:
    """Create ``dep_literals(module_id, literal, owner)``, lower-cased, distinct (owner null when none)."""
    with _one_thread(connection):
        _scan_literals(connection)


def _scan_literals(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE dep_literals AS
        WITH found AS (
            SELECT module_id, unnest(regexp_extract_all(text, '{_LITERAL}', 0)) AS m
            FROM snap_module_texts WHERE text IS NOT NULL AND contains(text, '"')
        )
        SELECT DISTINCT module_id,
               lower(regexp_extract(m, '^"([^"]*)"', 1)) AS literal,
               nullif(lower(regexp_extract(m, ',\\s*([^\\s,]+)$', 1)), '') AS owner
        FROM found
        """
    )


def scan_unqualified_calls(connection: duckdb.DuckDBPyConnection, names: list[str]) -> None:
    """Create ``dep_unqualified(module_id, lname, mentions)``: how often each module writes ``Имя(``
    for each of *names* (declarations included; the caller subtracts them)."""
    names = sorted({name.lower() for name in names if _IDENTIFIER.fullmatch(name)})
    if not names:
        connection.execute(
            "CREATE OR REPLACE TEMP TABLE dep_unqualified (module_id VARCHAR, lname VARCHAR, mentions BIGINT)"
        )
        return
    pattern = _UNQUALIFIED.format(names="|".join(names))
    with _one_thread(connection):
        connection.execute(
            f"""
        CREATE OR REPLACE TEMP TABLE dep_unqualified AS
        SELECT module_id, lower(m) AS lname, count(*) AS mentions
        FROM (SELECT module_id, unnest(regexp_extract_all(text, '{pattern}', 1)) AS m
              FROM snap_module_texts WHERE text IS NOT NULL)
        GROUP BY ALL
        """
        )
