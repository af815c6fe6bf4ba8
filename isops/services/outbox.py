"""Outbox: Slack messages stored with the change that caused them, sent after commit.

A notification is written in the same transaction as the domain change, so a Slack outage
never loses it; a dispatcher claims due rows, sends, and records the result.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from isops.clock import utcnow
from isops.db import affected_rows
from isops.enums import DeliveryState
from isops.models import Notification
from isops.unit_of_work import UnitOfWork

MAX_ATTEMPTS = 12
# A claim older than this is taken to be from a process that died mid-send.
STALE_CLAIM = dt.timedelta(minutes=5)


@dataclass(frozen=True)
class PendingNotification:
    id: int
    kind: str
    payload: dict[str, Any]
    attempts: int


def enqueue(uow: UnitOfWork, *, kind: str, payload: dict[str, Any]) -> None:
    """Add a notification to the caller's open unit of work (the caller commits)."""
    uow.session.add(
        Notification(
            kind=kind, payload=payload, state=DeliveryState.PENDING, next_attempt_at=utcnow()
        )
    )


def claim_due(uow: UnitOfWork, *, limit: int = 50) -> list[PendingNotification]:
    """Claim due notifications for this process (a conditional update per row, so two
    dispatchers never send the same one)."""
    now = utcnow()
    claimed: list[PendingNotification] = []
    with uow:
        rows = uow.session.execute(
            select(Notification.id, Notification.state, Notification.next_attempt_at)
            .where(
                (
                    (Notification.state == DeliveryState.PENDING)
                    & (Notification.next_attempt_at <= now)
                )
                | (
                    (Notification.state == DeliveryState.SENDING)
                    & (Notification.next_attempt_at <= now - STALE_CLAIM)
                )
            )
            .order_by(Notification.next_attempt_at, Notification.id)
            .limit(limit)
        ).all()
        for row_id, state, next_at in rows:
            result = uow.session.execute(
                update(Notification)
                .where(
                    Notification.id == row_id,
                    Notification.state == state,
                    Notification.next_attempt_at == next_at,
                )
                .values(state=DeliveryState.SENDING, next_attempt_at=now)
            )
            if affected_rows(result):
                note = uow.session.get_one(Notification, row_id)
                claimed.append(
                    PendingNotification(note.id, note.kind, dict(note.payload), note.attempts)
                )
        uow.commit()
    return claimed


def mark_sent(uow: UnitOfWork, *, notification_id: int) -> None:
    with uow:
        uow.session.execute(
            update(Notification)
            .where(Notification.id == notification_id)
            .values(state=DeliveryState.SENT, sent_at=utcnow(), last_error=None)
        )
        uow.commit()


def mark_failed(uow: UnitOfWork, *, notification_id: int, error: str, retry: bool = True) -> None:
    """Record a failed send; retry later with back-off until MAX_ATTEMPTS."""
    with uow:
        note = uow.session.get_one(Notification, notification_id)
        note.attempts += 1
        note.last_error = error[:1000]
        if retry and note.attempts < MAX_ATTEMPTS:
            note.state = DeliveryState.PENDING
            note.next_attempt_at = utcnow() + dt.timedelta(seconds=min(3600, 30 * 2**note.attempts))
        else:
            note.state = DeliveryState.FAILED
        uow.commit()
