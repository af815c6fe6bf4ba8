"""Who is due a morning message, and who is away on a date.

Exactly once: each member's morning DM is one outbox notification per business date
(isops.services.morning_delivery); a member whose day has one that no run may send now is not
due.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar, member_zone
from isops.models import AwayPeriod, Member
from isops.services.morning_delivery import busy_days
from isops.services.reminders.day import reminder_moment
from isops.services.reminders.digest import Recipient
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork


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
        away = away_until(session, member_ids=None, days=days)
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


def away_until(
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
