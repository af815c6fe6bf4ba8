"""The migrations are the schema: round-trip on both databases, and no drift from the models."""

from __future__ import annotations

import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import insert, inspect, select, text

from isops.db import Base, make_engine
from isops.migrate import downgrade, upgrade
from isops.models import Lead


@pytest.fixture
def empty_database_url(request: pytest.FixtureRequest, database_url: str) -> str:
    """A database with no isops tables at all."""
    downgrade(database_url, "base")
    return database_url


def _tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_round_trip(empty_database_url: str) -> None:
    assert _tables(empty_database_url) == set()
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)
    downgrade(empty_database_url, "base")
    assert _tables(empty_database_url) == set()
    upgrade(empty_database_url)
    assert _tables(empty_database_url) == set(Base.metadata.tables)


def test_models_and_migrated_schema_do_not_drift(database_url: str) -> None:
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            diff = compare_metadata(context, Base.metadata)
    finally:
        engine.dispose()
    assert diff == []


def test_sqlite_runs_in_wal_mode_with_foreign_keys(database_url: str) -> None:
    if not database_url.startswith("sqlite"):
        pytest.skip("SQLite pragmas only")
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    finally:
        engine.dispose()


def test_0003_lower_cases_stored_emails_and_indexes_search_text(database_url: str) -> None:
    downgrade(database_url, "0002_lead_picker")
    engine = make_engine(database_url)
    try:
        now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
        with engine.begin() as conn:
            conn.execute(
                insert(Lead.__table__),  # type: ignore[arg-type]
                [
                    {
                        "company": company,
                        "email": email,
                        "search_text": company,
                        "cv_at": now,
                        "status": 1,
                        "memo": "",
                        "inbound": False,
                        "call_count": 0,
                        "mail_count": 0,
                        "early_action_count": 0,
                        "created_at": now,
                        "updated_at": now,
                    }
                    for company, email in (
                        ("A", " Taro@Example.COM "),
                        ("B", "hanako@example.com"),
                        ("C", None),
                    )
                ],
            )
        assert "ix_leads_search_text" not in {
            i["name"] for i in inspect(engine).get_indexes("leads")
        }
        upgrade(database_url)
        with engine.connect() as conn:
            emails = conn.execute(select(Lead.email).order_by(Lead.company)).scalars().all()
        assert emails == ["taro@example.com", "hanako@example.com", None]
        assert "ix_leads_search_text" in {i["name"] for i in inspect(engine).get_indexes("leads")}
    finally:
        engine.dispose()
