"""The migrations are the schema: round-trip on both databases, and no drift from the models."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import JSON, Date, column, func, insert, inspect, select, table, text

from isops.db import Base, UTCDateTime, make_engine
from isops.migrate import downgrade, upgrade
from isops.models import Action, Lead, Member, Notification


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


def _lead_row(now: dt.datetime, **columns: Any) -> dict[str, Any]:
    """A lead as a plain row: the columns every schema version here requires, at `now`
    (`columns`: more, or other values). No id unless given."""
    return {
        "company": "A",
        "search_text": "a",
        "cv_at": now,
        "status": 1,
        "memo": "",
        "inbound": False,
        "call_count": 0,
        "mail_count": 0,
        "early_action_count": 0,
        "created_at": now,
        "updated_at": now,
        **columns,
    }


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
                    _lead_row(now, company=company, email=email, search_text=company)
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


def test_0004_folds_morning_claims_into_the_outbox_and_back(database_url: str) -> None:
    downgrade(database_url, "0003_email_search_text")
    engine = make_engine(database_url)
    now = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)
    day = dt.date(2026, 11, 27)
    deliveries = table(
        "reminder_deliveries",
        column("member_id"),
        column("business_date", Date),
        column("kind"),
        column("state"),
        column("attempts"),
        column("claimed_at", UTCDateTime),
        column("sent_at", UTCDateTime),
        column("last_error"),
    )
    old_notifications = table(
        "notifications",
        column("kind"),
        column("payload", JSON),
        column("state"),
        column("attempts"),
        column("next_attempt_at", UTCDateTime),
        column("created_at", UTCDateTime),
    )
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Member.__table__),  # type: ignore[arg-type]
                [
                    {
                        "id": i,
                        "slack_user_id": f"U{i}",
                        "name": f"m{i}",
                        "role": "rep",
                        "active": True,
                        "last_assigned_seq": 0,
                        "created_at": now,
                    }
                    for i in range(1, 6)
                ],
            )
            states = [("sent", 1), ("skipped", 0), ("failed", 5), ("failed", 2), ("sending", 1)]
            conn.execute(
                insert(deliveries),
                [
                    {
                        "member_id": i,
                        "business_date": day,
                        "kind": "morning",
                        "state": state,
                        "attempts": attempts,
                        "claimed_at": now,
                        "sent_at": now if state == "sent" else None,
                        "last_error": None,
                    }
                    for i, (state, attempts) in enumerate(states, start=1)
                ],
            )
            conn.execute(
                insert(old_notifications),
                [
                    {
                        "kind": "review_requested",
                        "payload": {},
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    },
                    {
                        "kind": "review_requested",
                        "payload": {},
                        "state": "sending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    },
                ],
            )
        upgrade(database_url)
        assert "reminder_deliveries" not in inspect(engine).get_table_names()
        with engine.connect() as conn:
            rows = {
                r.delivery_key: r
                for r in conn.execute(
                    select(
                        Notification.delivery_key,
                        Notification.state,
                        Notification.maybe_posted,
                        Notification.lease_until,
                    )
                )
            }
        # Settled days move over; a retryable failure and a claim left "sending" have no
        # message to retry with: the next morning run sends them afresh.
        assert set(rows) == {
            "n:1",
            "n:2",
            "morning:1:2026-11-27",
            "morning:2:2026-11-27",
            "morning:3:2026-11-27",
        }
        assert rows["morning:3:2026-11-27"].state == "failed"
        assert rows["n:2"].maybe_posted and rows["n:2"].lease_until == now + dt.timedelta(minutes=5)
        assert not rows["n:1"].maybe_posted
        with engine.begin() as conn:  # a morning DM queued under 0004, not sent yet
            conn.execute(
                insert(Notification.__table__),  # type: ignore[arg-type]
                [
                    {
                        "kind": "morning",
                        "delivery_key": "morning:4:2026-11-30",
                        "payload": {},
                        "state": "pending",
                        "attempts": 0,
                        "next_attempt_at": now,
                        "claim_token": 0,
                        "maybe_posted": False,
                        "created_at": now,
                    }
                ],
            )
        downgrade(database_url, "0003_email_search_text")
        with engine.connect() as conn:
            back = sorted(
                (r.member_id, str(r.business_date), r.state, r.attempts)
                for r in conn.execute(select(deliveries))
            )
            kinds = sorted(conn.execute(select(old_notifications.c.kind)).scalars())
        assert back == [
            (1, "2026-11-27", "sent", 1),
            (2, "2026-11-27", "skipped", 0),
            (3, "2026-11-27", "failed", 5),
            (4, "2026-11-30", "failed", 0),  # retried by the old code's next run
        ]
        assert kinds == ["review_requested", "review_requested"]
        assert "delivery_key" not in {
            c["name"] for c in inspect(engine).get_columns("notifications")
        }
        upgrade(database_url)
    finally:
        engine.dispose()


def test_0006_adds_the_case_library_and_lead_sizes_and_back_keeping_leads_actions(
    database_url: str,
) -> None:
    """Down and up again with data: the downgrade drops `leads.company_size` in place (a batch
    rebuild of `leads` on SQLite would cascade-delete its actions)."""
    engine = make_engine(database_url)
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                insert(Lead.__table__),  # type: ignore[arg-type]
                [_lead_row(now, id=1, call_count=1, company_size="50-299")],
            )
            conn.execute(
                insert(Action.__table__),  # type: ignore[arg-type]
                [
                    {
                        "lead_id": 1,
                        "channel": "call",
                        "outcome": "不在",
                        "memo": "",
                        "acted_at": now,
                        "created_at": now,
                    }
                ],
            )
        downgrade(database_url, "0004_outbox_exactly_once")
        tables = set(inspect(engine).get_table_names())
        assert not {"cases", "case_tags", "case_chains"} & tables
        assert "company_size" not in {c["name"] for c in inspect(engine).get_columns("leads")}
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Action)).scalar() == 1
            assert conn.execute(select(func.count()).select_from(Lead)).scalar() == 1
        upgrade(database_url)
        assert {"cases", "case_tags", "case_chains"} <= set(inspect(engine).get_table_names())
        with engine.connect() as conn:
            assert conn.execute(select(Lead.company_size)).scalar() is None
            assert conn.execute(select(func.count()).select_from(Action)).scalar() == 1
    finally:
        engine.dispose()


def _rep_fs_and_a_meeting_lead(conn: Any, now: dt.datetime, **lead: Any) -> None:
    """Members 1 (rep) and 2 (FS), and lead 1 at status 5 owned by the rep (`lead`: more
    columns), written as plain rows: the hand-off migrations run on them."""
    conn.execute(
        insert(Member.__table__),  # type: ignore[arg-type]
        [
            {
                "id": i,
                "slack_user_id": f"U{i}",
                "name": f"m{i}",
                "role": role,
                "active": True,
                "last_assigned_seq": 0,
                "created_at": now,
            }
            for i, role in ((1, "rep"), (2, "fs"))
        ],
    )
    conn.execute(
        insert(Lead.__table__),  # type: ignore[arg-type]
        _lead_row(now, id=1, status=5, owner_id=1, **lead),
    )


def _handoff_of_lead_1(conn: Any, now: dt.datetime, **more: Any) -> None:
    """Lead 1 handed by the rep (member 1) to the FS (member 2), every time `now`, as a plain
    row (`more`: more columns)."""
    from isops.models import Handoff

    conn.execute(
        insert(Handoff.__table__),  # type: ignore[arg-type]
        {
            "lead_id": 1,
            "rep_id": 1,
            "created_by_id": 1,
            "fs_member_id": 2,
            "meeting_at": now,
            "meeting_mode": "visit",
            "problem": "課題",
            "wants": "事例",
            "created_at": now,
            "verdict_due_at": now,
            "next_request_at": now,
            **more,
        },
    )


def test_0005_adds_handoffs_and_the_leads_fs_member_and_removes_them(database_url: str) -> None:

    engine = make_engine(database_url)
    now = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            _rep_fs_and_a_meeting_lead(conn, now, fs_member_id=2)
            _handoff_of_lead_1(
                conn,
                now,
                situation="",
                decision_process="",
                budget_timing="",
                verdict_requests=0,
                version=1,
            )
        downgrade(database_url, "0004_outbox_exactly_once")
        assert "handoffs" not in inspect(engine).get_table_names()
        assert "fs_member_id" not in {c["name"] for c in inspect(engine).get_columns("leads")}
        with engine.connect() as conn:  # the lead itself survives
            assert conn.execute(text("SELECT status FROM leads WHERE id = 1")).scalar() == 5
        upgrade(database_url)
        assert "handoffs" in inspect(engine).get_table_names()
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("handoffs")}
        assert indexes["uq_handoffs_open_lead"]["unique"]
    finally:
        engine.dispose()


def test_every_upgrade_keeps_the_rows_that_reference_a_rebuilt_table(database_url: str) -> None:
    """SQLite rebuilds a table for many ALTERs (Alembic's batch mode): dropping the old copy
    must not cascade to the rows that reference it. A team's actions, history and reviews
    survive every upgrade from the first revision on."""
    downgrade(database_url, "base")
    upgrade(database_url, "0001")
    engine = make_engine(database_url)
    now = dt.datetime(2026, 11, 27, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO members (id, slack_user_id, name, role, active,"
                    " last_assigned_seq, created_at) VALUES (1, 'U1', 'rep', 'rep', true, 0, :now)"
                ),
                {"now": now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now},
            )
            conn.execute(
                text(
                    "INSERT INTO leads (id, company, cv_at, owner_id, status, memo, inbound,"
                    " call_count, mail_count, early_action_count, created_at, updated_at)"
                    " VALUES (1, 'A', :now, 1, 2, '', false, 1, 0, 1, :now, :now)"
                ),
                {"now": now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now},
            )
            conn.execute(
                text(
                    "INSERT INTO actions (lead_id, member_id, channel, outcome, memo, acted_at,"
                    " created_at) VALUES (1, 1, 'call', '不在', '', :now, :now)"
                ),
                {"now": now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now},
            )
            conn.execute(
                text(
                    "INSERT INTO lead_history (lead_id, member_id, field, old_value, new_value,"
                    " changed_at) VALUES (1, 1, 'status', '1', '2', :now)"
                ),
                {"now": now.replace(tzinfo=None) if engine.dialect.name == "sqlite" else now},
            )
        upgrade(database_url)
        with engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(Action)).scalar() == 1
            assert conn.execute(text("SELECT count(*) FROM lead_history")).scalar() == 1
            assert conn.execute(select(func.count()).select_from(Lead)).scalar() == 1
    finally:
        engine.dispose()


def _partial_index_sql(engine: Any, name: str) -> str:
    """The definition of an index as the database holds it (its WHERE clause included)."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            query = text("SELECT sql FROM sqlite_master WHERE type = 'index' AND name = :n")
        else:
            query = text(
                "SELECT indexdef FROM pg_indexes WHERE indexname = :n"
                " AND schemaname = current_schema()"
            )
        return str(conn.execute(query, {"n": name}).scalar())


def test_0007_adds_the_handoffs_case_and_removes_it_keeping_the_handoffs(
    database_url: str,
) -> None:
    """`handoffs.case_id` comes and goes; the hand-off rows stay, and on SQLite the rebuilt
    table keeps its partial unique index (at most one open hand-off per lead)."""
    from isops.models import Case, Handoff

    engine = make_engine(database_url)
    now = dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC)
    try:
        with engine.begin() as conn:
            _rep_fs_and_a_meeting_lead(conn, now)
            conn.execute(
                insert(Case.__table__),  # type: ignore[arg-type]
                {
                    "id": 1,
                    "external_id": "c-1",
                    "title": "事例",
                    "industry": "製造",
                    "industry_key": "製造",
                    "created_at": now,
                    "updated_at": now,
                },
            )
            _handoff_of_lead_1(conn, now, case_id=1)
        downgrade(database_url, "0006_cases")
        assert "case_id" not in {c["name"] for c in inspect(engine).get_columns("handoffs")}
        with engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM handoffs")).scalar() == 1
        upgrade(database_url)
        with engine.connect() as conn:
            assert conn.execute(select(Handoff.lead_id, Handoff.case_id)).all() == [(1, None)]
        indexes = {i["name"]: i for i in inspect(engine).get_indexes("handoffs")}
        assert indexes["ix_handoffs_case_id"]["column_names"] == ["case_id"]
        assert indexes["uq_handoffs_open_lead"]["unique"]
        assert "verdict IS NULL" in _partial_index_sql(engine, "uq_handoffs_open_lead")
        (fk,) = [
            f
            for f in inspect(engine).get_foreign_keys("handoffs")
            if f["referred_table"] == "cases"
        ]
        assert fk["constrained_columns"] == ["case_id"]
        assert fk["options"].get("ondelete") == "SET NULL"
    finally:
        engine.dispose()
