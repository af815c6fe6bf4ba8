"""The outbox: claimed once, retried with back-off, given up after too many attempts."""

from __future__ import annotations

import datetime as dt

import time_machine
from sqlalchemy import select

from isops.enums import DeliveryState
from isops.models import Notification
from isops.services import outbox
from isops.unit_of_work import UnitOfWorkFactory

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)


def _enqueue(uow_factory: UnitOfWorkFactory, n: int = 1) -> None:
    with uow_factory() as uow:
        for i in range(n):
            outbox.enqueue(uow, kind="test", payload={"i": i})
        uow.commit()


def _states(uow_factory: UnitOfWorkFactory) -> list[DeliveryState]:
    with uow_factory() as uow:
        return list(uow.session.scalars(select(Notification.state).order_by(Notification.id)))


def test_enqueue_is_part_of_the_callers_transaction(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        outbox.enqueue(uow, kind="test", payload={})
        # no commit: rolled back with the caller's change
    assert outbox.claim_due(uow_factory()) == []


def test_a_notification_is_claimed_once(uow_factory: UnitOfWorkFactory) -> None:
    with time_machine.travel(NOW, tick=False):
        _enqueue(uow_factory, 3)
        first = outbox.claim_due(uow_factory())
        second = outbox.claim_due(uow_factory())
    assert [n.payload["i"] for n in first] == [0, 1, 2]
    assert second == []


def test_failure_is_retried_later_then_sent(uow_factory: UnitOfWorkFactory) -> None:
    with time_machine.travel(NOW, tick=False):
        _enqueue(uow_factory)
        (note,) = outbox.claim_due(uow_factory())
        outbox.mark_failed(uow_factory(), notification_id=note.id, error="ratelimited")
        assert outbox.claim_due(uow_factory()) == []  # backing off
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        (again,) = outbox.claim_due(uow_factory())
        assert again.attempts == 1
        outbox.mark_sent(uow_factory(), notification_id=again.id)
    assert _states(uow_factory) == [DeliveryState.SENT]


def test_permanent_failure_stops(uow_factory: UnitOfWorkFactory) -> None:
    with time_machine.travel(NOW, tick=False):
        _enqueue(uow_factory)
        (note,) = outbox.claim_due(uow_factory())
        outbox.mark_failed(
            uow_factory(), notification_id=note.id, error="channel_not_found", retry=False
        )
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        assert outbox.claim_due(uow_factory()) == []
    assert _states(uow_factory) == [DeliveryState.FAILED]


def test_claim_of_a_dead_process_is_taken_over(uow_factory: UnitOfWorkFactory) -> None:
    with time_machine.travel(NOW, tick=False):
        _enqueue(uow_factory)
        assert len(outbox.claim_due(uow_factory())) == 1  # then the process dies
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert outbox.claim_due(uow_factory()) == []  # still someone else's
    with time_machine.travel(NOW + outbox.STALE_CLAIM + dt.timedelta(seconds=1), tick=False):
        assert len(outbox.claim_due(uow_factory())) == 1
