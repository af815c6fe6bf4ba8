"""The outbox's claims: one row at a time, fenced by a token, taken over only after the lease,
retried with back-off, given up after too many attempts — on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import select

from isops.enums import DeliveryState
from isops.models import Notification
from isops.services import outbox
from isops.unit_of_work import UnitOfWorkFactory

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)
SECOND = dt.timedelta(seconds=1)


def _enqueue(uow_factory: UnitOfWorkFactory, n: int = 1) -> None:
    with uow_factory() as uow:
        for i in range(n):
            outbox.enqueue(uow, kind="test", payload={"i": i})
        uow.commit()


def _rows(uow_factory: UnitOfWorkFactory) -> list[Notification]:
    with uow_factory() as uow:
        rows = list(uow.session.scalars(select(Notification).order_by(Notification.id)))
        uow.session.expunge_all()  # plain values after the unit of work ends
        return rows


def _claim_next(uow_factory: UnitOfWorkFactory, now: dt.datetime) -> outbox.Claim | None:
    for notification_id in outbox.due_ids(uow_factory(), kinds={"test"}, now=now):
        claim = outbox.claim(uow_factory(), notification_id=notification_id, now=now)
        if claim is not None:
            return claim
    return None


def test_enqueue_is_part_of_the_callers_transaction(uow_factory: UnitOfWorkFactory) -> None:
    with uow_factory() as uow:
        outbox.enqueue(uow, kind="test", payload={})
        # no commit: rolled back with the caller's change
    assert outbox.due_ids(uow_factory(), kinds={"test"}, now=NOW + dt.timedelta(days=3650)) == []


def test_every_notification_has_its_own_key(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory, 3)
    keys = [row.delivery_key for row in _rows(uow_factory)]
    assert len(set(keys)) == 3 and all(key.startswith("test:") for key in keys)


def test_one_row_is_claimed_at_a_time_and_only_once(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory, 3)
    now = _rows(uow_factory)[-1].next_attempt_at
    first = _claim_next(uow_factory, now)
    assert first is not None and first.token == 1 and first.payload == {"i": 0}
    # The others are still pending: a claimer holds only the row it is sending.
    states = [row.state for row in _rows(uow_factory)]
    assert states == [DeliveryState.SENDING, DeliveryState.PENDING, DeliveryState.PENDING]
    assert outbox.claim(uow_factory(), notification_id=first.id, now=now) is None
    second = _claim_next(uow_factory, now)
    assert second is not None and second.payload == {"i": 1}


def test_two_claimers_at_once_one_wins(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory, 1)
    (row,) = _rows(uow_factory)
    due = row.next_attempt_at
    barrier = threading.Barrier(8)
    won: list[outbox.Claim] = []

    def claim() -> None:
        barrier.wait()
        claimed = outbox.claim(uow_factory(), notification_id=row.id, now=due)
        if claimed is not None:
            won.append(claimed)

    threads = [threading.Thread(target=claim) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(won) == 1


def test_a_holder_whose_lease_was_taken_over_can_neither_renew_nor_record(
    uow_factory: UnitOfWorkFactory,
) -> None:
    _enqueue(uow_factory)
    (row,) = _rows(uow_factory)
    start = row.next_attempt_at
    old = outbox.claim(uow_factory(), notification_id=row.id, now=start)
    assert old is not None
    assert outbox.renew(uow_factory(), claim=old, now=start + SECOND, posting=True)
    # Still within the (renewed) lease: nobody else may take it.
    assert outbox.claim(uow_factory(), notification_id=row.id, now=start + outbox.LEASE) is None
    later = start + SECOND + outbox.LEASE
    new = outbox.claim(uow_factory(), notification_id=row.id, now=later)
    assert new is not None and new.token == old.token + 1
    assert new.maybe_posted  # the old holder may have posted: the new one must look first
    assert new.attempts == old.attempts + 1  # the old holder's try counts
    assert not outbox.renew(uow_factory(), claim=old, now=later)
    assert not outbox.mark_sent(uow_factory(), claim=old, now=later, channel="D1", ts="1.1")
    assert not outbox.retry_later(
        uow_factory(), claim=old, now=later, error="x", maybe_posted=False
    )
    assert outbox.mark_sent(uow_factory(), claim=new, now=later, channel="DU1", ts="2.2")
    (row,) = _rows(uow_factory)
    assert (row.state, row.sent_channel, row.sent_ts) == (DeliveryState.SENT, "DU1", "2.2")


def test_failure_is_retried_later_and_429_does_not_count(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory)
    now = _rows(uow_factory)[0].next_attempt_at
    claim = _claim_next(uow_factory, now)
    assert claim is not None
    assert outbox.retry_later(
        uow_factory(),
        claim=claim,
        now=now,
        error="ratelimited",
        maybe_posted=False,
        delay=dt.timedelta(hours=5),
        count_attempt=False,
    )
    (row,) = _rows(uow_factory)
    assert row.attempts == 0  # Slack asked to pace: nothing failed
    assert row.next_attempt_at == now + outbox.RETRY_AFTER_CAP  # a silly Retry-After is capped
    assert _claim_next(uow_factory, now + outbox.RETRY_AFTER_CAP - SECOND) is None
    again = _claim_next(uow_factory, now + outbox.RETRY_AFTER_CAP)
    assert again is not None
    assert outbox.retry_later(
        uow_factory(), claim=again, now=now, error="fatal_error", maybe_posted=True
    )
    (row,) = _rows(uow_factory)
    assert row.attempts == 1 and row.maybe_posted
    assert row.next_attempt_at == now + outbox.backoff(1)
    assert outbox.next_due_at(uow_factory(), kinds={"test"}) == now + outbox.backoff(1)


def test_given_up_after_max_attempts(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory)
    now = _rows(uow_factory)[0].next_attempt_at
    for attempt in range(1, outbox.MAX_ATTEMPTS + 1):
        claim = _claim_next(uow_factory, now)
        assert claim is not None
        again = outbox.retry_later(
            uow_factory(), claim=claim, now=now, error="oops", maybe_posted=False
        )
        assert again is (attempt < outbox.MAX_ATTEMPTS)
        now += dt.timedelta(hours=2)
    (row,) = _rows(uow_factory)
    assert (row.state, row.attempts) == (DeliveryState.FAILED, outbox.MAX_ATTEMPTS)
    assert _claim_next(uow_factory, now + dt.timedelta(days=1)) is None


def test_permanent_failure_stops(uow_factory: UnitOfWorkFactory) -> None:
    _enqueue(uow_factory)
    now = _rows(uow_factory)[0].next_attempt_at
    claim = _claim_next(uow_factory, now)
    assert claim is not None
    assert outbox.mark_failed(uow_factory(), claim=claim, now=now, error="channel_not_found")
    assert _claim_next(uow_factory, now + dt.timedelta(days=1)) is None
    assert [row.state for row in _rows(uow_factory)] == [DeliveryState.FAILED]


def test_a_key_is_stored_once_without_breaking_the_callers_transaction(
    uow_factory: UnitOfWorkFactory,
) -> None:
    with uow_factory() as uow:
        assert outbox.enqueue_once(uow, kind="test", key="k", payload={"n": 1}, now=NOW)
        assert not outbox.enqueue_once(uow, kind="test", key="k", payload={"n": 2}, now=NOW)
        # The transaction goes on after the duplicate (PostgreSQL would abort it on an error).
        assert outbox.enqueue_once(uow, kind="test", key="empty", payload={}, now=NOW, settled=True)
        uow.commit()
    with uow_factory() as uow:
        assert not outbox.enqueue_once(uow, kind="test", key="k", payload={"n": 3}, now=NOW)
        uow.commit()
    rows = {row.delivery_key: row for row in _rows(uow_factory)}
    assert rows["k"].payload == {"n": 1}
    assert rows["empty"].state == DeliveryState.SKIPPED
    with uow_factory() as uow:
        busy = outbox.busy_keys(uow.session, keys=["k", "empty", "unknown"], now=NOW)
    assert busy == {"empty"}  # "k" is due, "unknown" does not exist


def test_the_same_key_from_two_transactions_at_once_is_stored_once(
    uow_factory: UnitOfWorkFactory,
) -> None:
    barrier = threading.Barrier(4)
    stored: list[bool] = []

    def insert() -> None:
        barrier.wait()
        with uow_factory() as uow:
            stored.append(outbox.enqueue_once(uow, kind="test", key="same", payload={}, now=NOW))
            uow.commit()

    threads = [threading.Thread(target=insert) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(stored) == [False, False, False, True]
    assert len(_rows(uow_factory)) == 1
