"""Leads as reps use them when logging: search, look up for the log modal, register by hand."""

from __future__ import annotations

import datetime as dt
import enum
import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal_column, or_, select, text
from sqlalchemy.orm import Session

from isops import limits
from isops.approach import is_approached, not_yet_approached
from isops.calendar import BusinessCalendar
from isops.clock import utcnow
from isops.enums import (
    NEEDS_REVIEW_STATUSES,
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    Outcome,
    Priority,
    RoleLevel,
)
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.lead_fields import InboundSources, new_lead_fields
from isops.messages import (
    COMPANY_REQUIRED,
    LEAD_NOT_FOUND,
    LEAD_NOT_YOURS,
    NOT_A_PHONE,
    NOT_AN_EMAIL,
    OWNER_NOT_ON_TEAM,
    OWNER_NOT_REGISTERED,
    too_long,
)
from isops.models import Lead, NoActionReview
from isops.pending_review import has_pending_review, is_pending
from isops.rules import (
    FiveC2M,
    QuickDate,
    Targets,
    five_c2m,
    quick_next_action_dates,
    status_after_outcome,
    suggest_next_action_date,
)
from isops.services import live_lists
from isops.services.cases_matching import CaseMatch, LeadProfile, best_case_for_lead
from isops.services.history import record_change
from isops.services.idempotency import remember_result, stored_result
from isops.services.lead_access import Actor, load_actor, owner_names
from isops.services.lookup import member_by_slack_id
from isops.text import fold
from isops.unit_of_work import UnitOfWork

MAX_OPTIONS = 50  # Slack allows 100 per options load; 50 keeps the answer small and fast
LEAD_CREATE_SCOPE = "lead_create"  # idempotency scope: Slack's view id of a /lead submission

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9()\- ]{6,30}$")


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
    return LeadSnapshot(
        id=lead.id,
        company=lead.company,
        contact_name=lead.contact_name,
        owner_name=None if lead.owner_id == actor.id else names.get(lead.owner_id or -1),
        status=status,
        pending_status=pending.requested_status if pending else None,
        priority=lead.priority,
        next_action_date=lead.next_action_date,
        memo=lead.memo,
        five_c2m=progress,
        inbound=lead.inbound,
        first_action_at=lead.first_action_at,
        case_hint=best_case_for_lead(
            session, LeadProfile(lead.industry, lead.role_level, lead.company_size)
        ),
        cv_at=lead.cv_at,
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


# -- registering a lead by hand (/lead) ----------------------------------------------------------


@dataclass(frozen=True)
class LeadSummary:
    """A lead as the /lead result shows it."""

    id: int
    company: str
    contact_name: str | None
    email: str | None
    owner_name: str | None
    status: int
    source: str | None
    cv_at: dt.datetime
    may_log: bool  # the caller may log on it (show the 記録 button)


@dataclass(frozen=True)
class LeadRegistration:
    """The lead created, or the existing one that made this a duplicate."""

    lead: LeadSummary
    created: bool
    duplicate_of: str | None = None  # "email" or "name" when an existing lead was found


def _clean(value: str | None, limit: int, name: str, label: str, errors: dict[str, str]) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        errors[name] = too_long(label, limit)
    return cleaned


def _summary(session: Session, actor: Actor, lead: Lead) -> LeadSummary:
    names = owner_names(session, actor, {lead.owner_id} if lead.owner_id else set())
    return LeadSummary(
        id=lead.id,
        company=lead.company,
        contact_name=lead.contact_name,
        email=lead.email,
        owner_name=names.get(lead.owner_id) if lead.owner_id else None,
        status=lead.status,
        source=lead.source,
        cv_at=lead.cv_at,
        may_log=actor.may_act_for(lead.owner_id),
    )


def _serialize_registrations(session: Session) -> None:
    # Check-then-insert must not interleave: SQLite's BEGIN IMMEDIATE already serializes
    # writers; on PostgreSQL a transaction-scoped advisory lock does (registrations by hand
    # are rare, so one lock for all of them costs nothing).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(0x15095_1EAD)))


def register_lead(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    company: str,
    contact_name: str | None = None,
    title: str | None = None,
    role_level: RoleLevel | None = None,
    industry: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    source: str | None = None,
    cv_at: dt.datetime | None = None,
    owner_slack_user_id: str | None = None,
    inbound_sources: tuple[str, ...] = (),
    idempotency_key: str | None = None,
    tz: dt.tzinfo | None = None,
) -> LeadRegistration:
    """Register a lead by hand; the same e-mail, or the same company and contact (folded),
    returns the existing lead instead of creating a second one.

    The CV time must lie in `limits.cv_at_out_of_range`'s window, read in the team's zone `tz`
    (ISOPS_TIMEZONE; None: the CV's own zone) — the window of the webhook and the CSV import,
    so a lead registered here is never refused when its export is imported back."""
    errors: dict[str, str] = {}
    company = _clean(company, limits.COMPANY, "company", "会社名", errors)
    if not company:
        errors["company"] = COMPANY_REQUIRED
    contact = _clean(contact_name, limits.CONTACT_NAME, "contact_name", "担当者名", errors) or None
    title = _clean(title, limits.TITLE, "title", "役職", errors) or None
    industry = _clean(industry, limits.INDUSTRY, "industry", "業種", errors) or None
    source = _clean(source, limits.SOURCE, "source", "流入元", errors) or None
    email = _clean(email, limits.EMAIL, "email", "メールアドレス", errors) or None
    if email and not _EMAIL.match(email):
        errors["email"] = NOT_AN_EMAIL
    email = limits.normalize_email(email) if email else None
    phone = _clean(phone, limits.PHONE, "phone", "電話番号", errors) or None
    if phone and not _PHONE.match(phone.replace("－", "-")):
        errors["phone"] = NOT_A_PHONE
    now = utcnow()
    cv_at = cv_at or now
    cv_problem = limits.cv_at_out_of_range(cv_at, now=now, tz=tz or cv_at.tzinfo or dt.UTC)
    if cv_problem is not None:
        errors["cv_at"] = cv_problem
    if errors:
        raise InvalidInput(errors)

    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        owner_id = actor.id
        if owner_slack_user_id and owner_slack_user_id != actor.slack_user_id:
            owner = member_by_slack_id(session, owner_slack_user_id)
            if owner is None or not owner.active:
                raise InvalidInput({"owner": OWNER_NOT_REGISTERED})
            if not actor.may_act_for(owner.id):
                raise InvalidInput({"owner": OWNER_NOT_ON_TEAM})
            owner_id = owner.id
        _serialize_registrations(session)
        if idempotency_key:
            earlier = stored_result(session, scope=LEAD_CREATE_SCOPE, key=idempotency_key)
            if earlier is not None:  # the same submission again (double click, retry)
                lead = session.get_one(Lead, int(earlier))
                return LeadRegistration(_summary(session, actor, lead), created=True)
        fields = new_lead_fields(
            company=company,
            contact_name=contact,
            source=source,
            inbound_sources=InboundSources.of(inbound_sources),
        )
        search_text = fields["search_text"]
        # Both are plain equalities on indexed columns (ix_leads_email, ix_leads_search_text):
        # e-mails are stored normalised on every write path, so no lower() is needed here.
        by_email = Lead.email == email if email else None
        same_name = Lead.search_text == search_text if contact else None
        conditions = [c for c in (by_email, same_name) if c is not None]
        if conditions:
            existing = session.scalars(
                select(Lead).where(or_(*conditions)).order_by(Lead.id).limit(1)
            ).first()
            if existing is not None:
                kind = "email" if email and existing.email == email else "name"
                return LeadRegistration(
                    _summary(session, actor, existing), created=False, duplicate_of=kind
                )
        lead = Lead(
            company=company,
            contact_name=contact,
            title=title,
            role_level=role_level,
            industry=industry,
            email=email,
            phone=phone,
            source=source,
            cv_at=cv_at,
            owner_id=owner_id,
            status=ActionStatus.UNTOUCHED,
            **fields,
        )
        session.add(lead)
        session.flush()
        owner_slack = owner_slack_user_id or actor.slack_user_id
        record_change(
            session,
            lead_id=lead.id,
            member_id=actor.id,
            field="owner",
            old=None,
            new=owner_slack,
            note="手動登録 (/lead)",
            at=now,
        )
        if idempotency_key:
            remember_result(
                session, scope=LEAD_CREATE_SCOPE, key=idempotency_key, result=str(lead.id)
            )
        live_lists.refresh_homes(uow, member_ids=[owner_id], now=now)
        summary = _summary(session, actor, lead)
        uow.commit()
        return LeadRegistration(summary, created=True)
