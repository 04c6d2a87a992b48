"""A PostgreSQL database of its own for one test, on the machine's local server (trust auth)."""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator

import psycopg2
from psycopg2 import sql

PG_DSN = os.environ.get("ONEC_TEST_PG_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")


@contextlib.contextmanager
def temporary_database(prefix: str = "onec_test") -> Iterator[str]:
    """Create a uniquely named database; yield its SQLAlchemy URL; drop it afterwards."""
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(PG_DSN)
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        params = admin.get_dsn_parameters()
        yield f"postgresql+psycopg2://{params.get('user', 'postgres')}@{params['host']}:{params['port']}/{name}"
    finally:
        with admin.cursor() as cur:
            cur.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        admin.close()
