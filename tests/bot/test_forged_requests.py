"""Nothing acts on a request to /slack/events before its signature is proven: forged,
malformed or unparsable requests get 401 (400 once signed), never 500, and Slack — the Web
API and a request's response_url alike — hears nothing of them."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Callable
from urllib.parse import urlencode

import pytest
from slack_bolt.request import BoltRequest

from isops.enums import Role
from isops.services.members import add_member
from tests.fake_slack import SentResponse
from tests.harness import SIGNING_SECRET, BotHarness

FORM = "application/x-www-form-urlencoded"
JSON = "application/json"


def _command_body(bot: BotHarness) -> bytes:
    """A slash command whose response_url is the fake Slack's recorder and whose user is a
    member: what a forger would send to make the bot answer there, or DM that user."""
    fields = {
        "command": "/isops",
        "text": "reviews",
        "user_id": "U100",
        "channel_id": "C1",
        "team_id": "T111",
        "trigger_id": "1.1.x",
        "response_url": bot.response_url(),
    }
    return urlencode(fields).encode()


def _interaction_body(bot: BotHarness, payload: str) -> bytes:
    return urlencode({"payload": payload, "response_url": bot.response_url()}).encode()


def _signature(timestamp: str, body: bytes) -> str:
    """Slack's v0 signature over the bytes as sent (any bytes, UTF-8 or not)."""
    base = b"v0:" + timestamp.encode() + b":" + body
    return "v0=" + hmac.new(SIGNING_SECRET.encode(), base, hashlib.sha256).hexdigest()


def _now() -> str:
    return str(int(time.time()))


Forgery = Callable[[BotHarness], SentResponse]

UNPROVEN: dict[str, Forgery] = {
    # The report: a timestamp that is not a number, no signature, a response_url and a user.
    "timestamp not a number, no signature": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, sign=False, timestamp="abc"
    ),
    "timestamp not a number, a signature": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, timestamp="abc", signature="v0=" + "0" * 64
    ),
    "timestamp of 5,000 digits": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, timestamp="9" * 5000, signature="v0=" + "0" * 64
    ),
    "timestamp with a sign": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, timestamp="+" + _now()
    ),
    "no timestamp, a signature": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, sign=False, headers={"X-Slack-Signature": "v0=" + "0" * 64}
    ),
    "no signature at all": lambda bot: bot.sender.raw(_command_body(bot), FORM, sign=False),
    "stale timestamp": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, timestamp=str(int(time.time()) - 360)
    ),
    "signature not hex": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, signature="v0=" + "zz" * 32
    ),
    "signature not ASCII": lambda bot: bot.sender.raw(
        _command_body(bot), FORM, headers={"X-Slack-Signature": "v0=\u00e9"}, sign=False
    ),
    "signed body with a byte appended": lambda bot: _appended(bot),
    "body not UTF-8": lambda bot: _signed_raw(bot, b"payload=\xff\xfe", FORM),
    "non-JSON payload=, unsigned": lambda bot: bot.sender.raw(
        _interaction_body(bot, "{not json"), FORM, sign=False
    ),
    "deeply nested JSON, unsigned": lambda bot: bot.sender.raw(
        "[" * 100_000 + "]" * 100_000, JSON, sign=False
    ),
}


def _appended(bot: BotHarness) -> SentResponse:
    body = _command_body(bot)
    timestamp = _now()
    return bot.sender.raw(
        body + b"&", FORM, timestamp=timestamp, signature=_signature(timestamp, body)
    )


def _signed_raw(bot: BotHarness, body: bytes, content_type: str) -> SentResponse:
    timestamp = _now()
    return bot.sender.raw(
        body, content_type, timestamp=timestamp, signature=_signature(timestamp, body)
    )


SIGNED_BUT_UNPARSABLE: dict[str, Forgery] = {
    "non-JSON payload=": lambda bot: _signed_raw(bot, _interaction_body(bot, "{not json"), FORM),
    "payload= not an object": lambda bot: _signed_raw(bot, _interaction_body(bot, "[1]"), FORM),
    "JSON body not an object": lambda bot: _signed_raw(bot, b'["event_callback"]', JSON),
    "JSON body not JSON": lambda bot: _signed_raw(bot, b'{"type": "event_callback"', JSON),
    "deeply nested JSON": lambda bot: _signed_raw(
        bot, ("[" * 100_000 + "]" * 100_000).encode(), JSON
    ),
    "nested just past the limit": lambda bot: _signed_raw(
        bot, json.dumps({"type": "event_callback", "event": _nested(70)}).encode(), JSON
    ),
}


def _nested(depth: int) -> object:
    value: object = "x"
    for _ in range(depth):
        value = {"a": value}
    return value


def _assert_slack_heard_nothing(bot: BotHarness) -> None:
    """Nothing reached the fake Slack (API or response_url). A genuine signed request sent
    afterwards is answered, so anything the forged ones set off would be recorded first."""
    bot.command("/isops", "help", user_id="U100")
    (answer,) = bot.fake.wait_for("response_url")
    assert "/log-call" in answer.params["text"]
    assert [call.method for call in bot.fake.calls] == ["response_url"]


def _assert_refused_quietly(bot: BotHarness, forge: Forgery, status: int) -> None:
    """A member's forged request is answered `status` without a traceback, and sets off
    nothing in Slack."""
    add_member(bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP)
    bot.fake.clear()
    response = forge(bot)
    assert response.status == status, response.body
    assert "Traceback" not in response.body
    _assert_slack_heard_nothing(bot)


@pytest.mark.parametrize("forge", UNPROVEN.values(), ids=UNPROVEN.keys())
def test_an_unproven_request_gets_401_and_sets_off_nothing(bot: BotHarness, forge: Forgery) -> None:
    _assert_refused_quietly(bot, forge, 401)


@pytest.mark.parametrize("forge", SIGNED_BUT_UNPARSABLE.values(), ids=SIGNED_BUT_UNPARSABLE.keys())
def test_a_signed_body_bolt_cannot_parse_gets_400_and_sets_off_nothing(
    bot: BotHarness, forge: Forgery
) -> None:
    _assert_refused_quietly(bot, forge, 400)


def test_a_signed_event_nested_as_deep_as_slack_nests_is_served(bot: BotHarness) -> None:
    event = {"type": "app_home_opened", "user": "U100", "tab": "home", "deep": _nested(30)}
    assert bot.sender.event(event).status == 200
    bot.fake.wait_for("views.publish")


def test_bolts_error_handler_does_not_act_on_an_unverified_request(bot: BotHarness) -> None:
    # Behind the HTTP layer, as a second line: the request that made Bolt's own signature
    # check raise, handed to Bolt directly. Its error handler must not answer to the forged
    # response_url.
    add_member(bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP)
    bot.fake.clear()
    request = BoltRequest(
        body=_command_body(bot).decode(),
        headers={"content-type": FORM, "x-slack-request-timestamp": "abc"},
    )
    assert bot.runtime.app.dispatch(request).status >= 400
    _assert_slack_heard_nothing(bot)
