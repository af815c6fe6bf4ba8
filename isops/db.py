"""Engine and schema base: one place that knows SQLite and PostgreSQL apart."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, TypeVar, cast

from sqlalchemy import DateTime, Engine, Integer, MetaData, String, create_engine, event
from sqlalchemy.engine import CursorResult, Dialect, Result
from sqlalchemy.orm import DeclarativeBase
from sqlalchemy.pool import StaticPool
from sqlalchemy.types import TypeDecorator

# Stable constraint names, so Alembic can alter them on both databases.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Aware datetimes in, aware UTC datetimes out — SQLite forgets the zone otherwise."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; isops stores aware datetimes only")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        moment = cast(dt.datetime, value)
        if moment.tzinfo is None:
            return moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(dt.UTC)


IntEnumT = TypeVar("IntEnumT", bound=enum.IntEnum)
StrEnumT = TypeVar("StrEnumT", bound=enum.StrEnum)


class IntEnumColumn(TypeDecorator[IntEnumT]):
    """An IntEnum (status, priority) kept in an INTEGER column as its number.

    The schema is a plain Integer (Alembic sees no change; the CHECK constraints stay the
    database's guard), Python reads the enum. Binding takes the enum or a plain int (a CSV
    row, a test), and passes the number on unchanged."""

    impl = Integer
    cache_ok = True

    def __init__(self, enum_cls: type[IntEnumT]) -> None:
        super().__init__()
        self.enum_cls = enum_cls

    def process_bind_param(self, value: int | None, dialect: Dialect) -> int | None:
        return None if value is None else int(value)

    def process_result_value(self, value: Any, dialect: Dialect) -> IntEnumT | None:
        return None if value is None else self.enum_cls(value)


class StrEnumColumn(TypeDecorator[StrEnumT]):
    """A StrEnum (an action's outcome) kept in a VARCHAR column as its value.

    The schema is a plain String (Alembic sees no change). Reading is strict: every path
    that writes these columns (logging, the activity import, the demo) writes the enum's
    values, and no migration or import ever wrote another."""

    impl = String
    cache_ok = True

    def __init__(self, enum_cls: type[StrEnumT], length: int) -> None:
        super().__init__(length)
        self.enum_cls = enum_cls

    def process_bind_param(self, value: str | None, dialect: Dialect) -> str | None:
        return None if value is None else str(self.enum_cls(value).value)

    def process_result_value(self, value: Any, dialect: Dialect) -> StrEnumT | None:
        return None if value is None else self.enum_cls(value)


def affected_rows(result: Result[Any]) -> int:
    """Rows an UPDATE/DELETE touched (the basis of every compare-and-set in isops)."""
    return int(cast(CursorResult[Any], result).rowcount)


def normalize_url(url: str) -> str:
    """`postgresql://` and `postgres://` mean psycopg 3 (the driver isops installs)."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for `url`; SQLite gets WAL, foreign keys and a busy timeout."""
    url = normalize_url(url)
    if url.startswith("sqlite"):
        connect_args = kwargs.pop("connect_args", {})
        connect_args.setdefault("check_same_thread", False)
        # Wait for a writer instead of failing at once: several threads share the file.
        connect_args.setdefault("timeout", 30)
        if url in ("sqlite://", "sqlite:///:memory:"):
            kwargs.setdefault("poolclass", StaticPool)
        engine = create_engine(url, connect_args=connect_args, **kwargs)
        _configure_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def _configure_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # pysqlite's own BEGIN handling defers locks and breaks SAVEPOINT; we emit BEGIN.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue instead of one
        # failing with "database is locked" half-way through a read-then-write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
