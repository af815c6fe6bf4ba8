"""Business days and the inbound deadline (DOMAIN.md "Calendar" and rule 1)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from isops.calendar import BusinessCalendar
from isops.settings import DEFAULT_COMPANY_HOLIDAYS

TOKYO = ZoneInfo("Asia/Tokyo")
CAL = BusinessCalendar(tz=TOKYO, company_holidays=DEFAULT_COMPANY_HOLIDAYS)
CUTOFF = dt.time(18, 0)


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (dt.date(2026, 11, 27), True),  # Friday
        (dt.date(2026, 11, 28), False),  # Saturday
        (dt.date(2026, 11, 23), False),  # 勤労感謝の日 (Monday)
        (dt.date(2026, 12, 29), False),  # company year-end holiday
        (dt.date(2027, 1, 4), True),  # first business day of 2027
        (dt.date(2027, 1, 11), False),  # 成人の日
    ],
)
def test_business_days(day: dt.date, expected: bool) -> None:
    assert CAL.is_business_day(day) is expected


def test_next_business_day_skips_weekend_and_holidays() -> None:
    # Friday before the year-end break → the first business day of January.
    assert CAL.next_business_day(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)
    assert CAL.next_business_day(dt.date(2026, 12, 28)) == dt.date(2027, 1, 4)


def test_company_holiday_with_a_year_applies_that_year_only() -> None:
    cal = BusinessCalendar(tz=TOKYO, company_holidays=("2026-12-01",))
    assert not cal.is_business_day(dt.date(2026, 12, 1))
    assert cal.is_business_day(dt.date(2027, 12, 1))


def test_bad_company_holiday_is_refused() -> None:
    with pytest.raises(ValueError, match="休日"):
        BusinessCalendar(tz=TOKYO, company_holidays=("12",))


@pytest.mark.parametrize(
    ("cv_local", "deadline"),
    [
        (dt.datetime(2026, 11, 27, 10, 0), dt.date(2026, 11, 27)),  # Friday morning: same day
        (dt.datetime(2026, 11, 27, 17, 59), dt.date(2026, 11, 27)),
        (dt.datetime(2026, 11, 27, 18, 0), dt.date(2026, 11, 30)),  # after cut-off: Monday
        (dt.datetime(2026, 11, 28, 11, 0), dt.date(2026, 11, 30)),  # Saturday: Monday
        (dt.datetime(2026, 11, 20, 19, 0), dt.date(2026, 11, 24)),  # Fri evening, Mon holiday
    ],
)
def test_inbound_deadline(cv_local: dt.datetime, deadline: dt.date) -> None:
    cv_at = cv_local.replace(tzinfo=TOKYO).astimezone(dt.UTC)
    assert CAL.inbound_deadline(cv_at, CUTOFF) == deadline


def test_spread_puts_at_most_per_day_on_each_business_day() -> None:
    days = CAL.spread(5, dt.date(2026, 11, 27), per_day=2)
    assert days == [
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 27),
        dt.date(2026, 11, 30),
        dt.date(2026, 11, 30),
        dt.date(2026, 12, 1),
    ]
