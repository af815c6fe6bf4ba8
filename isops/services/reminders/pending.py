"""Reviews waiting for the manager, as the digest counts them: each rep's 承認待ち, each
manager's count and oldest, and the open leads whose review waits (kept out of the lists)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.enums import OPEN_STATUSES, ActionStatus
from isops.models import Lead, Member, NoActionReview
from isops.pending_review import is_pending
from isops.services.reminders.digest import PendingReviewSummary

# Ids per `IN (...)` list (SQLite allows 32,766 bound parameters per statement).
ID_CHUNK = 5000


@dataclass(frozen=True)
class PendingCounts:
    by_owner: dict[int, int]  # the rep's reviews waiting (承認待ち)
    by_manager: dict[int, PendingReviewSummary]
    # Open leads (1–3) whose review still waits: the logging feature normally sets 4/6 at
    # once, so such a lead is listed nowhere until the manager decides.
    open_lead_ids: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class _PendingRow:
    lead_id: int
    requested_by_id: int
    created_at: dt.datetime
    owner_id: int | None
    status: ActionStatus
    company: str


def _rep_of(row: _PendingRow) -> int:
    """The rep a pending review is about: the lead's owner (the requester for an unowned lead)."""
    return row.owner_id if row.owner_id is not None else row.requested_by_id


def _owners_pending(session: Session, owner_ids: set[int]) -> list[_PendingRow]:
    """The pending reviews of these owners' leads: their leads through ix_leads_owner_status,
    each probed in the pending reviews' partial unique index (a member's own list)."""
    rows = session.execute(
        select(
            NoActionReview.lead_id,
            NoActionReview.requested_by_id,
            NoActionReview.created_at,
            Lead.owner_id,
            Lead.status,
            Lead.company,
        )
        .join(Lead, Lead.id == NoActionReview.lead_id)
        .where(is_pending(), Lead.owner_id.in_(sorted(owner_ids)))
    ).all()
    # Sorted here: an ORDER BY would tempt the planner into walking every pending review in
    # (state, created_at) order instead of the owners' few leads.
    return sorted((_PendingRow(*row) for row in rows), key=lambda r: (r.created_at, r.lead_id))


def _all_pending(session: Session) -> list[_PendingRow]:
    """Every pending review (the partial unique index holds only those), then their leads by
    primary key. Two reads rather than a join, so no plan ever scans `leads`."""
    reviews = session.execute(
        select(
            NoActionReview.lead_id,
            NoActionReview.requested_by_id,
            NoActionReview.created_at,
        )
        .where(is_pending())
        .order_by(NoActionReview.created_at, NoActionReview.id)
    ).all()
    leads: dict[int, Any] = {}
    lead_ids = sorted({review.lead_id for review in reviews})
    for start in range(0, len(lead_ids), ID_CHUNK):
        chunk = lead_ids[start : start + ID_CHUNK]
        leads.update(
            (row.id, row)
            for row in session.execute(
                select(Lead.id, Lead.owner_id, Lead.status, Lead.company).where(Lead.id.in_(chunk))
            )
        )
    return [
        _PendingRow(r.lead_id, r.requested_by_id, r.created_at, *leads[r.lead_id][1:])
        for r in reviews
        if r.lead_id in leads
    ]


def pending_counts(
    session: Session,
    *,
    owner_ids: set[int],
    manager_of: Mapping[int, int],
    owners_only: bool = False,
) -> PendingCounts:
    """Each rep's count (承認待ち), each manager's count and oldest, and open leads to skip.

    A morning run reads every pending review once (`_all_pending`); one member's own list
    (`owners_only`: App Home, /isops today, whose managers' parts are not drawn) reads only
    the reviews of `owner_ids`' leads, whatever the size of the rest of the team."""
    rows = _owners_pending(session, owner_ids) if owners_only else _all_pending(session)
    open_lead_ids: set[int] = set()
    by_owner: dict[int, int] = defaultdict(int)
    counts: dict[int, int] = defaultdict(int)
    oldest: dict[int, Any] = {}
    for row in rows:
        if row.status in OPEN_STATUSES:
            open_lead_ids.add(row.lead_id)
        if row.owner_id in owner_ids:
            by_owner[row.owner_id] += 1
        # The review belongs to the lead's owner (their manager decides), as in reviews.py.
        manager_id = manager_of.get(_rep_of(row))
        if manager_id is not None:
            counts[manager_id] += 1
            oldest.setdefault(manager_id, row)
    names = (
        dict(
            session.execute(
                select(Member.id, Member.name).where(
                    Member.id.in_(sorted({_rep_of(row) for row in oldest.values()}))
                )
            ).all()
        )
        if oldest
        else {}
    )
    by_manager = {
        manager_id: PendingReviewSummary(
            count=counts[manager_id],
            oldest_company=row.company,
            oldest_rep=names.get(_rep_of(row)),
            oldest_since=row.created_at,
        )
        for manager_id, row in oldest.items()
    }
    return PendingCounts(dict(by_owner), by_manager, open_lead_ids)
