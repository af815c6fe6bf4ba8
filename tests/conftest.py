"""Shared fixtures: a migrated database per test (SQLite always, PostgreSQL when configured)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from isops.db import Base, make_engine
from isops.migrate import downgrade, upgrade
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests.databases import migrated_database
from tests.environment import drop_settings

drop_settings()  # before any test builds Settings: the shell's must not reach them

PG_URL = os.environ.get("ISOPS_TEST_DATABASE_URL")
PG_SKIP_REASON = (
    "PostgreSQL half skipped: ISOPS_TEST_DATABASE_URL is not set "
    "(CI sets it, e.g. postgresql://postgres@127.0.0.1:5432/test)"
)
SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or a visible skip when that folder is not there."""
    path = SHARED_DIR.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"../shared not found ({path}): this test reads Slack's reference files")
    return path


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file; each test gets a copy (much faster than migrating)."""
    path = tmp_path_factory.mktemp("template") / "isops.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A private schema in the test PostgreSQL, migrated once per session and dropped after.

    A schema per session (via search_path) lets several test runs share one database."""
    if not PG_URL:
        pytest.skip(PG_SKIP_REASON)
    with migrated_database(PG_URL, prefix="isops_test") as url:
        yield url


def _truncate_all(url: str) -> None:
    engine = make_engine(url)
    names = ", ".join(t.name for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> str:
    """A migrated, empty database for this test — on SQLite, then on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "isops.db"
        shutil.copyfile(sqlite_template, path)
        return f"sqlite:///{path}"
    url: str = request.getfixturevalue("postgres_url")
    _truncate_all(url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def uow_factory(engine: Engine) -> UnitOfWorkFactory:
    return make_uow_factory(engine)


__all__ = ["PG_SKIP_REASON", "PG_URL", "downgrade", "shared_path"]
