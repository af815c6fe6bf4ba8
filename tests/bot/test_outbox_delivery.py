"""Exactly once against the fake Slack: two senders, a sender stalled past its lease, a post
whose answer never came, a process killed with SIGKILL mid-send, and morning runs at once —
each notification is delivered once and each member gets one morning DM, on SQLite and
PostgreSQL. Time is moved with time-machine; nothing sleeps."""

from __future__ import annotations

import datetime as dt
import json
import logging
import signal
import threading
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot.deps import Deps
from bot.jobs.reminders import MorningReminders
from bot.outbox import DELIVERY_EVENT_TYPE, Delivery, OutboxDispatcher
from bot.slack_client import build_outbox_client
from isops.clock import utcnow
from isops.db import make_engine
from isops.enums import DeliveryState, Role
from isops.models import Notification
from isops.services import outbox
from isops.unit_of_work import make_uow_factory
from tests import factories as f
from tests.harness import BOT_TOKEN, BotHarness, SleepRecorder

FRI = dt.date(2026, 11, 27)
KIND = "test"
PAST_THE_LEASE = outbox.LEASE + dt.timedelta(seconds=1)


def send_test(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """A DM as every outbox sender makes it; reads the user first when asked to (a point
    where a test can stall the sender between its claim and its post)."""
    if payload.get("look_up_first"):
        delivery.client.users_info(user=payload["to"])
    delivery.post_message(channel=payload["to"], text=payload["text"])


@pytest.fixture
def sender(bot: BotHarness) -> OutboxDispatcher:
    """The harness's dispatcher, run by hand (its background thread stopped)."""
    bot.runtime.outbox.stop()
    bot.runtime.outbox.register(KIND, send_test)
    return bot.runtime.outbox


@dataclass(frozen=True)
class Process:
    deps: Deps
    outbox: OutboxDispatcher

    def run_once(self) -> int:
        return self.outbox.run_once()


@contextmanager
def another_process(bot: BotHarness) -> Iterator[Process]:
    """A second sender on the same database with its own engine and Slack client, as
    another bot process has."""
    settings = bot.runtime.deps.settings
    engine = make_engine(settings.database_url)
    try:
        deps = Deps.build(settings, make_uow_factory(engine), sleep=SleepRecorder())
        client = build_outbox_client(token=BOT_TOKEN, base_url=bot.fake.api_url, sleep=deps.sleep)
        dispatcher = OutboxDispatcher(deps, client)
        dispatcher.register(KIND, send_test)
        yield Process(deps, dispatcher)
    finally:
        engine.dispose()


def enqueue(bot: BotHarness, count: int = 1, **extra: Any) -> list[str]:
    """`count` test DMs to U0…U9; returns their delivery keys."""
    with bot.uow() as uow:
        for i in range(count):
            outbox.enqueue(uow, kind=KIND, payload={"to": f"U{i % 10}", "text": str(i), **extra})
        uow.commit()
    with bot.uow() as uow:
        return list(
            uow.session.scalars(select(Notification.delivery_key).order_by(Notification.id))
        )


def posts_per_key(bot: BotHarness) -> Counter[str]:
    """Messages Slack stored, per delivery key (whether or not the poster heard back)."""
    keys: Counter[str] = Counter()
    for call in bot.fake.calls_to("chat.postMessage"):
        if call.response.get("ok"):
            metadata = call.params["metadata"]
            assert metadata["event_type"] == DELIVERY_EVENT_TYPE
            keys[metadata["event_payload"]["key"]] += 1
    return keys


def row(bot: BotHarness) -> Notification:
    with bot.uow() as uow:
        found = uow.session.scalars(select(Notification)).one()
        uow.session.expunge_all()
        return found


def in_thread(target: Any) -> tuple[threading.Thread, list[Any]]:
    results: list[Any] = []
    thread = threading.Thread(target=lambda: results.append(target()))
    thread.start()
    return thread, results


# -- two senders -----------------------------------------------------------------------------------


def test_two_senders_deliver_100_notifications_exactly_once(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    keys = enqueue(bot, 100)
    with another_process(bot) as other:
        barrier = threading.Barrier(2)

        def drain(dispatcher: OutboxDispatcher) -> int:
            barrier.wait()
            total = 0
            while (sent := dispatcher.run_once(limit=20)) > 0:
                total += sent
            return total

        threads = [in_thread(lambda: drain(sender)), in_thread(lambda: drain(other.outbox))]
        for thread, _ in threads:
            thread.join(120)
    assert posts_per_key(bot) == Counter({key: 1 for key in keys})
    assert sum(results[0] for _, results in threads) == 100
    with bot.uow() as uow:
        assert set(uow.session.scalars(select(Notification.state))) == {DeliveryState.SENT}


def test_a_sender_whose_claim_was_taken_over_neither_sends_nor_records(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    bot.fake.add_user("U0")
    (key,) = enqueue(bot, look_up_first=True)
    stalled = bot.fake.hold_next("users.info")
    thread, results = in_thread(sender.run_once)  # claims, then stalls before posting
    stalled.wait_arrived()
    with time_machine.travel(utcnow() + PAST_THE_LEASE, tick=True), another_process(bot) as other:
        assert other.run_once() == 1  # the lease ran out: another process sends it
    stalled.release()  # the first sender wakes up: its claim is gone
    thread.join(30)
    assert results == [0]
    assert posts_per_key(bot) == Counter({key: 1})
    note = row(bot)
    assert (note.state, note.claim_token) == (DeliveryState.SENT, 2)
    assert note.sent_ts == bot.fake.messages("U0")[0]["ts"]


def test_a_post_that_outlives_the_lease_is_found_not_sent_again(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    (key,) = enqueue(bot)
    slow = bot.fake.hold_next("chat.postMessage")  # Slack has it; the answer is late
    thread, results = in_thread(sender.run_once)
    slow.wait_arrived()
    with time_machine.travel(utcnow() + PAST_THE_LEASE, tick=True), another_process(bot) as other:
        assert other.run_once() == 1  # found in the DM's history by its key
    slow.release()
    thread.join(30)
    assert results == [0]  # the first sender heard "ok" but no longer held the claim
    assert posts_per_key(bot) == Counter({key: 1})
    assert len(bot.fake.calls_to("chat.postMessage")) == 1
    (message,) = bot.fake.messages("U0")
    assert row(bot).sent_ts == message["ts"]


# -- answers that never came -----------------------------------------------------------------------


@pytest.mark.parametrize("arrived", [True, False], ids=["slack-got-it", "slack-did-not"])
def test_a_dropped_connection_is_looked_up_before_sending_again(
    bot: BotHarness, sender: OutboxDispatcher, arrived: bool
) -> None:
    (key,) = enqueue(bot)
    bot.fake.drop_next("chat.postMessage", after_recording=arrived)
    assert sender.run_once() == 0
    note = row(bot)
    assert (note.state, note.maybe_posted) == (DeliveryState.PENDING, True)
    with time_machine.travel(note.next_attempt_at + dt.timedelta(seconds=1), tick=True):
        assert sender.run_once() == 1
    assert posts_per_key(bot) == Counter({key: 1})
    assert len(bot.fake.messages("U0")) == 1
    (history,) = bot.fake.calls_to("conversations.history")
    assert history.params["include_all_metadata"] in (True, "1", "true")


def test_without_the_history_scope_an_uncertain_dm_is_sent_again_and_logged(
    bot: BotHarness, sender: OutboxDispatcher, caplog: pytest.LogCaptureFixture
) -> None:
    enqueue(bot)
    bot.fake.drop_next("chat.postMessage", after_recording=False)
    sender.run_once()
    bot.fake.fail_next("conversations.history", error="missing_scope")
    with (
        caplog.at_level(logging.WARNING, logger="bot.outbox"),
        time_machine.travel(row(bot).next_attempt_at + dt.timedelta(seconds=1), tick=True),
    ):
        assert sender.run_once() == 1  # at least once rather than not at all
    assert "im:history" in caplog.text


def test_an_expired_notification_is_not_sent_unless_it_already_was(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    soon = utcnow() + dt.timedelta(minutes=1)
    with bot.uow() as uow:
        outbox.enqueue(uow, kind=KIND, payload={"to": "U1", "text": "間に合った"}, expires_at=soon)
        uow.commit()
    bot.fake.drop_next("chat.postMessage")  # it arrived; its sender never heard
    assert sender.run_once() == 0
    with bot.uow() as uow:  # queued meanwhile, never tried before its expiry
        outbox.enqueue(uow, kind=KIND, payload={"to": "U2", "text": "遅すぎた"}, expires_at=soon)
        uow.commit()
    with time_machine.travel(soon + dt.timedelta(minutes=5), tick=True):
        assert sender.run_once() == 1  # the first is found and recorded; the second expires
    with bot.uow() as uow:
        rows = uow.session.execute(
            select(Notification.state, Notification.last_error).order_by(Notification.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        (DeliveryState.SENT, None),
        (DeliveryState.FAILED, "expired"),
    ]
    assert [m["text"] for m in bot.fake.messages("U1")] == ["間に合った"]
    assert bot.fake.messages("U2") == []


# -- a process killed mid-send ---------------------------------------------------------------------


def _team(bot: BotHarness) -> None:
    """One rep with a lead short of 5C2M: one morning DM to send."""
    f.member(bot.uow(), "UMGR", role=Role.MANAGER, timezone="Asia/Tokyo")
    f.member(bot.uow(), "U001", manager="UMGR", timezone="Asia/Tokyo")
    lead_id = f.lead(bot.uow(), owner="U001", status=2)
    f.action(bot.uow(), lead_id, by="U001")


@pytest.mark.parametrize("arrived", [True, False], ids=["slack-got-it", "slack-did-not"])
def test_a_process_killed_mid_send_leaves_exactly_one_dm(
    bot: BotHarness, sender: OutboxDispatcher, tmp_path: Path, arrived: bool
) -> None:
    _team(bot)
    held = bot.fake.hold_next("chat.postMessage", before_recording=not arrived)
    process = bot.start_isops("remind", "--date", FRI.isoformat(), cwd=tmp_path)
    try:
        held.wait_arrived(timeout=60)
        process.send_signal(signal.SIGKILL)  # no clean-up, no last words
        process.communicate(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == -signal.SIGKILL
    held.drop()  # the connection's other end is gone
    assert len(bot.fake.messages("U001")) == (1 if arrived else 0)
    # Later than any lease (and than the old 15-minute claim): the next run takes over.
    with time_machine.travel(utcnow() + dt.timedelta(minutes=16), tick=True):
        run = MorningReminders(bot.runtime.deps, bot.runtime.outbox.client).run(on=FRI)
    assert run.sent == ["U001"]
    (message,) = bot.fake.messages("U001")
    with bot.uow() as uow:
        state, ts = uow.session.execute(
            select(Notification.state, Notification.sent_ts).where(
                Notification.kind == "morning", Notification.state != DeliveryState.SKIPPED
            )
        ).one()
    assert (state, ts) == (DeliveryState.SENT, message["ts"])
    posts = [c for c in bot.fake.calls_to("chat.postMessage") if c.response.get("ok")]
    assert len(posts) == 1  # found by its key (arrived), or sent once now (did not)


# -- morning runs at once --------------------------------------------------------------------------


def test_two_morning_runs_at_once_send_each_member_one_dm(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    f.member(bot.uow(), "UMGR", role=Role.MANAGER, timezone="Asia/Tokyo")
    reps = [f"U{i:03d}" for i in range(1, 21)]
    for rep in reps:
        f.member(bot.uow(), rep, manager="UMGR", timezone="Asia/Tokyo")
        f.action(bot.uow(), f.lead(bot.uow(), owner=rep, status=2), by=rep)
    morning = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 09:00 in Tokyo
    with time_machine.travel(morning, tick=True), another_process(bot) as other:
        barrier = threading.Barrier(2)

        def run(deps: Deps, client: Any) -> Any:
            barrier.wait()
            return MorningReminders(deps, client).run()

        threads = [
            in_thread(lambda: run(bot.runtime.deps, sender.client)),
            in_thread(lambda: run(other.deps, other.outbox.client)),
        ]
        for thread, _ in threads:
            thread.join(120)
    runs = [results[0] for _, results in threads]
    assert sorted(user for r in runs for user in r.sent) == reps
    dms = Counter(
        str(c.params["channel"]) for c in bot.fake.calls_to("chat.postMessage") if c.response["ok"]
    )
    assert dms == Counter({rep: 1 for rep in reps})


# -- a sender with several calls -------------------------------------------------------------------


def test_a_review_message_posted_unheard_then_decided_shows_the_verdict(
    bot: BotHarness, sender: OutboxDispatcher
) -> None:
    f.member(bot.uow(), "UMGR", role=Role.MANAGER)
    f.member(bot.uow(), "U001", manager="UMGR")
    review_id = f.review(bot.uow(), f.lead(bot.uow(), owner="U001", status=2), by="U001")
    bot.fake.drop_next("chat.postMessage")  # the manager has the message; we never heard
    assert sender.run_once() == 0
    bot.approve_review(review_id, by="UMGR")
    with time_machine.travel(utcnow() + dt.timedelta(hours=1), tick=True):
        sender.run_once()  # the request finds its message and shows the verdict on it
    (message,) = bot.fake.messages("UMGR")  # posted once
    (update,) = bot.fake.calls_to("chat.update")
    assert update.params["ts"] == message["ts"]
    assert "承認" in json.dumps(update.params["blocks"], ensure_ascii=False)
    with bot.uow() as uow:
        assert set(uow.session.scalars(select(Notification.state))) == {DeliveryState.SENT}
