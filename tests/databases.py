"""Throw-away databases for the tests and the benchmarks: a private PostgreSQL schema (reached
through `search_path`, so several runs share one server and never see each other's rows) or a
temporary SQLite file."""

from __future__ import annotations

import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from isops.db import make_engine, normalize_url
from isops.migrate import upgrade


def schema_url(base_url: str, schema: str) -> str:
    """`base_url` (PostgreSQL) whose connections put `schema` first on their search_path."""
    base = normalize_url(base_url)
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def private_schema(base_url: str, *, prefix: str) -> Iterator[str]:
    """A new, empty schema `<prefix>_<random>` on `base_url`; yields its URL, drops it after."""
    base = normalize_url(base_url)
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = make_engine(base)
    try:
        with admin.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        try:
            yield schema_url(base, schema)
        finally:
            with admin.begin() as conn:
                conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    finally:
        admin.dispose()


@contextmanager
def migrated_database(pg_url: str | None, *, prefix: str = "isops_bench") -> Iterator[str]:
    """A migrated, empty database: a private schema on `pg_url`, or (None) a temporary
    SQLite file."""
    if pg_url is None:
        with tempfile.TemporaryDirectory(prefix="isops-") as folder:
            url = f"sqlite:///{Path(folder) / 'isops.db'}"
            upgrade(url)
            yield url
        return
    with private_schema(pg_url, prefix=prefix) as url:
        upgrade(url)
        yield url
