"""App Home: the member's live list (and a manager's team), published when they open it (and,
through the outbox, after every change to their leads: bot.notifications.live_lists)."""

from __future__ import annotations

from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.home_view import home_view
from bot.listeners.errors import reports_errors
from isops.clock import utcnow


@reports_errors
def handle_app_home_opened(event: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Publish the Home tab: the same list as `/isops today` (a manager's team after it), or
    how to get registered (the Messages tab needs nothing)."""
    if event.get("tab") != "home":
        return
    view = home_view(deps, slack_user_id=event["user"], now=utcnow())
    client.views_publish(user_id=event["user"], view=view)
