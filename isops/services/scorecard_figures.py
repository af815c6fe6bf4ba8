"""The weekly scorecard's figures per rep and week, each by one definition (README "Weekly
habit scorecard"), computed by SQL aggregates.

Every figure is read for a list of weeks at once: a lead's week is a CASE over its date, so
the statements are the same for one week or twelve, and for ten leads or ten million:

| figure | numerator / denominator (week W, Monday–Sunday in ISOPS_TIMEZONE) |
|---|---|
| same-day rate (rule 1) | inbound leads with CV in W approached (`isops.approach`) by the end of their deadline day / inbound leads with CV in W whose deadline day has ended |
| 5-in-7 rate (rule 4) | leads whose 7 days after CV ended in W, never connected (status 1, 2 or 4), with ≥ 5 actions in those days / those leads — the morning DM's daily figure, by week |
| 5C2M completion (rule 4) | leads whose 14 days after CV ended in W, never connected, with ≥ 5 calls and ≥ 2 mails in those 14 days / those leads |
| both channels | of the leads whose 14 days ended in W and that were touched in them, those with a call and a mail / those touched |
| focus without date (rule 5) | open focus leads with no next action date at the end of W (rebuilt from `lead_history`) |
| 4/6 decisions / returned (rule 3) | status 4/6 requests the rep made in W / of the requests, those a manager returned in W |
| アポ数, 有効商談数, 有効率, FS 未評価 | `isops.services.handoff_reports.handoff_figures` for hand-offs created in W: hand-offs, valid, valid / rated (valid + invalid + returned), due without a verdict |

Leads count for their owner now. Where a cohort is read by a date range only, owners are
matched here, not in SQL: the date index bounds the rows whatever each rep's history.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session

from isops.approach import approached_before
from isops.calendar import BusinessCalendar
from isops.db import UTCDateTime
from isops.enums import (
    NEEDS_REVIEW_STATUSES,
    NEVER_CONNECTED_STATUSES,
    OPEN_STATUSES,
    Channel,
    Priority,
    ReviewState,
)
from isops.models import Action, Lead, LeadHistory, NoActionReview
from isops.services.counters import _plus_days
from isops.services.reminders.day import local_moment
from isops.services.scorecard_weeks import Week
from isops.settings import Settings

# 5C2M and both channels are read over the first N days after CV, so a week's figure is final
# once its leads are that old (counters kept growing would make the last week look worse).
PERSISTENCE_DAYS = 14


@dataclass(frozen=True)
class Ratio:
    """`done` of `of`; `rate` None when there is nothing to rate."""

    done: int = 0
    of: int = 0

    @property
    def rate(self) -> float | None:
        return self.done / self.of if self.of else None

    def __add__(self, other: Ratio) -> Ratio:
        return Ratio(self.done + other.done, self.of + other.of)


@dataclass
class RepWeek:
    """One rep's figures for one week (see the module table)."""

    same_day: Ratio = Ratio()
    early: Ratio = Ratio()
    five_c2m: Ratio = Ratio()
    both_channels: Ratio = Ratio()
    focus_undated: int | None = None  # None: not computed for this week
    decisions: int = 0
    returned: int = 0
    meetings: int = 0
    valid: int = 0
    valid_rate: Ratio = Ratio()
    fs_unrated: int = 0
    away: bool = False  # away every business day of the week


@dataclass
class FigureTable:
    """rep id → week → figures; a missing pair means zeros."""

    weeks: tuple[Week, ...]
    by_rep: dict[int, dict[Week, RepWeek]] = field(default_factory=dict)

    def get(self, rep_id: int, week: Week) -> RepWeek:
        return self.by_rep.setdefault(rep_id, {}).setdefault(week, RepWeek())


@dataclass(frozen=True)
class _WeekCase:
    """A CASE mapping a moment to the index of its week among `bounds` (None outside)."""

    bounds: list[tuple[dt.datetime, dt.datetime]]

    @classmethod
    def shifted(cls, weeks: Sequence[Week], tz: Any, days: int = 0) -> _WeekCase:
        back = dt.timedelta(days=days)
        return cls([(w.start(tz) - back, w.end(tz) - back) for w in weeks])

    def index(self, column: Any) -> Any:
        return case(
            *[
                (and_(column >= start, column < end), i)
                for i, (start, end) in enumerate(self.bounds)
            ],
            else_=None,
        )

    def within(self, column: Any) -> list[ColumnElement[bool]]:
        return [column >= self.bounds[0][0], column < self.bounds[-1][1]]


def _count_if(condition: ColumnElement[bool]) -> Any:
    return func.sum(case((condition, 1), else_=0))


class FigureQueries:
    """The figures of `rep_ids` for `weeks`, as of `now`, in one session."""

    def __init__(
        self,
        session: Session,
        *,
        settings: Settings,
        calendar: BusinessCalendar,
        now: dt.datetime,
    ) -> None:
        self.session = session
        self.settings = settings
        self.calendar = calendar
        self.tz = calendar.tz
        self.now = now
        self.dialect = session.get_bind().dialect.name
        self._scope: list[int] | None = None

    def table(
        self,
        rep_ids: Iterable[int],
        weeks: Sequence[Week],
        *,
        snapshot_weeks: Sequence[Week],
        only: Collection[str] | None = None,
        scoped: bool = False,
    ) -> FigureTable:
        """Every figure but the hand-offs' (`add_handoffs`) and away weeks (`mark_away`);
        `only`: just the queries these figure keys need (the others stay zero); `scoped`:
        `rep_ids` are a few (one team), so the queries read their rows only — a run over
        every rep reads the weeks' rows whole, which its indexes serve better."""
        reps = set(rep_ids)
        table = FigureTable(tuple(weeks))
        if not reps or not weeks:
            return table
        self._scope = sorted(reps) if scoped else None

        def wanted(*keys: str) -> bool:
            return only is None or any(key in only for key in keys)

        if wanted("same_day"):
            self.same_day(table, reps)
        if wanted("early"):
            self.early(table, reps)
        if wanted("five_c2m", "both_channels"):
            self.persistence(table, reps)
        if wanted("decisions", "returned"):
            self.decisions(table, reps)
        if wanted("focus_undated"):
            for week in snapshot_weeks:
                self.focus_undated(table, reps, week)
        return table

    def _owned(self, owner: Any) -> list[ColumnElement[bool]]:
        """`owner IN (the reps)` for a scoped read, nothing for a run over every rep."""
        return [] if self._scope is None else [owner.in_(self._scope)]

    # -- rule 1 ----------------------------------------------------------------------------------

    def same_day(self, table: FigureTable, reps: set[int]) -> None:
        """Inbound leads by CV week: approached by the end of the deadline day, and due."""
        weeks = _WeekCase.shifted(table.weeks, self.tz)
        on_time: list[ColumnElement[bool]] = []
        due: list[ColumnElement[bool]] = []
        for start, end, deadline_end in self._deadline_buckets(weeks):
            in_bucket = and_(Lead.cv_at >= start, Lead.cv_at < end)
            if deadline_end <= self.now:
                due.append(in_bucket)
                on_time.append(and_(in_bucket, approached_before(deadline_end)))
        if not due:
            return
        week = weeks.index(Lead.cv_at).label("week")
        rows = self.session.execute(
            select(Lead.owner_id, week, _count_if(or_(*due)), _count_if(or_(*on_time)))
            .where(*self._owned(Lead.owner_id), Lead.inbound.is_(True), *weeks.within(Lead.cv_at))
            .group_by(Lead.owner_id, week)
        ).all()
        for owner, index, due_count, done in rows:
            if owner in reps and index is not None:
                figures = table.get(owner, table.weeks[index])
                figures.same_day = Ratio(int(done or 0), int(due_count or 0))

    def _deadline_buckets(
        self, weeks: _WeekCase
    ) -> list[tuple[dt.datetime, dt.datetime, dt.datetime]]:
        """(CV from, CV until, end of the deadline day) for every deadline day of the CVs in
        `weeks`: a lead converted from the cut-off of the business day before D until D's
        cut-off is due by the end of D (isops.calendar.inbound_deadline, rule 1)."""
        calendar, cutoff = self.calendar, self.settings.inbound_cutoff
        first, last = weeks.bounds[0][0], weeks.bounds[-1][1]
        day = calendar.business_day_on_or_after(first.astimezone(self.tz).date())
        buckets: list[tuple[dt.datetime, dt.datetime, dt.datetime]] = []
        while True:
            start = local_moment(calendar.previous_business_day(day), cutoff, self.tz)
            if start >= last:
                return buckets
            end = local_moment(day, cutoff, self.tz)
            deadline_end = local_moment(day + dt.timedelta(days=1), dt.time(0), self.tz)
            buckets.append((max(start, first), min(end, last), deadline_end))
            day = calendar.next_business_day(day)

    # -- rule 4 ----------------------------------------------------------------------------------

    def early(self, table: FigureTable, reps: set[int]) -> None:
        """5-in-7: leads whose window after CV ended in the week, never connected."""
        targets = self.settings.targets
        weeks = _WeekCase.shifted(table.weeks, self.tz, targets.early_window_days)
        week = weeks.index(Lead.cv_at).label("week")
        rows = self.session.execute(
            select(
                Lead.owner_id,
                week,
                func.count(),
                _count_if(Lead.early_action_count >= targets.early_actions),
            )
            .where(
                *self._owned(Lead.owner_id),
                Lead.status.in_(NEVER_CONNECTED_STATUSES),
                *weeks.within(Lead.cv_at),
            )
            .group_by(Lead.owner_id, week)
        ).all()
        for owner, index, count, done in rows:
            if owner in reps and index is not None:
                table.get(owner, table.weeks[index]).early = Ratio(int(done or 0), int(count))

    def persistence(self, table: FigureTable, reps: set[int]) -> None:
        """5C2M completion and both channels over the first PERSISTENCE_DAYS after CV, from
        the actions of the leads whose days ended in the week (index on lead and time)."""
        targets = self.settings.targets
        weeks = _WeekCase.shifted(table.weeks, self.tz, PERSISTENCE_DAYS)
        horizon = _plus_days(Lead.cv_at, PERSISTENCE_DAYS, self.dialect)
        per_lead = (
            select(
                Lead.owner_id.label("owner_id"),
                weeks.index(Lead.cv_at).label("week"),
                Lead.status.label("status"),
                _count_if(Action.channel == Channel.CALL).label("calls"),
                _count_if(Action.channel == Channel.MAIL).label("mails"),
                func.count(Action.id).label("touches"),
            )
            .outerjoin(
                Action,
                and_(
                    Action.lead_id == Lead.id,
                    Action.acted_at >= Lead.cv_at,
                    Action.acted_at <= horizon,
                ),
            )
            .where(*self._owned(Lead.owner_id), *weeks.within(Lead.cv_at))
            .group_by(Lead.id, Lead.owner_id, Lead.cv_at, Lead.status)
            .subquery()
        )
        never = per_lead.c.status.in_(NEVER_CONNECTED_STATUSES)
        rows = self.session.execute(
            select(
                per_lead.c.owner_id,
                per_lead.c.week,
                _count_if(never),
                _count_if(
                    and_(
                        never,
                        per_lead.c.calls >= targets.calls,
                        per_lead.c.mails >= targets.mails,
                    )
                ),
                _count_if(per_lead.c.touches > 0),
                _count_if(and_(per_lead.c.calls > 0, per_lead.c.mails > 0)),
            ).group_by(per_lead.c.owner_id, per_lead.c.week)
        ).all()
        for owner, index, never_count, complete, touched, both in rows:
            if owner in reps and index is not None:
                figures = table.get(owner, table.weeks[index])
                figures.five_c2m = Ratio(int(complete or 0), int(never_count or 0))
                figures.both_channels = Ratio(int(both or 0), int(touched or 0))

    # -- rule 3 ----------------------------------------------------------------------------------

    def decisions(self, table: FigureTable, reps: set[int]) -> None:
        """Status 4/6 requests made in the week, and the ones a manager returned in the week
        (by the rep who asked; index on state and creation)."""
        weeks = _WeekCase.shifted(table.weeks, self.tz)
        made = weeks.index(NoActionReview.created_at).label("week")
        for owner, index, count in self.session.execute(
            select(NoActionReview.requested_by_id, made, func.count())
            .where(
                *self._owned(NoActionReview.requested_by_id),
                NoActionReview.requested_status.in_(NEEDS_REVIEW_STATUSES),
                *weeks.within(NoActionReview.created_at),
            )
            .group_by(NoActionReview.requested_by_id, made)
        ):
            if owner in reps and index is not None:
                table.get(owner, table.weeks[index]).decisions = int(count)
        returned = weeks.index(NoActionReview.decided_at).label("week")
        for owner, index, count in self.session.execute(
            select(NoActionReview.requested_by_id, returned, func.count())
            .where(
                *self._owned(NoActionReview.requested_by_id),
                NoActionReview.state == ReviewState.RETURNED,
                *weeks.within(NoActionReview.decided_at),
            )
            .group_by(NoActionReview.requested_by_id, returned)
        ):
            if owner in reps and index is not None:
                table.get(owner, table.weeks[index]).returned = int(count)

    # -- rule 5 ----------------------------------------------------------------------------------

    def focus_undated(self, table: FigureTable, reps: set[int], week: Week) -> None:
        """Open focus leads without a next action date at the end of `week` (or now, for a
        week not over yet): each field's value then is the old value of its first change
        after that moment in `lead_history`, or the value now when it has not changed since."""
        moment = min(week.end(self.tz), self.now)
        if moment >= self.now:
            # The week is not over: the values then are the values now (no change comes
            # after now), read without walking the history.
            self._focus_undated_now(table, reps, week)
            return
        priority = self._value_at("priority", cast(Lead.priority, String), moment)
        status = self._value_at("status", cast(Lead.status, String), moment)
        next_date = self._value_at("next_action_date", cast(Lead.next_action_date, String), moment)
        changed_priority = exists().where(
            LeadHistory.lead_id == Lead.id,
            LeadHistory.field == "priority",
            LeadHistory.changed_at > moment,
        )
        rows = self.session.execute(
            select(Lead.owner_id, func.count())
            .where(
                Lead.owner_id.in_(sorted(reps)),
                or_(
                    and_(Lead.priority.is_not(None), Lead.priority == Priority.FOCUS),
                    changed_priority,
                ),
                Lead.created_at <= moment,
                priority == str(int(Priority.FOCUS)),
                status.in_([str(int(s)) for s in OPEN_STATUSES]),
                next_date.is_(None),
            )
            .group_by(Lead.owner_id)
        ).all()
        counts = {owner: int(count) for owner, count in rows}
        for rep in reps:
            table.get(rep, week).focus_undated = counts.get(rep, 0)

    def _focus_undated_now(self, table: FigureTable, reps: set[int], week: Week) -> None:
        rows = self.session.execute(
            select(Lead.owner_id, func.count())
            .where(
                Lead.owner_id.in_(sorted(reps)),
                Lead.priority == Priority.FOCUS,
                Lead.status.in_(OPEN_STATUSES),
                Lead.next_action_date.is_(None),
            )
            .group_by(Lead.owner_id)
        ).all()
        counts = {owner: int(count) for owner, count in rows}
        for rep in reps:
            table.get(rep, week).focus_undated = counts.get(rep, 0)

    def _value_at(self, name: str, now_value: Any, moment: dt.datetime) -> Any:
        later = (
            LeadHistory.lead_id == Lead.id,
            LeadHistory.field == name,
            LeadHistory.changed_at > literal(moment, UTCDateTime()),
        )
        first_old = (
            select(LeadHistory.old_value)
            .where(*later)
            .order_by(LeadHistory.changed_at, LeadHistory.id)
            .limit(1)
            .scalar_subquery()
        )
        return case((exists().where(*later), first_old), else_=now_value)


def mark_away(
    table: FigureTable,
    away_days: dict[int, set[dt.date]],
    calendar: BusinessCalendar,
) -> None:
    """A rep away every business day of a week is away that week (shown as such, not zero)."""
    for week in table.weeks:
        business = set(week.business_days(calendar))
        for rep, days in away_days.items():
            if business and business <= days:
                table.get(rep, week).away = True


def group_away_days(
    rows: Iterable[tuple[int, dt.date, dt.date]], weeks: Sequence[Week]
) -> dict[int, set[dt.date]]:
    """rep id → the days of `weeks` an away period covers."""
    days = [d for w in weeks for d in w.days()]
    found: dict[int, set[dt.date]] = defaultdict(set)
    for member_id, start, end in rows:
        found[member_id].update(d for d in days if start <= d <= end)
    return found
