"""One business date's boundaries — every moment and date the digest's queries compare with —
and what those queries share."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, fields
from typing import Any, Self
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar
from isops.rules import Targets
from isops.settings import Settings

MIDNIGHT = dt.time(0, 0)


def local_moment(day: dt.date, time: dt.time, zone: ZoneInfo) -> dt.datetime:
    """`day` at local `time` in `zone`, as an aware UTC datetime."""
    return dt.datetime.combine(day, time, tzinfo=zone).astimezone(dt.UTC)


def reminder_moment(day: dt.date, settings: Settings, zone: ZoneInfo) -> dt.datetime:
    """`day` at ISOPS_REMIND_AT in `zone`: the moment a morning digest of `day` is as of."""
    return local_moment(day, settings.remind_at, zone)


@dataclass(frozen=True)
class DigestDay:
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
    ) -> DigestDay:
        tz = calendar.tz
        # A deadline is a business day: on a day off, "due by today" means by the last one.
        previous = calendar.previous_business_day(today)
        last_business = today if calendar.is_business_day(today) else previous
        return cls(
            today=today,
            now=now,
            inbound_due_before=local_moment(last_business, settings.inbound_cutoff, tz),
            inbound_late_before=local_moment(previous, settings.inbound_cutoff, tz),
            due_until=calendar.next_business_day(today) - dt.timedelta(days=1),
            hygiene_after=today + dt.timedelta(days=settings.focus_max_days),
            early_since=now - dt.timedelta(days=settings.early_window_days),
            previous=previous,
        )


@dataclass(kw_only=True)
class DayQueries:
    """What one business date's queries share (`sections`, `manager`): the session, the date's
    boundaries, the team's settings, and the open leads whose review waits (承認待ち) — listed
    in no section and counted as nobody's overdue, since the manager decides them next."""

    session: Session
    day: DigestDay
    settings: Settings
    calendar: BusinessCalendar
    pending_open: set[int]

    @property
    def targets(self) -> Targets:
        return self.settings.targets

    @classmethod
    def over(cls, queries: DayQueries, **more: Any) -> Self:
        """Queries of this kind over the same date, session and pending reviews."""
        return cls(**{f.name: getattr(queries, f.name) for f in fields(DayQueries)}, **more)
