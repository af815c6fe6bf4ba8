"""The scorecard's weeks: ISO weeks (Monday to Sunday) in the team's time zone.

A scorecard is *of* a week W — its figures cover W — and is sent on the first business morning
of the week after (isops.calendar). `YYYY-Www` names a week on the command line
(`isops scorecard --week 2026-W48`) and in delivery keys.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from isops.calendar import BusinessCalendar
from isops.errors import InvalidInput

_WEEK = re.compile(r"^\s*(\d{4})-?W(\d{1,2})\s*$", re.IGNORECASE)
# The chart's trend: this many weeks, the scorecard's week the last.
TREND_WEEKS = 8


@dataclass(frozen=True, order=True)
class Week:
    """One ISO week; `monday` identifies it."""

    monday: dt.date

    @classmethod
    def of(cls, day: dt.date) -> Week:
        return cls(day - dt.timedelta(days=day.weekday()))

    @classmethod
    def parse(cls, text: str) -> Week:
        """`2026-W48` (or `2026W48`); a bad form or a week the year lacks is InvalidInput."""
        match = _WEEK.match(text)
        if match is None:
            raise InvalidInput(
                {"week": f"週は YYYY-Www 形式で指定してください (例: 2026-W48): {text!r}"}
            )
        year, number = int(match.group(1)), int(match.group(2))
        try:
            return cls(dt.date.fromisocalendar(year, number, 1))
        except ValueError:
            raise InvalidInput({"week": f"{year} 年に第 {number} 週はありません"}) from None

    @property
    def sunday(self) -> dt.date:
        return self.monday + dt.timedelta(days=6)

    @property
    def label(self) -> str:
        """`2026-W48`: the key form."""
        year, number, _ = self.monday.isocalendar()
        return f"{year}-W{number:02d}"

    def days(self) -> list[dt.date]:
        return [self.monday + dt.timedelta(days=i) for i in range(7)]

    def shifted(self, weeks: int) -> Week:
        return Week(self.monday + dt.timedelta(weeks=weeks))

    def previous(self) -> Week:
        return self.shifted(-1)

    def next(self) -> Week:
        return self.shifted(1)

    def start(self, tz: ZoneInfo) -> dt.datetime:
        """Monday 00:00 local, as UTC."""
        return dt.datetime.combine(self.monday, dt.time(0), tzinfo=tz).astimezone(dt.UTC)

    def end(self, tz: ZoneInfo) -> dt.datetime:
        """The next Monday 00:00 local, as UTC (exclusive)."""
        return self.next().start(tz)

    def business_days(self, calendar: BusinessCalendar) -> list[dt.date]:
        return [day for day in self.days() if calendar.is_business_day(day)]


def trend(week: Week, count: int = TREND_WEEKS) -> list[Week]:
    """The `count` weeks ending with `week`, oldest first."""
    return [week.shifted(-i) for i in range(count - 1, -1, -1)]


def first_business_day(week: Week, calendar: BusinessCalendar) -> dt.date | None:
    """The week's first business day (None for a week without one)."""
    days = week.business_days(calendar)
    return days[0] if days else None


def week_to_send(now: dt.datetime, calendar: BusinessCalendar) -> Week | None:
    """The week whose scorecard is due this morning: the previous one, when `now` (team zone)
    is on the first business day of its own week; else None."""
    today = now.astimezone(calendar.tz).date()
    this_week = Week.of(today)
    if first_business_day(this_week, calendar) != today:
        return None
    return this_week.previous()


def last_complete_week(now: dt.datetime, tz: ZoneInfo) -> Week:
    """The latest week that has ended by `now` (the command line's default)."""
    return Week.of(now.astimezone(tz).date()).previous()
