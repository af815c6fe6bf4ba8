"""The morning DM's outbox rows: one per member and business date, who is due because of them,
and when they expire (no Slack), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from isops.enums import DeliveryState
from isops.models import Notification
from isops.services import outbox
from isops.services.morning_delivery import (
    BY_HAND_WINDOW,
    KIND_MORNING,
    MorningMessage,
    enqueue_morning,
    morning_key,
)
from isops.services.reminders import Recipient, due_recipients
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f
from tests.factories import CALENDAR as CAL
from tests.factories import SETTINGS, jst

FRI = dt.date(2026, 11, 27)
MESSAGE = {"text": "今日のやること", "blocks": [{"type": "divider"}]}


def due(uow_factory: UnitOfWorkFactory, now: dt.datetime) -> list[str]:
    found: list[Recipient] = due_recipients(uow_factory(), now=now, settings=SETTINGS, calendar=CAL)
    return [r.slack_user_id for r in found]


def enqueue(
    uow_factory: UnitOfWorkFactory, now: dt.datetime, *items: MorningMessage, by_hand: bool = False
) -> set[str]:
    return enqueue_morning(
        uow_factory(), messages=items, now=now, settings=SETTINGS, calendar=CAL, by_hand=by_hand
    )


def rows(uow_factory: UnitOfWorkFactory) -> dict[str, Notification]:
    with uow_factory() as uow:
        found = {n.delivery_key: n for n in uow.session.scalars(select(Notification))}
        uow.session.expunge_all()
        return found


def test_one_row_per_member_and_day_and_an_empty_day_is_settled(
    uow_factory: UnitOfWorkFactory,
) -> None:
    one = f.member(uow_factory(), "U1", timezone="Asia/Tokyo")
    two = f.member(uow_factory(), "U2", timezone="Asia/Tokyo")
    now = jst(FRI)
    assert due(uow_factory, now) == ["U1", "U2"]
    first = MorningMessage(one, "U1", FRI, MESSAGE)
    empty = MorningMessage(two, "U2", FRI, None)
    assert enqueue(uow_factory, now, first, empty) == {first.key, empty.key}
    # Another run (or process) the same morning: both keys are taken, nothing is added.
    assert enqueue(uow_factory, now, first, empty) == set()
    stored = rows(uow_factory)
    assert set(stored) == {morning_key(one, FRI), morning_key(two, FRI)}
    assert stored[first.key].state == DeliveryState.PENDING
    assert stored[first.key].payload["blocks"] == MESSAGE["blocks"]
    assert stored[empty.key].state == DeliveryState.SKIPPED  # a lead at 11:00 waits for Monday
    # U1's DM is due to be sent now (by this run); U2's day is settled.
    assert due(uow_factory, now) == ["U1"]


def test_a_dm_being_sent_or_waiting_for_its_retry_is_not_due_again(
    uow_factory: UnitOfWorkFactory,
) -> None:
    member = f.member(uow_factory(), "U1", timezone="Asia/Tokyo")
    now = jst(FRI)
    item = MorningMessage(member, "U1", FRI, MESSAGE)
    enqueue(uow_factory, now, item)
    claim = outbox.claim(uow_factory(), key=item.key, now=now)
    assert claim is not None
    assert due(uow_factory, now) == []  # a live claim
    assert due(uow_factory, now + outbox.LEASE) == ["U1"]  # its holder died: a run takes over
    outbox.retry_later(uow_factory(), claim=claim, now=now, error="x", maybe_posted=False)
    assert due(uow_factory, now) == []  # backing off
    assert due(uow_factory, now + outbox.backoff(1)) == ["U1"]
    again = outbox.claim(uow_factory(), key=item.key, now=now + outbox.backoff(1))
    assert again is not None
    outbox.mark_sent(uow_factory(), claim=again, now=now, channel="DU1", ts="1.2")
    assert due(uow_factory, now + dt.timedelta(hours=1)) == []
    # The next business day is a new DM.
    monday = FRI + dt.timedelta(days=3)
    assert due(uow_factory, jst(monday)) == ["U1"]


def test_a_morning_dm_expires_at_the_cut_off_in_the_members_zone(
    uow_factory: UnitOfWorkFactory,
) -> None:
    tokyo = f.member(uow_factory(), "U1", timezone="Asia/Tokyo")
    la = f.member(uow_factory(), "U2", timezone="America/Los_Angeles")
    now = jst(FRI)
    enqueue(
        uow_factory,
        now,
        MorningMessage(tokyo, "U1", FRI, MESSAGE),
        MorningMessage(la, "U2", FRI, MESSAGE),
    )
    stored = rows(uow_factory)
    cut_off = SETTINGS.remind_catchup_until
    assert stored[morning_key(tokyo, FRI)].expires_at == jst(FRI, cut_off.hour, cut_off.minute)
    la_cut_off = dt.datetime.combine(FRI, cut_off, tzinfo=ZoneInfo("America/Los_Angeles"))
    assert stored[morning_key(la, FRI)].expires_at == la_cut_off.astimezone(dt.UTC)
    assert {n.kind for n in stored.values()} == {KIND_MORNING}


def test_a_dm_sent_by_hand_after_the_cut_off_still_has_a_while(
    uow_factory: UnitOfWorkFactory,
) -> None:
    member = f.member(uow_factory(), "U1", timezone="Asia/Tokyo")
    late = jst(FRI, 20)
    item = MorningMessage(member, "U1", FRI, MESSAGE)
    enqueue(uow_factory, late, item, by_hand=True)
    assert rows(uow_factory)[item.key].expires_at == late + BY_HAND_WINDOW
