""" "Waiting for the manager" in SQL: what it finds, and that every plan — PostgreSQL's generic
plan of a prepared statement included — reads it from the partial index on pending reviews
(the reason it is spelled with a literal, `isops.pending_review`)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import Engine, event, not_, select, update

from isops.enums import ReviewState
from isops.models import Lead, NoActionReview
from isops.pending_review import has_pending_review, is_pending
from isops.services.reviews import pending_review_id
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f

PARTIAL_INDEX = "uq_no_action_reviews_pending_lead"


@pytest.fixture
def leads(uow_factory: UnitOfWorkFactory) -> dict[str, int]:
    """A lead waiting for review, one whose review was withdrawn, one with none."""
    f.member(uow_factory(), "UR1")
    ids = {name: f.lead(uow_factory(), owner="UR1") for name in ("waiting", "withdrawn", "none")}
    f.review(uow_factory(), ids["waiting"], by="UR1")
    withdrawn = f.review(uow_factory(), ids["withdrawn"], by="UR1")
    with uow_factory() as uow:
        uow.session.execute(
            update(NoActionReview)
            .where(NoActionReview.id == withdrawn)
            .values(state=ReviewState.WITHDRAWN)
        )
        uow.commit()
    return ids


def test_only_a_pending_review_counts(
    uow_factory: UnitOfWorkFactory, leads: dict[str, int]
) -> None:
    with uow_factory() as uow:
        session = uow.session
        assert session.scalars(select(Lead.id).where(has_pending_review())).all() == [
            leads["waiting"]
        ]
        assert sorted(session.scalars(select(Lead.id).where(not_(has_pending_review())))) == sorted(
            [leads["withdrawn"], leads["none"]]
        )
        assert session.scalars(select(NoActionReview.lead_id).where(is_pending())).all() == [
            leads["waiting"]
        ]
        assert pending_review_id(uow, lead_id=leads["waiting"]) is not None
        assert pending_review_id(uow, lead_id=leads["withdrawn"]) is None


def _plan(engine: Engine, sql: str, params: Any) -> str:
    """The plan every execution of `sql` may get: on PostgreSQL the generic plan of a prepared
    statement (psycopg prepares a query run often), which cannot lean on a parameter's value."""
    with engine.begin() as conn:
        if engine.dialect.name == "sqlite":
            rows = conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {sql}", params)
            return " ".join(row[-1] for row in rows)
        names = re.findall(r"%\((\w+)\)s", sql)
        numbered = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", sql)
        conn.exec_driver_sql("SET LOCAL plan_cache_mode = force_generic_plan")
        conn.exec_driver_sql("SET LOCAL enable_seqscan = off")
        conn.exec_driver_sql(f"PREPARE pending_plan AS {numbered}")
        values = ", ".join(
            f"'{params[n]}'" if isinstance(params[n], str) else str(params[n]) for n in names
        )
        plan = " ".join(
            row[0] for row in conn.exec_driver_sql(f"EXPLAIN EXECUTE pending_plan({values})")
        )
        conn.exec_driver_sql("DEALLOCATE pending_plan")
        return plan


def test_every_plan_finds_a_lead_s_pending_review_through_the_partial_index(
    engine: Engine, uow_factory: UnitOfWorkFactory, leads: dict[str, int]
) -> None:
    statements: list[tuple[str, Any]] = []

    def capture(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if "no_action_reviews" in sql and sql.lstrip().upper().startswith("SELECT"):
            statements.append((sql, params))

    event.listen(engine, "before_cursor_execute", capture)
    try:
        with uow_factory() as uow:
            pending_review_id(uow, lead_id=leads["waiting"])
            # The EXISTS of the lead picker and the overdue spread.
            uow.session.execute(select(Lead.id).where(Lead.owner_id == 1, has_pending_review()))
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len(statements) == 2
    for sql, params in statements:
        assert PARTIAL_INDEX in _plan(engine, sql, params), sql
