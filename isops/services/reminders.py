"""Morning reminders: who is due, and each member's digest as plain data.

What a rep sees (DOMAIN.md rules 1–5, reports a–e), most urgent first:
🔥 inbound leads at or past their first-approach deadline, not yet approached (rule 1;
   `isops.approach`: status 1 and no touch logged),
📅 focus leads whose next action date has come, overdue ones apart (rule 2),
🔁 leads not yet connected with 5C2M incomplete (rule 4),
↩️ decisions the manager returned, with the reason (rule 3),
🧹 focus leads without a next action date or with one too far out (rule 5).
A manager also sees pending reviews, yesterday's team figures and away reps' hot leads.

Cost: the digest reads the counters kept on `leads` (never `actions`), only open leads of the
recipients (index `ix_leads_owner_status`), a bounded number of rows per section (window
functions), in a fixed number of statements per business date — whatever the number of leads.

Exactly once: each member's morning DM is one outbox notification per business date
(isops.services.morning_delivery); a member whose day has one that no run may send now is not
due.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import (
    ColumnElement,
    Row,
    and_,
    case,
    exists,
    func,
    literal_column,
    not_,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session, aliased

from isops.approach import approached_before, not_yet_approached
from isops.calendar import BusinessCalendar, member_zone
from isops.db import affected_rows
from isops.enums import ActionStatus, Priority, ReviewState
from isops.models import AwayPeriod, Lead, Member, NoActionReview
from isops.rules import FiveC2M, five_c2m
from isops.services.handoff_reports import UnratedHandoff, unrated_for_recipients
from isops.services.lookup import require_active_member
from isops.services.morning_delivery import busy_days
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

# Lines per section carried to the DM builder (it shows fewer when the message is full).
DM_SECTION_LIMIT = 10
# Returned decisions stay on the rep's list until the rep logs an action, at most this long.
RETURNED_SHOWN_FOR = dt.timedelta(days=14)

OPEN = (ActionStatus.UNTOUCHED, ActionStatus.NOT_CONNECTED, ActionStatus.CONNECTED)
NOT_CONNECTED = (ActionStatus.UNTOUCHED, ActionStatus.NOT_CONNECTED)
# Leads never connected (status 4 is a drop before connecting): rule 4 applies to them.
NEVER_CONNECTED = (*NOT_CONNECTED, ActionStatus.NO_ACTION_BEFORE_CONNECT)

MIDNIGHT = dt.time(0, 0)
# Ids per `IN (...)` list (SQLite allows 32,766 bound parameters per statement).
ID_CHUNK = 5000


# -- results ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A member whose morning message is due, with their local business date.

    `as_of`: the moment the digest is computed as of — set for a date chosen by hand (that
    date at ISOPS_REMIND_AT in the member's zone); None means the run's own `now`."""

    member_id: int
    slack_user_id: str
    name: str
    business_date: dt.date
    as_of: dt.datetime | None = None


@dataclass(frozen=True)
class LeadLine:
    """One lead as a reminder line (values only, no ORM)."""

    lead_id: int
    company: str
    contact_name: str | None
    source: str | None
    status: int
    cv_at: dt.datetime
    days_since_cv: int
    next_action_date: dt.date | None
    progress: FiveC2M
    early_actions: int
    early_target: int
    in_early_window: bool
    inbound_deadline: dt.date | None

    @property
    def early_behind(self) -> bool:
        """Still inside the N-day window after CV with fewer than the target actions (rule 4)."""
        return self.in_early_window and self.early_actions < self.early_target


@dataclass(frozen=True)
class LeadList:
    """The first lines of a list and how many there are in all."""

    items: tuple[LeadLine, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class ReturnedDecision:
    """A status 4/6 decision the manager returned (差し戻し), with the reason to chase."""

    review_id: int
    lead_id: int
    company: str
    contact_name: str | None
    requested_status: int
    reason_code: str
    return_reason: str
    returned_by: str | None
    returned_at: dt.datetime


@dataclass(frozen=True)
class RepDigest:
    inbound: LeadList = LeadList()
    focus_due: LeadList = LeadList()
    overdue: LeadList = LeadList()
    five_c2m: LeadList = LeadList()
    returned: tuple[ReturnedDecision, ...] = ()
    hygiene: LeadList = LeadList()
    awaiting_review: int = 0  # status 4/6 requests waiting for the manager (承認待ち)

    @property
    def is_empty(self) -> bool:
        lists = (self.inbound, self.focus_due, self.overdue, self.five_c2m, self.hygiene)
        return not self.returned and all(part.total == 0 for part in lists)


@dataclass(frozen=True)
class PendingReviewSummary:
    count: int = 0
    oldest_company: str | None = None
    oldest_rep: str | None = None
    oldest_since: dt.datetime | None = None


@dataclass(frozen=True)
class RepOverdue:
    name: str
    slack_user_id: str
    count: int


@dataclass(frozen=True)
class TeamFigures:
    """The previous business day's habits (with the non-business days after it)."""

    day: dt.date
    inbound_on_time: int = 0
    inbound_due: int = 0
    early_reached: int = 0
    early_due: int = 0
    most_overdue: tuple[RepOverdue, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.inbound_due == 0 and self.early_due == 0 and not self.most_overdue


@dataclass(frozen=True)
class AwayRep:
    """A rep on leave today, with the hot leads that must not wait for their return."""

    name: str
    slack_user_id: str
    until: dt.date
    inbound: LeadList = LeadList()
    focus_due: LeadList = LeadList()
    overdue: LeadList = LeadList()

    @property
    def has_hot_leads(self) -> bool:
        return any(part.total for part in (self.inbound, self.focus_due, self.overdue))


@dataclass(frozen=True)
class ManagerDigest:
    team_size: int
    pending: PendingReviewSummary
    figures: TeamFigures
    away: tuple[AwayRep, ...] = ()

    @property
    def is_empty(self) -> bool:
        return (
            self.pending.count == 0
            and self.figures.is_empty
            and not any(rep.has_hot_leads for rep in self.away)
        )


@dataclass(frozen=True)
class MorningDigest:
    member_id: int
    slack_user_id: str
    name: str
    business_date: dt.date
    rep: RepDigest
    manager: ManagerDigest | None = None
    # FS 未評価 (issue 12): meetings this manager's FS (or, for an admin, an FS without a
    # manager) left unrated after three requests.
    fs_unrated: tuple[UnratedHandoff, ...] = ()

    @property
    def is_empty(self) -> bool:
        """Nothing to do and nothing to decide: no DM at all (no noise)."""
        return (
            self.rep.is_empty
            and (self.manager is None or self.manager.is_empty)
            and not self.fs_unrated
        )


# -- time ------------------------------------------------------------------------------------------


def _at(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at local `time` in `zone`, as an aware UTC datetime."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


@dataclass(frozen=True)
class _Day:
    """Every boundary one business date's queries need, computed once."""

    today: dt.date
    now: dt.datetime
    # Inbound leads converted before this moment have a deadline on or before `today`.
    inbound_due_before: dt.datetime
    # … and before this one, a deadline before `today` (overdue, for the manager's count).
    inbound_late_before: dt.datetime
    # Focus leads due up to here are today's: on the last business day before a weekend or
    # holiday this covers the days off, so nothing due on Saturday waits until Tuesday.
    due_until: dt.date
    hygiene_after: dt.date
    early_since: dt.datetime
    previous: dt.date  # the previous business day, for the manager's figures

    @classmethod
    def of(
        cls, today: dt.date, now: dt.datetime, settings: Settings, calendar: BusinessCalendar
    ) -> _Day:
        tz = calendar.tz
        # A deadline is a business day: on a day off, "due by today" means by the last one.
        last_business = today if calendar.is_business_day(today) else _previous(calendar, today)
        previous = _previous(calendar, today)
        return cls(
            today=today,
            now=now,
            inbound_due_before=_at(last_business, settings.inbound_cutoff, tz),
            inbound_late_before=_at(previous, settings.inbound_cutoff, tz),
            due_until=calendar.next_business_day(today) - dt.timedelta(days=1),
            hygiene_after=today + dt.timedelta(days=settings.focus_max_days),
            early_since=now - dt.timedelta(days=settings.early_window_days),
            previous=previous,
        )


def _previous(calendar: BusinessCalendar, day: dt.date) -> dt.date:
    return calendar.previous_business_day(day)


# -- who is due ------------------------------------------------------------------------------------


def due_recipients(
    uow: UnitOfWork,
    *,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    on: dt.date | None = None,
    include_settled: bool = False,
) -> list[Recipient]:
    """Members whose morning message is due and not yet settled.

    Scheduled (`on` is None): it is a business day where the member is, and their local time is
    between ISOPS_REMIND_AT and ISOPS_REMIND_CATCHUP_UNTIL (a bot started late still sends).
    By hand (`on` given): that date for everyone, at any hour, each digest computed as of that
    date at ISOPS_REMIND_AT in the member's zone (`Recipient.as_of`) — the 7-day window after
    CV and the rest read from that moment, not from the clock. Either way members away that day
    are left out, and so is anyone whose message was sent, found empty, is being sent by a live
    process, is waiting for its retry, or failed for good (`include_settled` keeps them: a dry
    run previews everyone).
    """
    with uow:
        session = uow.session
        members = session.execute(
            select(Member.id, Member.slack_user_id, Member.name, Member.timezone)
            .where(Member.active.is_(True))
            .order_by(Member.id)
        ).all()
        candidates: list[Recipient] = []
        for member_id, slack_user_id, name, timezone in members:
            zone = member_zone(timezone, calendar.tz)
            as_of: dt.datetime | None = None
            if on is not None:
                day = on
                as_of = reminder_moment(on, settings, zone)
            else:
                local = now.astimezone(zone)
                if not settings.remind_at <= local.time() < settings.remind_catchup_until:
                    continue
                day = local.date()
            if calendar.is_business_day(day):
                candidates.append(Recipient(member_id, slack_user_id, name, day, as_of))
        if not candidates:
            return []
        days = {c.business_date for c in candidates}
        away = _away_until(session, member_ids=None, days=days)
        busy = (
            set()
            if include_settled
            else busy_days(
                session, member_days=((c.member_id, c.business_date) for c in candidates), now=now
            )
        )
        return [
            c
            for c in candidates
            if (c.member_id, c.business_date) not in away
            and (c.member_id, c.business_date) not in busy
        ]


def reminder_moment(day: dt.date, settings: Settings, zone: ZoneInfo) -> dt.datetime:
    """`day` at ISOPS_REMIND_AT in `zone`: the moment a morning digest of `day` is as of."""
    return _at(day, settings.remind_at, zone)


def _away_until(
    session: Session, *, member_ids: Iterable[int] | None, days: set[dt.date]
) -> dict[tuple[int, dt.date], dt.date]:
    """(member id, day) → last day of the away period covering it."""
    stmt = select(AwayPeriod.member_id, AwayPeriod.start_date, AwayPeriod.end_date).where(
        AwayPeriod.start_date <= max(days), AwayPeriod.end_date >= min(days)
    )
    if member_ids is not None:
        stmt = stmt.where(AwayPeriod.member_id.in_(sorted(set(member_ids))))
    found: dict[tuple[int, dt.date], dt.date] = {}
    for member_id, start, end in session.execute(stmt):
        for day in days:
            if start <= day <= end:
                found[(member_id, day)] = max(end, found.get((member_id, day), end))
    return found


# -- digests ---------------------------------------------------------------------------------------


def compute_digests(
    uow: UnitOfWork,
    *,
    recipients: Sequence[Recipient],
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None = DM_SECTION_LIMIT,
) -> list[MorningDigest]:
    """Every recipient's digest (nothing is sent or claimed). `limit` lines per section.

    Each is computed as of its recipient's `as_of`, else as of `now`."""
    if not recipients:
        return []
    with uow:
        return _compute(uow.session, recipients, now, settings, calendar, limit)


def digest_for_member(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None = DM_SECTION_LIMIT,
) -> MorningDigest:
    """One member's digest as of now on their local date (`/isops today`), business day or not."""
    with uow:
        member = require_active_member(uow.session, slack_user_id)
        day = now.astimezone(member_zone(member.timezone, calendar.tz)).date()
        recipient = Recipient(member.id, slack_user_id, member.name, day)
        (digest,) = _compute(uow.session, [recipient], now, settings, calendar, limit)
        return digest


def _compute(
    session: Session,
    recipients: Sequence[Recipient],
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None,
) -> list[MorningDigest]:
    # One set of queries per (business date, moment): members in one zone share a moment, so
    # this is one group per date on a scheduled run and one per zone on a date chosen by hand.
    by_day: dict[tuple[dt.date, dt.datetime], list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        by_day[(recipient.business_date, recipient.as_of or now)].append(recipient)
    digests: dict[int, MorningDigest] = {}
    for (today, moment), group in sorted(by_day.items()):
        day = _Day.of(today, moment, settings, calendar)
        for digest in _DayDigests(session, day, settings, calendar, limit).build(group):
            digests[digest.member_id] = digest
    return [digests[r.member_id] for r in recipients]


_LEAD_COLUMNS = (
    Lead.id,
    Lead.owner_id,
    Lead.company,
    Lead.contact_name,
    Lead.source,
    Lead.status,
    Lead.next_action_date,
    Lead.cv_at,
    Lead.inbound,
    Lead.call_count,
    Lead.mail_count,
    Lead.early_action_count,
)


def no_pending_review() -> ColumnElement[bool]:
    # A literal state lets both databases use the partial unique index on pending reviews
    # (a bound parameter would not match the index's WHERE on SQLite).
    pending = aliased(NoActionReview)  # an alias: the outer query may select reviews too
    return not_(
        exists().where(pending.lead_id == Lead.id, pending.state == literal_column("'pending'"))
    )


class _DayDigests:
    """The queries for one business date: a fixed number, whatever the number of leads."""

    def __init__(
        self,
        session: Session,
        day: _Day,
        settings: Settings,
        calendar: BusinessCalendar,
        limit: int | None,
    ) -> None:
        self.session = session
        self.day = day
        self.settings = settings
        self.targets = settings.targets
        self.calendar = calendar
        self.limit = limit
        # Leads kept out of the lists: returned ones (listed under ↩️) and open leads with a
        # pending review (承認待ち; the logging feature normally sets 4/6 at once).
        self.pending_open: set[int] = set()
        self.listed_elsewhere: set[int] = set()

    # Section predicates, shared so that a lead appears in one section only.
    def inbound_due(self) -> ColumnElement[bool]:
        return and_(
            Lead.inbound.is_(True),
            not_yet_approached(),
            Lead.cv_at < self.day.inbound_due_before,
        )

    def focus_due_by(self, last_day: dt.date) -> ColumnElement[bool]:
        # IS NOT NULL first: false rather than NULL, so NOT (...) keeps leads without them.
        return and_(
            Lead.priority.is_not(None),
            Lead.priority == Priority.FOCUS,
            Lead.next_action_date.is_not(None),
            Lead.next_action_date <= last_day,
        )

    def five_c2m_incomplete(self) -> ColumnElement[bool]:
        return and_(
            Lead.status.in_(NOT_CONNECTED),
            or_(Lead.call_count < self.targets.calls, Lead.mail_count < self.targets.mails),
        )

    def open_leads(self, owner_ids: Iterable[int]) -> list[ColumnElement[bool]]:
        # Owner and status: the (owner_id, status) index reads open leads only, however much
        # closed history each rep has.
        return [Lead.owner_id.in_(sorted(set(owner_ids))), Lead.status.in_(OPEN)]

    def build(self, group: list[Recipient]) -> list[MorningDigest]:
        session, day = self.session, self.day
        ids = [r.member_id for r in group]
        reports = session.execute(
            select(Member.id, Member.name, Member.slack_user_id, Member.manager_id).where(
                Member.manager_id.in_(ids), Member.active.is_(True)
            )
        ).all()
        team: dict[int, list[Any]] = defaultdict(list)
        for report in reports:
            team[report.manager_id].append(report)
        away = (
            _away_until(session, member_ids=[r.id for r in reports], days={day.today})
            if reports
            else {}
        )
        away_ids = [r.id for r in reports if (r.id, day.today) in away]
        hot_owners = [*ids, *away_ids]
        manager_of = {r.id: r.manager_id for r in reports}
        pending = self.pending(set(ids), manager_of)
        # A returned lead is listed once, under ↩️ with the manager's reason.
        returned = self.returned(set(ids))
        self.listed_elsewhere = self.pending_open | {
            d.lead_id for found in returned.values() for d in found
        }

        inbound = self.top_per_owner(
            hot_owners, [self.inbound_due()], [Lead.cv_at, Lead.id], inbound=True
        )
        focus_due = self.top_per_owner(
            hot_owners,
            [
                Lead.priority == Priority.FOCUS,
                Lead.next_action_date >= day.today,
                Lead.next_action_date <= day.due_until,
                not_(self.inbound_due()),
            ],
            [Lead.next_action_date, Lead.id],
        )
        overdue = self.top_per_owner(
            hot_owners,
            [
                Lead.priority == Priority.FOCUS,
                Lead.next_action_date < day.today,
                not_(self.inbound_due()),
            ],
            [Lead.next_action_date, Lead.id],
        )
        early = and_(
            Lead.cv_at >= day.early_since, Lead.early_action_count < self.targets.early_actions
        )
        five = self.top_per_owner(
            ids,
            [
                self.five_c2m_incomplete(),
                not_(self.inbound_due()),
                not_(self.focus_due_by(day.due_until)),
            ],
            [
                case((early, 0), else_=1),
                case((early, Lead.cv_at), else_=None),  # window closing soonest first
                Lead.cv_at.desc(),  # then the freshest
                Lead.id,
            ],
        )
        hygiene = self.top_per_owner(
            ids,
            [
                Lead.priority == Priority.FOCUS,
                or_(Lead.next_action_date.is_(None), Lead.next_action_date > day.hygiene_after),
                not_(self.five_c2m_incomplete()),
                not_(self.inbound_due()),
            ],
            [case((Lead.next_action_date.is_(None), 0), else_=1), Lead.cv_at, Lead.id],
        )
        managers = [r for r in group if team.get(r.member_id)]
        manager_parts = self.manager_digests(
            managers, team, away, pending.by_manager, inbound, focus_due, overdue
        )
        unrated = unrated_for_recipients(
            session, member_ids=ids, as_of=day.now, tz=self.calendar.tz
        )

        return [
            MorningDigest(
                member_id=r.member_id,
                slack_user_id=r.slack_user_id,
                name=r.name,
                business_date=day.today,
                rep=RepDigest(
                    inbound=inbound.get(r.member_id, LeadList()),
                    focus_due=focus_due.get(r.member_id, LeadList()),
                    overdue=overdue.get(r.member_id, LeadList()),
                    five_c2m=five.get(r.member_id, LeadList()),
                    returned=tuple(returned.get(r.member_id, ())),
                    hygiene=hygiene.get(r.member_id, LeadList()),
                    awaiting_review=pending.by_owner.get(r.member_id, 0),
                ),
                manager=manager_parts.get(r.member_id),
                fs_unrated=unrated.get(r.member_id, ()),
            )
            for r in group
        ]

    def top_per_owner(
        self,
        owner_ids: Sequence[int],
        where: list[ColumnElement[bool]],
        order_by: list[Any],
        *,
        inbound: bool = False,
    ) -> dict[int, LeadList]:
        """The first `limit` leads per owner matching `where`, and each owner's total."""
        if not owner_ids:
            return {}
        ranked = (
            select(
                *_LEAD_COLUMNS,
                func.row_number().over(partition_by=Lead.owner_id, order_by=order_by).label("rn"),
                func.count().over(partition_by=Lead.owner_id).label("total"),
            )
            .where(*self.open_leads(owner_ids), *where)
            .where(Lead.id.not_in(sorted(self.listed_elsewhere)))
            .subquery()
        )
        stmt = select(ranked)
        if self.limit is not None:
            stmt = stmt.where(ranked.c.rn <= self.limit)
        stmt = stmt.order_by(ranked.c.owner_id, ranked.c.rn)
        lines: dict[int, list[LeadLine]] = defaultdict(list)
        totals: dict[int, int] = {}
        for row in self.session.execute(stmt):
            lines[row.owner_id].append(self.line(row, inbound=inbound))
            totals[row.owner_id] = int(row.total)
        return {owner: LeadList(tuple(lines[owner]), totals[owner]) for owner in totals}

    def line(self, row: Row[Any], *, inbound: bool) -> LeadLine:
        cv_at: dt.datetime = row.cv_at
        return LeadLine(
            lead_id=row.id,
            company=row.company,
            contact_name=row.contact_name,
            source=row.source,
            status=row.status,
            cv_at=cv_at,
            days_since_cv=max(0, (self.day.today - self.calendar.local_date(cv_at)).days),
            next_action_date=row.next_action_date,
            progress=five_c2m(row.call_count, row.mail_count, self.targets),
            early_actions=row.early_action_count,
            early_target=self.targets.early_actions,
            in_early_window=cv_at >= self.day.early_since,
            inbound_deadline=(
                self.calendar.inbound_deadline(cv_at, self.settings.inbound_cutoff)
                if inbound
                else None
            ),
        )

    def returned(self, ids: set[int]) -> dict[int, list[ReturnedDecision]]:
        """Returned decisions the rep has not acted on since (rule 3: the rep sees why).

        Read by state and date, then kept for these owners here: the reviews index bounds the
        rows, and no rep's history is walked."""
        manager = aliased(Member)
        rows = self.session.execute(
            select(
                NoActionReview.id,
                NoActionReview.lead_id,
                NoActionReview.requested_status,
                NoActionReview.reason_code,
                NoActionReview.return_reason,
                NoActionReview.decided_at,
                Lead.owner_id,
                Lead.company,
                Lead.contact_name,
                manager.name.label("manager_name"),
            )
            .join(Lead, Lead.id == NoActionReview.lead_id)
            .outerjoin(manager, manager.id == NoActionReview.decided_by_id)
            .where(
                NoActionReview.state == ReviewState.RETURNED,
                NoActionReview.decided_at >= self.day.now - RETURNED_SHOWN_FOR,
                Lead.status.in_(OPEN),
                or_(
                    Lead.last_action_at.is_(None),
                    Lead.last_action_at < NoActionReview.decided_at,
                ),
            )
            .order_by(NoActionReview.decided_at.desc(), NoActionReview.id.desc())
        ).all()
        found: dict[int, list[ReturnedDecision]] = defaultdict(list)
        seen: set[int] = set()
        for row in rows:
            if row.owner_id not in ids or row.lead_id in self.pending_open:
                continue
            if row.lead_id in seen:  # the latest return of a lead is the one that counts
                continue
            seen.add(row.lead_id)
            found[row.owner_id].append(
                ReturnedDecision(
                    review_id=row.id,
                    lead_id=row.lead_id,
                    company=row.company,
                    contact_name=row.contact_name,
                    requested_status=row.requested_status,
                    reason_code=row.reason_code,
                    return_reason=row.return_reason or "",
                    returned_by=row.manager_name,
                    returned_at=row.decided_at,
                )
            )
        return found

    def pending(self, ids: set[int], manager_of: Mapping[int, int]) -> _Pending:
        """Every pending review (the partial unique index holds only those), then their leads
        by primary key: each rep's count (承認待ち), each manager's count and oldest, and open
        leads to skip. Two reads rather than a join, so no plan ever scans `leads`."""
        reviews = self.session.execute(
            select(
                NoActionReview.lead_id,
                NoActionReview.requested_by_id,
                NoActionReview.created_at,
            )
            .where(NoActionReview.state == literal_column("'pending'"))
            .order_by(NoActionReview.created_at, NoActionReview.id)
        ).all()
        leads: dict[int, Any] = {}
        lead_ids = sorted({review.lead_id for review in reviews})
        for start in range(0, len(lead_ids), ID_CHUNK):
            chunk = lead_ids[start : start + ID_CHUNK]
            leads.update(
                (row.id, row)
                for row in self.session.execute(
                    select(Lead.id, Lead.owner_id, Lead.status, Lead.company).where(
                        Lead.id.in_(chunk)
                    )
                )
            )
        rows = [
            _PendingRow(r.lead_id, r.requested_by_id, r.created_at, *leads[r.lead_id][1:])
            for r in reviews
            if r.lead_id in leads
        ]
        by_owner: dict[int, int] = defaultdict(int)
        counts: dict[int, int] = defaultdict(int)
        oldest: dict[int, Any] = {}
        for row in rows:
            if row.status in OPEN:
                self.pending_open.add(row.lead_id)
            if row.owner_id in ids:
                by_owner[row.owner_id] += 1
            # The review belongs to the lead's owner (their manager decides), as in reviews.py.
            manager_id = manager_of.get(_rep_of(row))
            if manager_id is not None:
                counts[manager_id] += 1
                oldest.setdefault(manager_id, row)
        names = (
            dict(
                self.session.execute(
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
        return _Pending(dict(by_owner), by_manager)

    # -- the manager's part ----------------------------------------------------------------------

    def manager_digests(
        self,
        managers: list[Recipient],
        team: Mapping[int, list[Any]],
        away: Mapping[tuple[int, dt.date], dt.date],
        pending: Mapping[int, PendingReviewSummary],
        inbound: Mapping[int, LeadList],
        focus_due: Mapping[int, LeadList],
        overdue: Mapping[int, LeadList],
    ) -> dict[int, ManagerDigest]:
        if not managers:
            return {}
        manager_ids = [m.member_id for m in managers]
        report_ids = [r.id for m in manager_ids for r in team[m]]
        manager_of = {r.id: m for m in manager_ids for r in team[m]}
        inbound_figures, early_figures = self.figures(manager_of)
        overdue_counts = self.overdue_counts(report_ids)
        parts: dict[int, ManagerDigest] = {}
        for manager_id in manager_ids:
            reports = team[manager_id]
            ranked = sorted(
                (
                    RepOverdue(r.name, r.slack_user_id, overdue_counts[r.id])
                    for r in reports
                    if overdue_counts.get(r.id)
                ),
                key=lambda o: (-o.count, o.name),
            )
            on_time, due = inbound_figures.get(manager_id, (0, 0))
            reached, early_due = early_figures.get(manager_id, (0, 0))
            away_reps = tuple(
                AwayRep(
                    name=r.name,
                    slack_user_id=r.slack_user_id,
                    until=away[(r.id, self.day.today)],
                    inbound=inbound.get(r.id, LeadList()),
                    focus_due=focus_due.get(r.id, LeadList()),
                    overdue=overdue.get(r.id, LeadList()),
                )
                for r in sorted(reports, key=lambda r: (r.name, r.id))
                if (r.id, self.day.today) in away
            )
            parts[manager_id] = ManagerDigest(
                team_size=len(reports),
                pending=pending.get(manager_id, PendingReviewSummary()),
                figures=TeamFigures(
                    day=self.day.previous,
                    inbound_on_time=on_time,
                    inbound_due=due,
                    early_reached=reached,
                    early_due=early_due,
                    most_overdue=tuple(ranked[:3]),
                ),
                away=away_reps,
            )
        return parts

    def figures(
        self, manager_of: Mapping[int, int]
    ) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
        """Per manager, for the previous business day P (and the days off after it):
        inbound leads due on P approached by the end of P (report a), and leads whose
        N-day window after CV ended in that period with ≥ the target actions (report d).

        Both read a day or two of conversions by `cv_at` range, grouped by owner, and map
        owners to managers here: with no owner filter in SQL the only index that applies is the
        date range, so the cost stays that of a few days' leads however long each rep's history
        (SQLite without statistics would otherwise walk every lead of every rep)."""
        day, calendar, tz = self.day, self.calendar, self.calendar.tz
        before_previous = _previous(calendar, day.previous)
        cutoff = self.settings.inbound_cutoff
        approached_by = _at(day.previous + dt.timedelta(days=1), MIDNIGHT, tz)
        inbound_rows = self.session.execute(
            select(
                Lead.owner_id,
                func.count(),
                func.sum(case((approached_before(approached_by), 1), else_=0)),
            )
            .where(
                Lead.inbound.is_(True),
                Lead.cv_at >= _at(before_previous, cutoff, tz),
                Lead.cv_at < _at(day.previous, cutoff, tz),
            )
            .group_by(Lead.owner_id)
        ).all()
        window = dt.timedelta(days=self.targets.early_window_days)
        early_rows = self.session.execute(
            select(
                Lead.owner_id,
                func.count(),
                func.sum(case((Lead.early_action_count >= self.targets.early_actions, 1), else_=0)),
            )
            .where(
                Lead.status.in_(NEVER_CONNECTED),
                Lead.cv_at >= _at(day.previous, MIDNIGHT, tz) - window,
                Lead.cv_at < _at(day.today, MIDNIGHT, tz) - window,
            )
            .group_by(Lead.owner_id)
        ).all()
        return _per_manager(inbound_rows, manager_of), _per_manager(early_rows, manager_of)

    def overdue_counts(self, report_ids: list[int]) -> dict[int, int]:
        """Overdue items per rep: focus leads past their date, inbound leads past deadline."""
        if not report_ids:
            return {}
        rows = self.session.execute(
            select(Lead.owner_id, func.count())
            .where(
                *self.open_leads(report_ids),
                or_(
                    and_(Lead.priority == Priority.FOCUS, Lead.next_action_date < self.day.today),
                    and_(
                        Lead.inbound.is_(True),
                        not_yet_approached(),
                        Lead.cv_at < self.day.inbound_late_before,
                    ),
                ),
            )
            .where(Lead.id.not_in(sorted(self.pending_open)))
            .group_by(Lead.owner_id)
        ).all()
        return {owner: int(count) for owner, count in rows if owner is not None}


@dataclass(frozen=True)
class _PendingRow:
    lead_id: int
    requested_by_id: int
    created_at: dt.datetime
    owner_id: int | None
    status: int
    company: str


@dataclass(frozen=True)
class _Pending:
    by_owner: dict[int, int]
    by_manager: dict[int, PendingReviewSummary]


def _per_manager(rows: Iterable[Any], manager_of: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """(owner, count, ok) rows summed per manager as (ok, count); other owners are dropped."""
    totals: dict[int, tuple[int, int]] = {}
    for owner_id, count, ok in rows:
        if owner_id is None:
            continue
        manager_id = manager_of.get(owner_id)
        if manager_id is not None:
            done, due = totals.get(manager_id, (0, 0))
            totals[manager_id] = (done + int(ok or 0), due + int(count))
    return totals


# -- time zones ------------------------------------------------------------------------------------


def members_without_timezone(uow: UnitOfWork) -> list[str]:
    """Slack ids of active members whose time zone is not known yet."""
    with uow:
        return list(
            uow.session.scalars(
                select(Member.slack_user_id)
                .where(Member.active.is_(True), Member.timezone.is_(None))
                .order_by(Member.id)
            )
        )


def record_timezones(uow: UnitOfWork, *, zones: Mapping[str, str]) -> int:
    """Store Slack's `tz` for members that have none yet; unknown zone names are ignored."""
    valid: dict[str, str] = {}
    for slack_user_id, zone in zones.items():
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        valid[slack_user_id] = zone
    changed = 0
    with uow:
        for slack_user_id, zone in valid.items():
            result = uow.session.execute(
                update(Member)
                .where(Member.slack_user_id == slack_user_id, Member.timezone.is_(None))
                .values(timezone=zone)
            )
            changed += affected_rows(result)
        uow.commit()
    return changed


def _rep_of(row: _PendingRow) -> int:
    """The rep a pending review is about: the lead's owner (the requester for an unowned lead)."""
    return row.owner_id if row.owner_id is not None else row.requested_by_id
