"""When the FS is asked for a verdict on a handed-over meeting (issue 12), as pure rules.

- The verdict is due at the meeting's end (its start + ISOPS_MEETING_LENGTH) when that falls in
  business hours (a business day, from ISOPS_REMIND_AT to ISOPS_BUSINESS_END, in the FS's
  zone); otherwise at ISOPS_REMIND_AT on the next business morning (the same day's morning
  when the meeting ended before it).
- Request 1 goes out at that moment, requests 2 and 3 on the following business mornings, at
  ISOPS_REMIND_AT. The moment a 4th would be due is when the item appears in the FS's
  manager's morning DM as FS 未評価.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from isops.calendar import BusinessCalendar, member_zone
from isops.settings import Settings

MAX_REQUESTS = 3


@dataclass(frozen=True)
class VerdictSchedule:
    """The verdict schedule of one FS member (business hours are in their zone)."""

    calendar: BusinessCalendar
    zone: ZoneInfo
    meeting_length: dt.timedelta
    business_start: dt.time
    business_end: dt.time

    @classmethod
    def of(
        cls, settings: Settings, calendar: BusinessCalendar, fs_timezone: str | None
    ) -> VerdictSchedule:
        return cls(
            calendar=calendar,
            zone=member_zone(fs_timezone, calendar.tz),
            meeting_length=settings.meeting_length,
            business_start=settings.remind_at,
            business_end=settings.business_end,
        )

    def morning(self, day: dt.date) -> dt.datetime:
        """`day` at the start of business hours, as aware UTC."""
        return dt.datetime.combine(day, self.business_start, tzinfo=self.zone).astimezone(dt.UTC)

    def verdict_due_at(self, meeting_at: dt.datetime) -> dt.datetime:
        """The meeting's end, or the next business morning when that is outside business hours."""
        end = meeting_at + self.meeting_length
        local = end.astimezone(self.zone)
        day = local.date()
        if self.calendar.is_business_day(day):
            if self.business_start <= local.time() < self.business_end:
                return end.astimezone(dt.UTC)
            if local.time() < self.business_start:
                return self.morning(day)
        return self.morning(self.calendar.next_business_day(day))

    def request_at(self, due_at: dt.datetime, number: int) -> dt.datetime:
        """When verdict request `number` (1-based) is due; number 4 is the escalation."""
        if number <= 1:
            return due_at
        day = due_at.astimezone(self.zone).date()
        for _ in range(number - 1):
            day = self.calendar.next_business_day(day)
        return self.morning(day)

    def due_request(self, due_at: dt.datetime, now: dt.datetime) -> int:
        """The latest request (1..3) due at `now`, 0 before the first. A run that missed
        earlier ones (the bot was down) sends only this one, not a burst."""
        number = 0
        while number < MAX_REQUESTS and self.request_at(due_at, number + 1) <= now:
            number += 1
        return number
