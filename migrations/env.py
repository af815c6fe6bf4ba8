"""Alembic environment: the URL comes from the caller's config or DATABASE_URL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig

from alembic import context
from sqlalchemy import Connection

from isops import models  # noqa: F401  (registers every table on Base.metadata)
from isops.db import Base, make_engine
from isops.settings import load_settings

config = context.config
if config.config_file_name is not None and config.attributes.get("configure_logger", True):
    fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _url() -> str:
    return config.get_main_option("sqlalchemy.url") or load_settings().database_url


def run_migrations_offline() -> None:
    context.configure(
        url=_url(),
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    try:
        with engine.connect() as conn:
            _run(conn)
    finally:
        engine.dispose()


def _run(connection: Connection) -> None:
    if connection.dialect.name == "sqlite":
        with _sqlite_foreign_keys_off(connection):
            _migrate(connection)
    else:
        _migrate(connection)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """SQLite alters most things by rebuilding the table (batch mode: copy, DROP, rename), and
    with foreign keys on, DROP TABLE leads deletes every action, history row and review that
    references it (ON DELETE CASCADE). So the migration runs with them off, as SQLite's
    ALTER TABLE guide says, and must leave no dangling reference behind.

    The pragma only takes effect outside a transaction: it goes to the driver's connection
    before Alembic begins one."""
    raw = connection.connection.driver_connection
    assert raw is not None
    raw.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
        dangling = raw.execute("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"migration left rows pointing nowhere: {dangling[:5]}")
    finally:
        raw.execute("PRAGMA foreign_keys=ON")


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
