"""Business days (DOMAIN.md "Calendar"): Mon–Fri, no Japanese holidays, no company holidays."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import jpholiday


def member_zone(timezone: str | None, default: ZoneInfo) -> ZoneInfo:
    """The member's own time zone, or the team's when unset or unknown."""
    if timezone:
        try:
            return ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return default
    return default


def _parse_company_holiday(text: str) -> tuple[int | None, int, int]:
    """`MM-DD` (every year) or `YYYY-MM-DD` → (year or None, month, day)."""
    parts = [int(p) for p in text.strip().split("-")]
    if len(parts) == 2:
        dt.date(2000, parts[0], parts[1])  # validates, 2000 is a leap year
        return None, parts[0], parts[1]
    if len(parts) == 3:
        dt.date(parts[0], parts[1], parts[2])
        return parts[0], parts[1], parts[2]
    raise ValueError(f"休日の形式が正しくありません: {text!r} (MM-DD か YYYY-MM-DD)")


@dataclass(frozen=True)
class BusinessCalendar:
    """Answers "is this a business day?" and finds deadlines, in one time zone."""

    tz: ZoneInfo
    company_holidays: tuple[str, ...] = ()
    _parsed: tuple[tuple[int | None, int, int], ...] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        parsed = tuple(_parse_company_holiday(h) for h in self.company_holidays)
        object.__setattr__(self, "_parsed", parsed)

    def is_company_holiday(self, day: dt.date) -> bool:
        return any(
            (year is None or year == day.year) and month == day.month and dom == day.day
            for year, month, dom in self._parsed
        )

    def is_business_day(self, day: dt.date) -> bool:
        return (
            day.weekday() < 5 and not jpholiday.is_holiday(day) and not self.is_company_holiday(day)
        )

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after `day`."""
        day += dt.timedelta(days=1)
        while not self.is_business_day(day):
            day += dt.timedelta(days=1)
        return day

    def business_day_on_or_after(self, day: dt.date) -> dt.date:
        return day if self.is_business_day(day) else self.next_business_day(day)

    def business_days_from(self, start: dt.date) -> Iterator[dt.date]:
        """Business days on or after `start`, endlessly."""
        day = self.business_day_on_or_after(start)
        while True:
            yield day
            day = self.next_business_day(day)

    def previous_business_day(self, day: dt.date) -> dt.date:
        day -= dt.timedelta(days=1)
        while not self.is_business_day(day):
            day -= dt.timedelta(days=1)
        return day

    def local_date(self, moment: dt.datetime) -> dt.date:
        return moment.astimezone(self.tz).date()

    def inbound_deadline(self, cv_at: dt.datetime, cutoff: dt.time) -> dt.date:
        """DOMAIN.md rule 1: first approach by the end of the CV's business day; after the
        cut-off, or on a non-business day, by the end of the next business day."""
        local = cv_at.astimezone(self.tz)
        day = local.date()
        if not self.is_business_day(day):
            return self.next_business_day(day)
        if local.time() >= cutoff:
            return self.next_business_day(day)
        return day

    def spread(self, count: int, start: dt.date, per_day: int) -> list[dt.date]:
        """`count` dates over business days from `start`, at most `per_day` each."""
        days: list[dt.date] = []
        for day in self.business_days_from(start):
            days.extend([day] * min(per_day, count - len(days)))
            if len(days) >= count:
                return days
        raise AssertionError("unreachable")  # pragma: no cover
