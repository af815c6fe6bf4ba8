"""The Web API client retries what Slack asks clients to retry, and the outbox never loses."""

from __future__ import annotations

import pytest
from slack_sdk.errors import SlackApiError
from sqlalchemy import update

from bot.outbox import Delivery
from bot.slack_client import (
    LISTENER_RETRY_AFTER_CAP,
    OUTBOX_RETRY_AFTER_CAP,
    build_outbox_client,
    build_web_client,
)
from isops.clock import utcnow
from isops.models import Notification
from isops.services import outbox
from tests.fake_slack import FakeSlack
from tests.harness import BotHarness, SleepRecorder


@pytest.fixture
def fake() -> FakeSlack:
    with FakeSlack(token="xoxb-test") as server:
        yield server


def test_429_waits_retry_after_then_succeeds(fake: FakeSlack) -> None:
    sleeps = SleepRecorder()
    client = build_web_client(token="xoxb-test", base_url=fake.api_url, sleep=sleeps)
    fake.fail_next("chat.postMessage", status=429, retry_after=7, times=2)
    response = client.chat_postMessage(channel="U1", text="こんにちは")
    assert response["ok"] is True
    assert [c.status for c in fake.calls_to("chat.postMessage")] == [429, 429, 200]
    assert sleeps.waits == [7.0, 7.0]


def test_5xx_is_retried_with_backoff(fake: FakeSlack) -> None:
    sleeps = SleepRecorder()
    client = build_web_client(token="xoxb-test", base_url=fake.api_url, sleep=sleeps)
    fake.fail_next("chat.postMessage", status=503, times=1)
    assert client.chat_postMessage(channel="U1", text="x")["ok"] is True
    assert len(sleeps.waits) == 1 and 0 < sleeps.waits[0] < 2


def test_ok_false_is_not_retried(fake: FakeSlack) -> None:
    sleeps = SleepRecorder()
    client = build_web_client(token="xoxb-test", base_url=fake.api_url, sleep=sleeps)
    fake.fail_next("chat.postMessage", error="channel_not_found")
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U1", text="x")
    assert sleeps.waits == []


def test_connection_error_is_retried() -> None:
    sleeps = SleepRecorder()
    # Port 9 on loopback (discard) refuses connections: nothing listens there.
    client = build_web_client(token="xoxb-test", base_url="http://127.0.0.1:9/api/", sleep=sleeps)
    with pytest.raises(OSError):
        client.chat_postMessage(channel="U1", text="x")
    assert len(sleeps.waits) == 4


def test_a_listener_does_not_wait_out_a_long_retry_after(fake: FakeSlack) -> None:
    sleeps = SleepRecorder()
    client = build_web_client(
        token="xoxb-test",
        base_url=fake.api_url,
        sleep=sleeps,
        retry_after_cap=LISTENER_RETRY_AFTER_CAP,
    )
    fake.fail_next("chat.postMessage", status=429, retry_after=2)
    assert client.chat_postMessage(channel="U1", text="x")["ok"] is True
    fake.fail_next("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(SlackApiError) as error:
        client.chat_postMessage(channel="U1", text="x")
    assert error.value.response.status_code == 429
    assert sleeps.waits == [2.0]  # the short one waited, the long one not at all


def test_the_outbox_client_retries_only_short_rate_limits(fake: FakeSlack) -> None:
    sleeps = SleepRecorder()
    client = build_outbox_client(token="xoxb-test", base_url=fake.api_url, sleep=sleeps)
    fake.fail_next("chat.postMessage", status=429, retry_after=1, times=2)
    assert client.chat_postMessage(channel="U1", text="x")["ok"] is True
    fake.fail_next("chat.postMessage", status=429, retry_after=120)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U1", text="x")
    # A 5xx may have been carried out: posting again here could duplicate it.
    fake.fail_next("chat.postMessage", status=503)
    with pytest.raises(SlackApiError):
        client.chat_postMessage(channel="U1", text="x")
    assert sleeps.waits == [1.0, 1.0]
    assert max(sleeps.waits) <= OUTBOX_RETRY_AFTER_CAP


def test_the_outbox_client_does_not_repost_after_a_dropped_connection(fake: FakeSlack) -> None:
    client = build_outbox_client(token="xoxb-test", base_url=fake.api_url, sleep=SleepRecorder())
    fake.drop_next("chat.postMessage")  # Slack posted it; the answer never came
    with pytest.raises(OSError):
        client.chat_postMessage(channel="U1", text="x")
    assert len(fake.messages("U1")) == 1


def test_outbox_survives_slack_outage(bot: BotHarness) -> None:
    sent: list[str] = []

    def send_test(deps: object, delivery: Delivery, payload: dict[str, str]) -> None:
        delivery.post_message(channel=payload["to"], text=payload["text"])
        sent.append(payload["text"])

    bot.runtime.outbox.stop()  # send by hand below
    bot.runtime.outbox.register("test", send_test)
    # Slack is down: the notification stays pending for later, nothing waited in place.
    bot.fake.fail_next("chat.postMessage", status=500)
    with bot.uow() as uow:
        outbox.enqueue(uow, kind="test", payload={"to": "U1", "text": "届くまで"})
        uow.commit()
    assert bot.runtime.outbox.run_once() == 0
    assert sent == [] and bot.sleeps.waits == []
    # Later (back-off elapsed — make it due now), Slack is back: it is delivered once.
    with bot.uow() as uow:
        uow.session.execute(update(Notification).values(next_attempt_at=utcnow()))
        uow.commit()
    assert bot.runtime.outbox.run_once() == 1
    assert sent == ["届くまで"]
    assert [c.status for c in bot.fake.calls_to("chat.postMessage")][-1] == 200
