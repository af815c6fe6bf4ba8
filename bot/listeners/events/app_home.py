"""App Home: the rep's live list, published when they open it (and, through the outbox,
after every change to their leads: bot.notifications.live_lists)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.home import build_home
from bot.blocks.reminders import LIST_LINES
from bot.deps import Deps
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.services.home import home_content


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


@reports_errors
def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the Home tab: the same list as `/isops today`, or how to get registered (the
    Messages tab needs nothing)."""
    if event.get("tab") != "home":
        return
    deps = Deps.of(context)
    content = home_content(
        deps.uow(),
        slack_user_id=event["user"],
        now=utcnow(),
        settings=deps.settings,
        calendar=deps.calendar,
        limit=LIST_LINES,
    )
    client.views_publish(user_id=event["user"], view=build_home(content))
