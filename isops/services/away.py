"""休暇 (away periods): no reminders and no new leads for a member while away."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import delete, select

from isops.db import affected_rows
from isops.errors import InvalidInput
from isops.models import AwayPeriod, Member
from isops.services.lookup import require_member
from isops.unit_of_work import UnitOfWork

MAX_AWAY_DAYS = 120
_DATE = r"(?:(\d{4})[/-])?(\d{1,2})[/-](\d{1,2})"
_RANGE = re.compile(rf"^\s*{_DATE}\s*(?:[-~〜～]\s*{_DATE})?\s*$")


@dataclass(frozen=True)
class AwayView:
    id: int
    slack_user_id: str
    start_date: dt.date
    end_date: dt.date


def parse_away_range(text: str, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """`12/1-12/5`, `2026/12/1〜2026/12/5` or one day `12/1`. A date without a year is the
    next such date from today (so in November, `1/5` means January next year)."""
    match = _RANGE.match(text.replace("－", "-").replace("／", "/"))
    if not match:
        raise InvalidInput({"range": "期間は 12/1-12/5 のように指定してください"})
    groups = match.groups()
    try:
        start = _resolve(groups[0], groups[1], groups[2], today=today)
        end = _resolve(groups[3], groups[4], groups[5], today=start) if groups[4] else start
    except ValueError:
        raise InvalidInput({"range": f"存在しない日付です: {text.strip()}"}) from None
    if end < start:
        raise InvalidInput({"range": "終了日が開始日より前です"})
    if (end - start).days >= MAX_AWAY_DAYS:
        raise InvalidInput({"range": f"休暇は {MAX_AWAY_DAYS} 日以内で指定してください"})
    return start, end


def _resolve(year: str | None, month: str, day: str, *, today: dt.date) -> dt.date:
    if year:
        return dt.date(int(year), int(month), int(day))
    candidate = dt.date(today.year, int(month), int(day))
    # Dates a month or more in the past mean next year (12/28 → 1/5 across New Year).
    if candidate < today - dt.timedelta(days=31):
        candidate = dt.date(today.year + 1, int(month), int(day))
    return candidate


def set_away(
    uow: UnitOfWork, *, slack_user_id: str, start_date: dt.date, end_date: dt.date
) -> AwayView:
    """Record an away period; overlapping periods of the member are merged into it."""
    if end_date < start_date:
        raise InvalidInput({"range": "終了日が開始日より前です"})
    with uow:
        member = require_member(uow.session, slack_user_id)
        overlapping = uow.session.scalars(
            select(AwayPeriod).where(
                AwayPeriod.member_id == member.id,
                AwayPeriod.start_date <= end_date + dt.timedelta(days=1),
                AwayPeriod.end_date >= start_date - dt.timedelta(days=1),
            )
        ).all()
        for period in overlapping:
            start_date = min(start_date, period.start_date)
            end_date = max(end_date, period.end_date)
            uow.session.delete(period)
        period = AwayPeriod(member_id=member.id, start_date=start_date, end_date=end_date)
        uow.session.add(period)
        uow.session.flush()
        view = AwayView(period.id, slack_user_id, start_date, end_date)
        uow.commit()
        return view


def cancel_away(uow: UnitOfWork, *, slack_user_id: str, on: dt.date) -> int:
    """Remove the member's away periods that include or follow `on`; returns how many."""
    with uow:
        member_id = require_member(uow.session, slack_user_id).id
        result = uow.session.execute(
            delete(AwayPeriod).where(AwayPeriod.member_id == member_id, AwayPeriod.end_date >= on)
        )
        uow.commit()
        return affected_rows(result)


def away_member_ids(uow: UnitOfWork, *, on: dt.date) -> set[int]:
    """Ids of members away on `on` (one query, for the morning run and assignment)."""
    with uow:
        return set(
            uow.session.scalars(
                select(AwayPeriod.member_id).where(
                    AwayPeriod.start_date <= on, AwayPeriod.end_date >= on
                )
            )
        )


def upcoming_away(uow: UnitOfWork, *, slack_user_id: str, today: dt.date) -> list[AwayView]:
    """The member's current and future away periods, soonest first."""
    with uow:
        rows = uow.session.execute(
            select(AwayPeriod)
            .join(Member, Member.id == AwayPeriod.member_id)
            .where(Member.slack_user_id == slack_user_id, AwayPeriod.end_date >= today)
            .order_by(AwayPeriod.start_date)
        ).scalars()
        return [AwayView(p.id, slack_user_id, p.start_date, p.end_date) for p in rows]
