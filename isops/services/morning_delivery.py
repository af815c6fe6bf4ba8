"""The morning DM in the outbox: one notification per member and business date, ever.

The morning run computes the digests (isops.services.reminders), then enqueues one
notification per member with the key `morning:<member id>:<YYYY-MM-DD>`. The key is unique,
so whichever run or process inserts it first owns the day; the others find it taken. The
outbox (isops.services.outbox) then sends it exactly once, with the same claims, fencing,
retries and uncertainty checks as every other message. An empty digest is stored as a settled
row under the same key, so a lead arriving at 11:00 waits for the next morning instead of a
second ping that day.

A morning DM is worth sending until ISOPS_REMIND_CATCHUP_UNTIL in the member's zone
(`expires_at`); after that the outbox gives it up as "expired". One sent by hand
(`isops remind --date`) gets at least BY_HAND_WINDOW from now.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar, member_zone
from isops.models import Member
from isops.services import outbox
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

KIND_MORNING = "morning"
BY_HAND_WINDOW = dt.timedelta(hours=1)


def morning_key(member_id: int, business_date: dt.date) -> str:
    """The morning DM's delivery key: one per member and business date."""
    return f"{KIND_MORNING}:{member_id}:{business_date.isoformat()}"


@dataclass(frozen=True)
class MorningMessage:
    """One member's morning DM for one business date; `message` None: nothing to send."""

    member_id: int
    slack_user_id: str
    business_date: dt.date
    message: dict[str, Any] | None
    # The leads listed one by one (今日まず): a touch on one of them updates the DM in place
    # (isops.services.live_lists).
    first_lead_ids: tuple[int, ...] = ()

    @property
    def key(self) -> str:
        return morning_key(self.member_id, self.business_date)


def busy_days(
    session: Session, *, member_days: Iterable[tuple[int, dt.date]], now: dt.datetime
) -> set[tuple[int, dt.date]]:
    """Of (member id, business date) pairs, those whose morning DM is settled (sent, empty,
    given up), being sent under a live claim, or waiting for its retry: no run sends it now."""
    by_key = {morning_key(member_id, day): (member_id, day) for member_id, day in member_days}
    return {by_key[key] for key in outbox.busy_keys(session, keys=by_key, now=now)}


def enqueue_morning(
    uow: UnitOfWork,
    *,
    messages: Sequence[MorningMessage],
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    by_hand: bool = False,
) -> set[str]:
    """Store each member's morning DM unless their day already has one; returns the keys
    this call stored. One transaction for all of them: on PostgreSQL a concurrent run's
    inserts of the same keys wait for it, then do nothing — and as every run inserts in
    member order (as `due_recipients` lists them), two runs never wait on each other
    crosswise. On SQLite the transaction holds the write lock (BEGIN IMMEDIATE)."""
    if not messages:
        return set()
    stored: set[str] = set()
    with uow:
        zones = dict(
            uow.session.execute(
                select(Member.id, Member.timezone).where(
                    Member.id.in_(sorted({m.member_id for m in messages}))
                )
            ).all()
        )
        for item in messages:
            zone = member_zone(zones.get(item.member_id), calendar.tz)
            expires_at = dt.datetime.combine(
                item.business_date, settings.remind_catchup_until, tzinfo=zone
            ).astimezone(dt.UTC)
            if by_hand:
                expires_at = max(expires_at, now + BY_HAND_WINDOW)
            payload: dict[str, Any] = {
                "member_id": item.member_id,
                "slack_user_id": item.slack_user_id,
                "business_date": item.business_date.isoformat(),
            }
            if item.message is not None:
                payload.update(
                    text=item.message["text"],
                    blocks=item.message["blocks"],
                    first=list(item.first_lead_ids),
                )
            if outbox.enqueue_once(
                uow,
                kind=KIND_MORNING,
                key=item.key,
                payload=payload,
                now=now,
                expires_at=expires_at,
                settled=item.message is None,
            ):
                stored.add(item.key)
        uow.commit()
    return stored
