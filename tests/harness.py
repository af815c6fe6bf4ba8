"""The bot as Slack sees it: real HTTP server on 127.0.0.1, fake Slack Web API behind it."""

from __future__ import annotations

import itertools
import subprocess
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot import ids
from bot.runtime import Runtime, build_runtime
from bot.server import HttpServer
from isops.services.reviews import ReviewConfig, approve_review
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork
from tests.fake_slack import FakeSlack
from tests.fake_slack.signed import SentResponse, SlackRequestSender
from tests.processes import start_isops

SIGNING_SECRET = "secret"
BOT_TOKEN = "xoxb-test"


@dataclass
class SleepRecorder:
    """Stands in for time.sleep in the Slack client: records waits, never sleeps."""

    waits: list[float] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, seconds: float) -> None:
        with self._lock:
            self.waits.append(seconds)


def bot_settings(database_url: str, api_url: str, **overrides: Any) -> Settings:
    """Settings for a test bot; never read from the developer's .env."""
    values: dict[str, Any] = {
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_SIGNING_SECRET": SIGNING_SECRET,
        "SLACK_APP_TOKEN": None,
        "SLACK_API_URL": api_url,
        "DATABASE_URL": database_url,
        "ISOPS_WEBHOOK_TOKEN": None,
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@dataclass
class BotHarness:
    fake: FakeSlack
    runtime: Runtime
    server: HttpServer
    sender: SlackRequestSender
    sleeps: SleepRecorder
    _names: Iterator[int] = field(default_factory=lambda: itertools.count(1))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.port}"

    def uow(self) -> UnitOfWork:
        return self.runtime.deps.uow()

    def response_url(self) -> str:
        return self.fake.response_url(f"r{next(self._names)}")

    def command(self, command: str, text: str = "", *, user_id: str, **kw: Any) -> SentResponse:
        """A signed slash command whose response_url is recorded by the fake Slack."""
        kw.setdefault("response_url", self.response_url())
        return self.sender.command(command, text, user_id=user_id, **kw)

    def open_modal(
        self, command: str, text: str = "", *, user_id: str, **kw: Any
    ) -> dict[str, Any]:
        """A slash command that opens a modal, and the view it opened: this command's own
        views.open (the bot answers Slack first and opens the modal after, so the call may
        not be in yet). The fake has checked the view against Block Kit's limits."""
        before = len(self.fake.calls_to("views.open"))
        assert self.command(command, text, user_id=user_id, **kw).status == 200
        call = self.fake.wait_for("views.open", count=before + 1)[before]
        assert call.response["ok"], call.response
        view: dict[str, Any] = call.response["view"]
        return view

    def search_leads(
        self, value: str, *, user_id: str, view: dict[str, Any] | None = None
    ) -> SentResponse:
        """Typing `value` into the log modal's lead picker (Slack's options load)."""
        return self.sender.block_suggestion(
            user_id=user_id,
            action_id=ids.LEAD_SELECT,
            block_id=ids.LOG_LEAD_BLOCK,
            value=value,
            view=view,
        )

    def approve_review(self, review_id: int, *, by: str) -> None:
        """`by` approves the review through the service (what 承認 does, without Slack)."""
        approve_review(
            self.uow(),
            review_id=review_id,
            decider_slack_user_id=by,
            config=ReviewConfig.from_settings(self.runtime.deps.settings),
            calendar=self.runtime.deps.calendar,
        )

    def start_isops(self, *args: str, cwd: Path) -> subprocess.Popen[str]:
        """`isops <args>` in its own OS process, on this bot's database and fake Slack."""
        return start_isops(
            *args,
            cwd=cwd,
            DATABASE_URL=self.runtime.deps.settings.database_url,
            SLACK_BOT_TOKEN=BOT_TOKEN,
            SLACK_API_URL=self.fake.api_url,
        )


def unsigned_command_status(base_url: str) -> int:
    """The HTTP status /slack/events answers a slash command that carries no signature."""
    request = urllib.request.Request(
        f"{base_url}/slack/events",
        data=b"command=%2Fisops&text=help&user_id=U1&response_url=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        with error:
            return error.code


@contextmanager
def running_bot(database_url: str, **overrides: Any) -> Iterator[BotHarness]:
    """Start fake Slack and the bot (HTTP mode, free port); stop both afterwards."""
    with FakeSlack(token=BOT_TOKEN) as fake:
        sleeps = SleepRecorder()
        settings = bot_settings(database_url, fake.api_url, **overrides)
        runtime = build_runtime(settings, sleep=sleeps)
        runtime.start(scheduler=False)
        server = HttpServer(runtime.wsgi_app(), host="127.0.0.1", port=0)
        thread = server.start_in_thread()
        try:
            sender = SlackRequestSender(f"http://127.0.0.1:{server.port}", SIGNING_SECRET)
            yield BotHarness(fake, runtime, server, sender, sleeps)
        finally:
            server.stop()
            thread.join(5)
            runtime.stop()
