""" "Waiting for the manager" (承認待ち) in SQL — the one spelling every query uses.

A status 4/6 decision waits while its review is `pending` (DOMAIN.md rule 3). The lead picker,
the log modal, the morning digest, the overdue spread, the CSV import and logging an action all
ask here, so they never disagree and never lose the index.

`state = 'pending'` is a literal, not a bound parameter, so that every plan may read the
partial unique index `uq_no_action_reviews_pending_lead` (`isops.models`, WHERE state =
'pending'). A planner uses a partial index only when it can prove the query's WHERE implies the
index's. With a parameter that holds for the value bound at best: SQLite re-prepares the
statement for that value, and PostgreSQL's generic plan of a prepared statement (psycopg
prepares a query after a few runs) cannot use the index at all — it reads every pending review
and filters them. With the literal both see it in the text. The index holds only pending
reviews (one per lead), so these reads cost what is waiting, not the whole review history.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, exists, literal_column
from sqlalchemy.orm import aliased

from isops.enums import ReviewState
from isops.models import Lead, NoActionReview

_PENDING: ColumnElement[str] = literal_column(f"'{ReviewState.PENDING.value}'")


def is_pending(review: Any = NoActionReview) -> ColumnElement[bool]:
    """SQL: the review (`NoActionReview`, or an alias of it) is waiting for the manager."""
    condition: ColumnElement[bool] = review.state == _PENDING
    return condition


def has_pending_review() -> ColumnElement[bool]:
    """SQL: `Lead` has a review waiting (an EXISTS: never NULL, so `NOT (…)` is safe)."""
    pending = aliased(NoActionReview)  # an alias: the outer query may select reviews too
    return exists().where(pending.lead_id == Lead.id, is_pending(pending))
