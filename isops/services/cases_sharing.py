"""Knowledge sharing (issue 14 point 5): one case a week in `ISOPS_CASE_CHANNEL`.

On the first business day of each ISO week (isops.calendar, in ISOPS_TIMEZONE), from
ISOPS_REMIND_AT until ISOPS_REMIND_CATCHUP_UNTIL, the active case shown least recently
(never shown first, then the lowest id) is queued as one outbox notification with the unique
key `case-share:<ISO year>-W<week>`. Whichever run or process inserts the key first owns the
week (`INSERT … ON CONFLICT DO NOTHING`, as the morning DM); only that insert stamps the
case's `last_shared_at`, in the same transaction, so the next week moves on to another case.
The outbox then posts it exactly once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from isops.calendar import BusinessCalendar
from isops.models import Case
from isops.services import outbox
from isops.unit_of_work import UnitOfWork

KIND_CASE_SHARE = "case_share"


def share_key(day: dt.date) -> str:
    """The delivery key of the week `day` belongs to: `case-share:2026-W49`."""
    year, week, _ = day.isocalendar()
    return f"case-share:{year}-W{week:02d}"


def first_business_day_of_week(day: dt.date, calendar: BusinessCalendar) -> dt.date | None:
    """The first business day of `day`'s ISO week (None: a week without one)."""
    monday = day - dt.timedelta(days=day.weekday())
    first = calendar.business_day_on_or_after(monday)
    return first if first.isocalendar()[:2] == day.isocalendar()[:2] else None


@dataclass(frozen=True)
class ShareSlot:
    """This week's post: its key, its business day and when it is no longer worth sending."""

    key: str
    business_date: dt.date
    expires_at: dt.datetime


def share_slot(
    now: dt.datetime,
    *,
    calendar: BusinessCalendar,
    remind_at: dt.time,
    catchup_until: dt.time,
) -> ShareSlot | None:
    """The slot when `now` is the first business morning of the week (between remind_at and
    catchup_until, team time zone), else None."""
    local = now.astimezone(calendar.tz)
    day = local.date()
    if first_business_day_of_week(day, calendar) != day:
        return None
    if not remind_at <= local.time().replace(tzinfo=None) < catchup_until:
        return None
    expires_at = dt.datetime.combine(day, catchup_until, tzinfo=calendar.tz).astimezone(dt.UTC)
    return ShareSlot(share_key(day), day, expires_at)


@dataclass(frozen=True)
class QueuedShare:
    key: str
    stored: bool  # False: another run or process queued this week's post first
    case_id: int | None  # the case queued by this call (None when not stored)


def queue_weekly_case(
    uow: UnitOfWork,
    *,
    channel: str,
    now: dt.datetime,
    calendar: BusinessCalendar,
    remind_at: dt.time,
    catchup_until: dt.time,
) -> QueuedShare | None:
    """Queue this week's case for `channel` unless the week has its post already; None when
    it is not the week's first business morning or there is no active case."""
    slot = share_slot(now, calendar=calendar, remind_at=remind_at, catchup_until=catchup_until)
    if slot is None:
        return None
    with uow:
        session = uow.session
        case_id = session.scalar(
            select(Case.id)
            .where(Case.archived.is_(False))
            .order_by(Case.last_shared_at.asc().nulls_first(), Case.id)
            .limit(1)
        )
        if case_id is None:
            return None
        stored = outbox.enqueue_once(
            uow,
            kind=KIND_CASE_SHARE,
            key=slot.key,
            payload={"case_id": case_id, "channel": channel},
            now=now,
            expires_at=slot.expires_at,
        )
        if stored:
            session.execute(update(Case).where(Case.id == case_id).values(last_shared_at=now))
        uow.commit()
        return QueuedShare(slot.key, stored, case_id if stored else None)
