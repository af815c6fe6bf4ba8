"""Leads as reps use them when logging: search, and look up for the log modal (registering by
hand is `lead_registration`)."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, literal_column, or_, select, text
from sqlalchemy.orm import Session

from isops.approach import is_approached, not_yet_approached
from isops.calendar import BusinessCalendar
from isops.enums import (
    NEEDS_REVIEW_STATUSES,
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    Outcome,
    Priority,
)
from isops.errors import NotAllowed, NotFound
from isops.messages import (
    LEAD_NOT_FOUND,
    LEAD_NOT_YOURS,
)
from isops.models import Lead, NoActionReview
from isops.pending_review import has_pending_review, is_pending
from isops.projection import from_attributes
from isops.rules import (
    FiveC2M,
    QuickDate,
    Targets,
    five_c2m,
    quick_next_action_dates,
    status_after_outcome,
    suggest_next_action_date,
)
from isops.services.cases_matching import CaseMatch, LeadProfile, best_case_for_lead
from isops.services.lead_access import Actor, load_actor, owner_names
from isops.text import fold
from isops.unit_of_work import UnitOfWork

MAX_OPTIONS = 50  # Slack allows 100 per options load; 50 keeps the answer small and fast


class Urgency(enum.IntEnum):
    """Why a lead is near the top of the list (lower first), DOMAIN.md rules 1, 2 and 4."""

    DUE = 0  # rule 2: a focus lead whose next action date has come
    INBOUND_WAITING = 1  # rule 1: inbound, no approach yet
    BEHIND_5C2M = 2  # rule 4: not connected, 5C2M incomplete
    DATE_COME = 3  # a non-focus lead whose next action date has come
    NONE = 4
    PENDING_REVIEW = 5  # 承認待ち: still the rep's, but waiting for the manager


@dataclass(frozen=True)
class LeadOption:
    """One row of the lead picker."""

    id: int
    company: str
    contact_name: str | None
    status: int
    urgency: Urgency
    five_c2m: FiveC2M
    owner_name: str | None  # set when the lead is not the caller's own

    @property
    def pending_review(self) -> bool:
        return self.urgency is Urgency.PENDING_REVIEW


@dataclass(frozen=True)
class LeadSnapshot:
    """A lead's current four fields, as the log modal shows them for editing."""

    id: int
    company: str
    contact_name: str | None
    owner_name: str | None  # set when the lead is not the caller's own
    # The status the lead returns to if nothing else is chosen: for a lead whose 4/6 is
    # waiting for review, the status before the request (a new action withdraws it).
    status: int
    pending_status: int | None  # 4 or 6 while a review is pending
    priority: int | None
    next_action_date: dt.date | None
    memo: str
    five_c2m: FiveC2M
    inbound: bool
    first_action_at: dt.datetime | None
    # The case to talk from (issue 14): industry, then role level, then size; None without.
    case_hint: CaseMatch | None = None
    cv_at: dt.datetime | None = None
    # What the modal pre-fills instead of `next_action_date` when that is due, overdue or
    # unset on an open lead (`rules.suggest_next_action_date`); None: the lead's own date.
    suggested_next_action_date: dt.date | None = None
    # Days since CV in the caller's calendar (0 on the CV's day), as the morning DM counts.
    days_since_cv: int = 0

    @property
    def awaiting_first_approach(self) -> bool:
        """An inbound lead nobody has approached yet (rule 1: its deadline matters)."""
        return self.inbound and not is_approached(self.status, self.first_action_at)


@dataclass(frozen=True)
class LogStart:
    """What the log modal opens with: the preselected lead (if any) and how many matched,
    the outcome a one-tap menu chose (None: the rep picks it), and the quick date choices."""

    lead: LeadSnapshot | None
    query: str
    matches: int
    outcome: Outcome | None = None
    quick_dates: dict[QuickDate, dt.date] | None = None
    today: dt.date | None = None  # the caller's today (their time zone)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _open_condition() -> ColumnElement[bool]:
    """Open for the rep: statuses 1–3, or 4/6 whose review is still pending (承認待ち)."""
    return or_(
        Lead.status.in_(OPEN_STATUSES),
        and_(Lead.status.in_(NEEDS_REVIEW_STATUSES), has_pending_review()),
    )


def _urgency(today: dt.date, targets: Targets) -> ColumnElement[int]:
    working = Lead.status.in_(OPEN_STATUSES)
    date_come = and_(Lead.next_action_date.is_not(None), Lead.next_action_date <= today)
    return case(
        (~working, literal_column(str(int(Urgency.PENDING_REVIEW)))),
        (and_(Lead.priority == Priority.FOCUS, date_come), literal_column(str(int(Urgency.DUE)))),
        (
            and_(Lead.inbound.is_(True), not_yet_approached()),
            literal_column(str(int(Urgency.INBOUND_WAITING))),
        ),
        (
            and_(
                Lead.status.in_(NOT_CONNECTED_STATUSES),
                or_(Lead.call_count < targets.calls, Lead.mail_count < targets.mails),
            ),
            literal_column(str(int(Urgency.BEHIND_5C2M))),
        ),
        (date_come, literal_column(str(int(Urgency.DATE_COME)))),
        else_=literal_column(str(int(Urgency.NONE))),
    )


def _search(
    session: Session,
    actor: Actor,
    *,
    query: str,
    today: dt.date,
    targets: Targets,
    limit: int,
) -> list[LeadOption]:
    if session.get_bind().dialect.name == "postgresql":
        # A team's thousands of rows push the cost estimate over jit_above_cost, and JIT
        # compilation then costs more than the query (~20 ms of a ~30 ms search).
        session.execute(text("SET LOCAL jit = off"))
    urgency = _urgency(today, targets).label("urgency")
    # Two steps: pick and order the leads from columns of ix_leads_picker only (a covering
    # index: a team's ~15k rows are read from the index, not the table), then fetch the
    # names of the few picked.
    stmt = select(
        Lead.id,
        Lead.status,
        Lead.call_count,
        Lead.mail_count,
        Lead.owner_id,
        urgency,
    ).where(actor.lead_filter(), _open_condition())
    terms = [fold(term) for term in query.split()]
    terms = [t for t in terms if t]
    order: list[ColumnElement[Any]] = []
    for term in terms:
        stmt = stmt.where(Lead.search_text.like(f"%{_like_escape(term)}%", escape="\\"))
    if terms:
        # A company or contact that starts with the first term first ("abc" before "xabc").
        first = _like_escape(terms[0])
        starts = or_(
            Lead.search_text.like(f"{first}%", escape="\\"),
            Lead.search_text.like(f"%|{first}%", escape="\\"),
        )
        order.append(case((starts, 0), else_=1))
    order += [
        urgency,
        Lead.next_action_date.asc().nulls_last(),
        Lead.cv_at.asc(),
        Lead.id.asc(),
    ]
    rows = session.execute(stmt.order_by(*order).limit(limit)).all()
    if not rows:
        return []
    labels = {
        r.id: (r.company, r.contact_name)
        for r in session.execute(
            select(Lead.id, Lead.company, Lead.contact_name).where(
                Lead.id.in_([r.id for r in rows])
            )
        )
    }
    names = owner_names(session, actor, {r.owner_id for r in rows if r.owner_id is not None})
    return [
        LeadOption(
            id=r.id,
            company=labels[r.id][0],
            contact_name=labels[r.id][1],
            status=r.status,
            urgency=Urgency(r.urgency),
            five_c2m=five_c2m(r.call_count, r.mail_count, targets),
            owner_name=None if r.owner_id == actor.id else names.get(r.owner_id),
        )
        for r in rows
    ]


def search_leads(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    query: str,
    calendar: BusinessCalendar,
    targets: Targets,
    limit: int = MAX_OPTIONS,
) -> list[LeadOption]:
    """The caller's open leads (a manager: their team's) matching `query` by company or
    contact, width/case/kana-insensitive; most urgent first (due, inbound waiting, 5C2M)."""
    with uow:
        actor = load_actor(uow.session, slack_user_id=slack_user_id)
        today = actor.today(calendar)
        return _search(uow.session, actor, query=query, today=today, targets=targets, limit=limit)


def _snapshot(
    session: Session,
    actor: Actor,
    lead: Lead,
    targets: Targets,
    *,
    calendar: BusinessCalendar,
    outcome: Outcome | None = None,
) -> LeadSnapshot:
    pending = session.execute(
        select(NoActionReview.requested_status, NoActionReview.previous_status).where(
            NoActionReview.lead_id == lead.id, is_pending()
        )
    ).first()
    names = owner_names(session, actor, {lead.owner_id} if lead.owner_id else set())
    status = pending.previous_status if pending else lead.status
    progress = five_c2m(lead.call_count, lead.mail_count, targets)
    today = actor.today(calendar)
    suggested = None
    if lead.next_action_date is None or lead.next_action_date <= today:
        suggested = suggest_next_action_date(
            status=status_after_outcome(status, outcome) if outcome else status,
            priority=lead.priority,
            progress=progress,
            today=today,
            calendar=calendar,
            targets=targets,
        )
    return from_attributes(
        LeadSnapshot,
        lead,
        owner_name=None if lead.owner_id == actor.id else names.get(lead.owner_id or -1),
        status=status,
        pending_status=pending.requested_status if pending else None,
        five_c2m=progress,
        case_hint=best_case_for_lead(
            session, LeadProfile(lead.industry, lead.role_level, lead.company_size)
        ),
        suggested_next_action_date=suggested,
        days_since_cv=max(0, (today - calendar.local_date(lead.cv_at)).days),
    )


def visible_lead(session: Session, actor: Actor, lead_id: int) -> Lead:
    """The lead if it exists and the actor may log it (for the services of this feature)."""
    lead = session.get(Lead, lead_id)
    if lead is None:
        raise NotFound(LEAD_NOT_FOUND)
    if not actor.may_act_for(lead.owner_id):
        raise NotAllowed(LEAD_NOT_YOURS)
    return lead


def start_log(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    calendar: BusinessCalendar,
    targets: Targets,
    query: str = "",
    lead_id: int | None = None,
    outcome: Outcome | None = None,
) -> LogStart:
    """What the log modal opens with: the lead `lead_id` (a "記録" button, a lead picked in
    the modal) or, when `query` (the command text) matches exactly one open lead, that one.
    `outcome` is preset (a one-tap menu's 詳しく記録 / 接続): the suggested next action date
    is the one for the status that outcome leads to."""
    query = query.strip()
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        today = actor.today(calendar)
        quick = quick_next_action_dates(today, calendar)

        def start(lead: Lead | None, matches: int) -> LogStart:
            snapshot = (
                _snapshot(session, actor, lead, targets, calendar=calendar, outcome=outcome)
                if lead is not None
                else None
            )
            return LogStart(
                snapshot, query, matches, outcome=outcome, quick_dates=quick, today=today
            )

        if lead_id is not None:
            return start(visible_lead(session, actor, lead_id), 1)
        if not query:
            return start(None, 0)
        found = _search(session, actor, query=query, today=today, targets=targets, limit=2)
        if len(found) != 1:
            return start(None, len(found))
        return start(session.get_one(Lead, found[0].id), 1)
