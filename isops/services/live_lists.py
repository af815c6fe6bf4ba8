"""The rep's lists stay live: every change to a rep's leads queues a refresh of their App Home,
and a touch on a lead listed first in today's morning DM (今日まず) queues that DM's update.

Both are outbox notifications built when they are sent, from the database as it is then, so
one refresh shows every change made before it ran. They are coalesced per rep: one waits at a
time under a fixed key (`enqueue_coalesced`), however many leads change (an import of 50 of a
rep's leads queues one Home publish), and its sender frees the key (`release_key`) before it
reads, so a change made after that gets a refresh of its own.

Nothing per item is stored: what the morning DM marks done is derived from the actions logged
after it was sent (`isops.services.morning_progress`).

Called inside the caller's unit of work, by every path that changes a rep's leads: a log
(`record_action`, any surface), its undo, an assignment (intake, /lead), a manager's approval or
return, an import (lead CSV from Slack or the command line, activity history) and the overdue
reschedule. The command line's imports run without the bot: their refreshes go out when the
bot's outbox next runs.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from isops.calendar import BusinessCalendar, member_zone
from isops.enums import DeliveryState
from isops.models import Lead, Member, Notification
from isops.services import outbox
from isops.services.morning_delivery import morning_key
from isops.unit_of_work import UnitOfWork

KIND_HOME = "home"  # views.publish of a member's App Home
KIND_MORNING_PROGRESS = "morning_progress"  # chat.update of a member's morning DM
KIND_LIST_VIEW = "list_view"  # views.update of an open list modal (すべて表示)

# A Home refresh waits this long after the first change it shows: a rep logging lead after
# lead gets one publish per burst, built while they dial rather than during their taps.
HOME_SETTLE = dt.timedelta(seconds=1)
# A list modal is not kept open longer than this: its refresh is not worth sending after.
LIST_VIEW_LIFE = dt.timedelta(minutes=30)
# Member ids per `IN (...)` list (SQLite allows 32,766 bound parameters per statement).
_CHUNK = 5000


def home_key(member_id: int) -> str:
    """The key of the one Home refresh that may wait for a member."""
    return f"{KIND_HOME}:{member_id}"


def progress_key(member_id: int, business_date: dt.date) -> str:
    """The key of the one update that may wait for a member's morning DM of that date."""
    return f"{KIND_MORNING_PROGRESS}:{member_id}:{business_date.isoformat()}"


def refresh_homes(uow: UnitOfWork, *, member_ids: Iterable[int | None], now: dt.datetime) -> None:
    """Queue a Home refresh for each member (None: a lead without an owner, skipped)."""
    for member_id in sorted({m for m in member_ids if m is not None}):
        outbox.enqueue_coalesced(
            uow,
            kind=KIND_HOME,
            key=home_key(member_id),
            payload={"member_id": member_id},
            now=now,
            settle=HOME_SETTLE,
        )


def owners_of(uow: UnitOfWork, *, lead_ids: Iterable[int]) -> set[int]:
    """The owners of these leads (to refresh their Homes), read in the caller's unit of work."""
    ids = sorted(set(lead_ids))
    owners: set[int] = set()
    for start in range(0, len(ids), _CHUNK):
        owners.update(
            owner
            for owner in uow.session.scalars(
                select(Lead.owner_id).where(Lead.id.in_(ids[start : start + _CHUNK])).distinct()
            )
            if owner is not None
        )
    return owners


def refresh_after_touch(
    uow: UnitOfWork, *, lead_id: int, calendar: BusinessCalendar, now: dt.datetime
) -> bool:
    """After a touch on a lead (logged or undone): its owner's Home, and — when the lead is
    one of the items of the owner's morning DM of today, already delivered — that DM.
    Returns whether the DM will be updated."""
    row = uow.session.execute(
        select(Lead.owner_id, Member.timezone)
        .join(Member, Member.id == Lead.owner_id)
        .where(Lead.id == lead_id)
    ).first()
    if row is None:
        return False
    refresh_homes(uow, member_ids=[row.owner_id], now=now)
    today = now.astimezone(member_zone(row.timezone, calendar.tz)).date()
    morning = uow.session.execute(
        select(Notification.state, Notification.payload).where(
            Notification.delivery_key == morning_key(row.owner_id, today)
        )
    ).first()
    if (
        morning is None
        or morning.state != DeliveryState.SENT
        or lead_id not in (morning.payload or {}).get("first", [])
    ):
        return False
    outbox.enqueue_coalesced(
        uow,
        kind=KIND_MORNING_PROGRESS,
        key=progress_key(row.owner_id, today),
        payload={"member_id": row.owner_id, "business_date": today.isoformat()},
        now=now,
    )
    return True


@dataclass(frozen=True)
class OpenList:
    """A list modal open on someone's screen (「一覧を開く」, 「すべて表示」): its view id and
    the section it shows (None: every section)."""

    slack_user_id: str
    view_id: str
    section: str | None


def refresh_list_view(uow: UnitOfWork, *, view: OpenList, now: dt.datetime) -> None:
    """Update an open list modal, so a touch logged in it shows there too."""
    outbox.enqueue(
        uow,
        kind=KIND_LIST_VIEW,
        payload={
            "slack_user_id": view.slack_user_id,
            "view_id": view.view_id,
            "section": view.section,
        },
        expires_at=now + LIST_VIEW_LIFE,
    )
