"""Dates as the Japanese messages show them (one weekday table for every surface)."""

from __future__ import annotations

import datetime as dt

WEEKDAYS = "月火水木金土日"


def jp_date(day: dt.date, *, year: bool = False) -> str:
    """`11/27(金)` (with the year when asked: `2026/11/27(金)`), for reminders and notices."""
    prefix = f"{day.year}/" if year else ""
    return f"{prefix}{day.month}/{day.day}({WEEKDAYS[day.weekday()]})"


def format_date(day: dt.date) -> str:
    """`2026/11/27 (金)`, zero-padded: the log modal's and its confirmation's form."""
    return f"{day:%Y/%m/%d} ({WEEKDAYS[day.weekday()]})"
