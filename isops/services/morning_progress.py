"""What the morning DM and App Home show of the touches logged since the morning: derived from
the database each time they are drawn, never stored per item.

An item of the morning DM (今日まず) is done when its lead has an action logged after the DM
was delivered; the latest such action is shown on it (✅ 13:28 📞 不在), with 取り消す while it
is a one-tap log inside its undo window. App Home shows the member's own latest touch of the
last UNDO_WINDOW the same way, at its top.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.enums import DeliveryState
from isops.models import Action, Lead, Notification
from isops.projection import from_attributes
from isops.services.morning_delivery import morning_key
from isops.services.quick_log import QUICK_KEY_PREFIX, UNDO_WINDOW, Touch
from isops.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class DoneTouch(Touch):
    """A touch logged on a listed lead: what and when, and the action to undo (None: not
    a one-tap log, or its window has passed)."""

    local: dt.datetime
    undo_action_id: int | None


@dataclass(frozen=True)
class MorningProgress:
    """A delivered morning DM (where it is, what it said) and its items done since."""

    slack_user_id: str
    channel: str
    ts: str
    message: dict[str, Any]
    first: tuple[int, ...]
    done: dict[int, DoneTouch]

    @property
    def left(self) -> int:
        return sum(1 for lead_id in self.first if lead_id not in self.done)


def _undoable(action: Any, now: dt.datetime) -> int | None:
    quick = (action.idempotency_key or "").startswith(QUICK_KEY_PREFIX)
    return action.id if quick and now <= action.acted_at + UNDO_WINDOW else None


def _touch(row: Any, now: dt.datetime, calendar: BusinessCalendar) -> DoneTouch:
    return from_attributes(
        DoneTouch,
        row,
        local=row.acted_at.astimezone(calendar.tz),
        undo_action_id=_undoable(row, now),
    )


def _touch_columns() -> tuple[Any, ...]:
    return (
        Action.id,
        Action.lead_id,
        Action.channel,
        Action.outcome,
        Action.acted_at,
        Action.idempotency_key,
        Lead.company,
        Lead.contact_name,
    )


def touches_since(
    uow: UnitOfWork,
    *,
    lead_ids: Sequence[int],
    since: dt.datetime,
    now: dt.datetime,
    calendar: BusinessCalendar,
) -> dict[int, DoneTouch]:
    """Each lead's latest action at or after `since` (in the caller's unit of work)."""
    if not lead_ids:
        return {}
    rows = uow.session.execute(
        select(*_touch_columns())
        .join(Lead, Lead.id == Action.lead_id)
        .where(Action.lead_id.in_(sorted(set(lead_ids))), Action.acted_at >= since)
        .order_by(Action.acted_at.desc(), Action.id.desc())
    ).all()
    done: dict[int, DoneTouch] = {}
    for row in rows:
        done.setdefault(row.lead_id, _touch(row, now, calendar))
    return done


def morning_progress(
    uow: UnitOfWork,
    *,
    member_id: int,
    business_date: dt.date,
    now: dt.datetime,
    calendar: BusinessCalendar,
) -> MorningProgress | None:
    """The member's delivered morning DM of that date with its items done since; None when
    there is none to update (not delivered, nothing listed one by one)."""
    with uow:
        row = uow.session.execute(
            select(
                Notification.state,
                Notification.payload,
                Notification.sent_channel,
                Notification.sent_ts,
                Notification.sent_at,
            ).where(Notification.delivery_key == morning_key(member_id, business_date))
        ).first()
        if (
            row is None
            or row.state != DeliveryState.SENT
            or not row.sent_channel
            or not row.sent_ts
            or row.sent_at is None
            or "blocks" not in (row.payload or {})
        ):
            return None
        payload = dict(row.payload)
        first = tuple(int(i) for i in payload.get("first") or ())
        done = touches_since(uow, lead_ids=first, since=row.sent_at, now=now, calendar=calendar)
        return MorningProgress(
            slack_user_id=str(payload["slack_user_id"]),
            channel=str(row.sent_channel),
            ts=str(row.sent_ts),
            message={"text": payload["text"], "blocks": payload["blocks"]},
            first=first,
            done=done,
        )


def latest_touch_on_own_leads(
    uow: UnitOfWork, *, member_id: int, now: dt.datetime, calendar: BusinessCalendar
) -> DoneTouch | None:
    """The latest touch within UNDO_WINDOW on the member's own leads (App Home's
    confirmation), if any. In the caller's unit of work.

    Found from the leads' `last_action_at` (the owner's leads through ix_leads_owner_status),
    so it reads no one else's actions whatever their number."""
    since = now - UNDO_WINDOW
    recent = uow.session.scalars(
        select(Lead.id).where(Lead.owner_id == member_id, Lead.last_action_at >= since)
    ).all()
    if not recent:
        return None
    # The latest one only: a rep tapping through a list has dozens in the window.
    row = uow.session.execute(
        select(*_touch_columns())
        .join(Lead, Lead.id == Action.lead_id)
        .where(Action.lead_id.in_(sorted(recent)), Action.acted_at >= since)
        .order_by(Action.acted_at.desc(), Action.id.desc())
        .limit(1)
    ).first()
    return None if row is None else _touch(row, now, calendar)
