"""Dates and times as every surface writes them: `12/2(水)`, `13:28`, `12/2(水) 13:28`.

One form for the domain's own messages and for Slack (`bot.texts` re-exports these): the
year only when the date is not in the reader's current year, the weekday always, times in
24-hour form without seconds.
"""

from __future__ import annotations

import datetime as dt

from isops.clock import utcnow

WEEKDAYS = "月火水木金土日"


def date_label(day: dt.date, *, today: dt.date | None = None) -> str:
    """`12/2(水)`; `2027/1/5(火)` when `day` is not in `today`'s year.

    `today` is the reader's local date where the caller knows it; without it the clock's UTC
    date decides, which differs from a Tokyo reader's only in the first hours of a year."""
    this_year = (today or utcnow().date()).year
    prefix = "" if day.year == this_year else f"{day.year}/"
    return f"{prefix}{day.month}/{day.day}({WEEKDAYS[day.weekday()]})"


def time_label(local: dt.datetime | dt.time) -> str:
    """`13:28` (a local time)."""
    return f"{local:%H:%M}"


def moment_label(local: dt.datetime, *, today: dt.date | None = None) -> str:
    """`12/2(水) 13:28` (a local date and time)."""
    return f"{date_label(local.date(), today=today)} {time_label(local)}"
