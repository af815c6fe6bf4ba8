"""Composition root: settings → database → Slack client → Bolt app → outbox → scheduler."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass

from apscheduler.schedulers.background import BackgroundScheduler
from slack_bolt import App
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from sqlalchemy import Engine

from bot.app import build_app
from bot.deps import Deps
from bot.jobs import JobSpec, scheduled_jobs
from bot.notifications import register_senders
from bot.outbox import OutboxDispatcher
from bot.scheduler import build_scheduler, schedule_start_up_runs
from bot.server import WsgiApp, build_wsgi_app
from bot.slack_client import LISTENER_RETRY_AFTER_CAP, build_outbox_client, build_web_client
from bot.socket_mode import build_socket_mode_handler
from bot.webhooks import routes as webhook_routes
from isops.db import make_engine
from isops.settings import Settings
from isops.unit_of_work import make_uow_factory

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything one bot process runs; `start()` / `stop()` the background parts."""

    deps: Deps
    engine: Engine
    client: WebClient
    app: App
    outbox: OutboxDispatcher
    jobs: list[JobSpec]
    scheduler: BackgroundScheduler

    socket_mode: bool = False
    socket_handler: SocketModeHandler | None = None

    def wsgi_app(self) -> WsgiApp:
        return build_wsgi_app(
            self.app, self.deps, webhook_routes(self.deps), slack_route=not self.socket_mode
        )

    def start(self, *, scheduler: bool = True) -> None:
        self.outbox.start()
        if scheduler:
            schedule_start_up_runs(self.scheduler, self.jobs)
            self.scheduler.start()

    def connect_socket_mode(self) -> None:
        """Receive Slack's traffic over Socket Mode with SLACK_APP_TOKEN (see bot.socket_mode)."""
        handler = build_socket_mode_handler(self.app, self.deps.settings.secret("SLACK_APP_TOKEN"))
        handler.connect()  # type: ignore[no-untyped-call]  # Bolt's handlers are unannotated
        self.socket_handler = handler

    def stop(self) -> None:
        if self.socket_handler is not None:
            # First stop taking envelopes; this waits for the listeners already running.
            self.socket_handler.close()  # type: ignore[no-untyped-call]
            self.socket_handler = None
        if self.scheduler.running:
            self.scheduler.shutdown(wait=True)
        self.outbox.stop()
        self.engine.dispose()


def build_runtime(
    settings: Settings,
    *,
    sleep: Callable[[float], None] = time.sleep,
    token_verification: bool = True,
    socket_mode: bool = False,
) -> Runtime:
    """Build (not start) one process's bot from `settings`."""
    settings.require("SLACK_BOT_TOKEN")
    if not socket_mode:
        settings.require("SLACK_SIGNING_SECRET")
    engine = make_engine(settings.database_url)
    deps = Deps.build(settings, make_uow_factory(engine), sleep=sleep)
    token, base_url = settings.secret("SLACK_BOT_TOKEN"), settings.slack_api_url
    client = build_web_client(
        token=token, base_url=base_url, sleep=sleep, retry_after_cap=LISTENER_RETRY_AFTER_CAP
    )
    app = build_app(deps, client, token_verification=token_verification, socket_mode=socket_mode)
    # Jobs send through the outbox too, so they share its client: no long waits in place.
    outbox = OutboxDispatcher(
        deps, build_outbox_client(token=token, base_url=base_url, sleep=sleep)
    )
    register_senders(outbox)
    jobs = scheduled_jobs(deps, outbox.client)
    scheduler = build_scheduler(jobs, timezone=settings.tz)
    return Runtime(deps, engine, client, app, outbox, jobs, scheduler, socket_mode=socket_mode)
