"""The bot in Socket Mode as Slack sees it: it connects to the fake Socket Mode server with an
app-level token, and the same signed-request helpers reach it as envelopes over the socket."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from bot.runtime import build_runtime
from bot.server import HttpServer
from tests.fake_slack.signed import SlackRequestSender
from tests.fake_slack.socket_mode import APP_TOKEN, FakeSocketMode, SocketModeSlack
from tests.harness import BOT_TOKEN, SIGNING_SECRET, BotHarness, SleepRecorder, bot_settings


@dataclass
class SocketModeHarness(BotHarness):
    """`sender` posts to the fake's ingress, which delivers each request as an envelope and
    answers with the acknowledgement's payload; `server` is the bot's HTTP server (healthz and
    webhooks only in Socket Mode)."""

    @property
    def socket(self) -> FakeSocketMode:
        assert isinstance(self.fake, SocketModeSlack)
        return self.fake.socket


@contextmanager
def running_socket_mode_bot(database_url: str, **overrides: Any) -> Iterator[SocketModeHarness]:
    """Start the fake Slack (Web API + Socket Mode) and the bot connected over Socket Mode,
    wired as `isops serve` wires it; stop both afterwards."""
    with SocketModeSlack(token=BOT_TOKEN, app_token=APP_TOKEN) as fake:
        sleeps = SleepRecorder()
        settings = bot_settings(
            database_url,
            fake.api_url,
            SLACK_APP_TOKEN=APP_TOKEN,
            SLACK_SIGNING_SECRET=None,  # Socket Mode needs none
            **overrides,
        )
        runtime = build_runtime(settings, sleep=sleeps, socket_mode=True)
        runtime.start(scheduler=False)
        server = HttpServer(runtime.wsgi_app(), host="127.0.0.1", port=0)
        thread = server.start_in_thread()
        try:
            runtime.connect_socket_mode()
            # Socket Mode carries no signatures; the sender signs anyway and the fake ignores it.
            sender = SlackRequestSender(fake.socket.ingress_url, SIGNING_SECRET)
            yield SocketModeHarness(fake, runtime, server, sender, sleeps)
        finally:
            server.stop()
            thread.join(5)
            runtime.stop()
