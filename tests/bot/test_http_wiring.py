"""The bot over real HTTP: signatures, /healthz, a slash command reaching Slack."""

from __future__ import annotations

import json
import time
import urllib.request

from isops.enums import Role
from isops.services.members import add_member, list_members
from tests.harness import BotHarness


def _get(url: str) -> tuple[int, dict[str, object]]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def test_healthz_answers_when_database_is_reachable(bot: BotHarness) -> None:
    status, body = _get(f"{bot.base_url}/healthz")
    assert status == 200
    assert body == {"ok": True, "database": "ok"}


def test_isops_help_reply_reaches_slack(bot: BotHarness) -> None:
    response = bot.command("/isops", "help", user_id="U100")
    assert response.status == 200
    (reply,) = bot.fake.wait_for("response_url")
    text = reply.params["text"]
    for command in ("/log-call", "/log-mail", "/lead"):
        assert command in text


def test_unknown_subcommand_is_named_and_escaped(bot: BotHarness) -> None:
    bot.command("/isops", "<!channel>", user_id="U100")
    (reply,) = bot.fake.wait_for("response_url")
    assert "&lt;!channel&gt;" in reply.params["text"]
    assert "<!channel>" not in reply.params["text"]


def _member_command(bot: BotHarness) -> bytes:
    return b"command=%2Fisops&text=help&user_id=U100&channel_id=C1&team_id=T111"


def test_unsigned_request_is_refused(bot: BotHarness) -> None:
    response = bot.sender.raw(_member_command(bot), "application/x-www-form-urlencoded", sign=False)
    assert response.status == 401
    assert bot.fake.calls_to("response_url") == []


def test_wrong_signature_is_refused(bot: BotHarness) -> None:
    response = bot.sender.raw(
        _member_command(bot), "application/x-www-form-urlencoded", signature="v0=" + "0" * 64
    )
    assert response.status == 401
    assert bot.fake.calls_to("response_url") == []


def test_stale_request_is_refused(bot: BotHarness) -> None:
    six_minutes_ago = str(int(time.time()) - 360)
    response = bot.sender.raw(
        _member_command(bot), "application/x-www-form-urlencoded", timestamp=six_minutes_ago
    )
    assert response.status == 401
    assert bot.fake.calls_to("response_url") == []


def test_refused_request_changes_nothing(bot: BotHarness) -> None:
    add_member(bot.uow(), slack_user_id="U100", name="山田", role=Role.REP)
    event = {"type": "app_home_opened", "user": "U100", "channel": "D1", "tab": "home"}
    body = json.dumps(
        {"type": "event_callback", "event_id": "Ev1", "event": event, "team_id": "T111"}
    ).encode()
    response = bot.sender.raw(body, "application/json", signature="v0=" + "1" * 64)
    assert response.status == 401
    assert bot.fake.calls_to("views.publish") == []
    # The refused event id was not claimed: the genuine delivery is still handled.
    bot.sender.event(event, event_id="Ev1")
    bot.fake.wait_for("views.publish")
    assert len(list_members(bot.uow())) == 1


def test_event_retries_are_handled_once(bot: BotHarness) -> None:
    event = {"type": "app_home_opened", "user": "U100", "channel": "D1", "tab": "home"}
    first = bot.sender.event(event, event_id="Ev42")
    retry = bot.sender.event(event, event_id="Ev42", retry_num=1, retry_reason="http_timeout")
    assert (first.status, retry.status) == (200, 200)
    bot.fake.wait_for("views.publish")
    bot.sender.event({**event, "user": "U200"}, event_id="Ev43")  # a new event is handled
    published = bot.fake.wait_for("views.publish", count=2)
    assert sorted(call.params["user_id"] for call in published) == ["U100", "U200"]
