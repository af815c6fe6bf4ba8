"""Errors reach the user as escaped Japanese text, and Slack still gets its 200 at once."""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from bot import ids
from bot.runtime import build_runtime
from bot.server import HttpServer
from isops.enums import Role
from isops.services.members import add_member
from tests import factories
from tests.fake_slack import FakeSlack
from tests.harness import (
    BOT_TOKEN,
    BotHarness,
    SleepRecorder,
    bot_settings,
    unsigned_command_status,
)


def test_subcommand_error_is_answered_not_timed_out(bot: BotHarness) -> None:
    add_member(bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP)
    response = bot.command("/isops", "away <!channel>", user_id="U100")
    # A 404 here would be Bolt's lost ack (see bot.listeners.errors).
    assert response.status == 200
    (reply,) = bot.fake.wait_for("response_url")
    assert "期間は 12/1-12/5 のように指定してください" in reply.params["text"]
    assert "<!channel>" not in json.dumps(reply.params, ensure_ascii=False)


def test_an_error_quoting_a_name_is_escaped_and_shown_as_typed(bot: BotHarness) -> None:
    # The refusal of a second decision names who decided: a name is user text.
    name = "<!channel> *ボス* _様_"
    factories.member(bot.uow(), "UM1", role=Role.MANAGER, name=name)
    factories.member(bot.uow(), "UR1", manager="UM1")
    lead_id = factories.lead(bot.uow(), owner="UR1", status=2)
    review_id = factories.review(bot.uow(), lead_id, by="UR1")
    bot.approve_review(review_id, by="UM1")
    button = {"type": "button", "action_id": ids.REVIEW_APPROVE_BUTTON, "value": str(review_id)}
    answer = bot.sender.block_actions(
        user_id="UM1",
        actions=[button],
        channel_id="DUM1",
        response_url=bot.response_url(),
    )
    assert answer.status == 200
    (reply,) = bot.fake.wait_for("response_url")
    text = reply.params["text"]  # mrkdwn: the notification
    assert "すでに" in text and "承認しています" in text
    assert "&lt;!channel&gt; \u2217ボス\u2217 \u02cd様\u02cd" in text
    assert "<!channel>" not in text and "*ボス*" not in text and "_様_" not in text
    (block,) = reply.params["blocks"]  # what the user reads: plain text, exactly the name
    assert block["text"]["type"] == "plain_text" and name in block["text"]["text"]


def test_socket_mode_http_server_does_not_serve_slack_requests(database_url: str) -> None:
    # In Socket Mode nothing verifies HTTP signatures, so the Slack route must not exist.
    with FakeSlack(token=BOT_TOKEN) as fake:
        settings = bot_settings(database_url, fake.api_url, SLACK_SIGNING_SECRET=None)
        runtime = build_runtime(settings, sleep=SleepRecorder(), socket_mode=True)
        server = HttpServer(runtime.wsgi_app(), host="127.0.0.1", port=0)
        thread = server.start_in_thread()
        try:
            base = f"http://127.0.0.1:{server.port}"
            assert unsigned_command_status(base) == 404  # not served over HTTP in Socket Mode
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as health:
                assert health.status == 200
        finally:
            server.stop()
            thread.join(5)
            runtime.stop()
    assert fake.calls_to("response_url") == []
