"""Errors reach the user as escaped Japanese text, and Slack still gets its 200 at once."""

from __future__ import annotations

import urllib.error
import urllib.request

from bot.runtime import build_runtime
from bot.server import HttpServer
from isops.enums import Role
from isops.services.members import add_member
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN, BotHarness, SleepRecorder, bot_settings


def test_subcommand_error_is_answered_not_timed_out(bot: BotHarness) -> None:
    add_member(bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP)
    response = bot.command("/isops", "away <!channel>", user_id="U100")
    # A 404 here would be Bolt's lost ack (see bot.listeners.errors).
    assert response.status == 200
    (reply,) = bot.fake.wait_for("response_url")
    assert "<!channel>" not in reply.params["text"]
    assert "&lt;!channel&gt;" in reply.params["text"] or "期間" in reply.params["text"]


def test_socket_mode_http_server_does_not_serve_slack_requests(database_url: str) -> None:
    # In Socket Mode nothing verifies HTTP signatures, so the Slack route must not exist.
    with FakeSlack(token=BOT_TOKEN) as fake:
        settings = bot_settings(database_url, fake.api_url, SLACK_SIGNING_SECRET=None)
        runtime = build_runtime(settings, sleep=SleepRecorder(), socket_mode=True)
        server = HttpServer(runtime.wsgi_app(), host="127.0.0.1", port=0)
        thread = server.start_in_thread()
        try:
            base = f"http://127.0.0.1:{server.port}"
            request = urllib.request.Request(
                f"{base}/slack/events",
                data=b"command=%2Fisops&text=help&user_id=U1&response_url=x",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
            try:
                urllib.request.urlopen(request, timeout=5)
                raise AssertionError("a Slack request was served over HTTP in Socket Mode")
            except urllib.error.HTTPError as error:
                assert error.code == 404
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as health:
                assert health.status == 200
        finally:
            server.stop()
            thread.join(5)
            runtime.stop()
    assert fake.calls_to("response_url") == []
