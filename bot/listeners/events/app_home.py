"""App Home: what the bot is and the commands, published when the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_sdk import WebClient

from bot.blocks.home import build_home
from bot.deps import Deps
from bot.listeners.errors import reports_errors
from bot.listeners.events.manager_home import home_extra_blocks
from isops.services.members import find_member


def register(app: App, deps: Deps) -> None:
    app.event("app_home_opened")(handle_app_home_opened)


@reports_errors
def handle_app_home_opened(event: dict[str, Any], client: WebClient, context: BoltContext) -> None:
    """Publish the Home tab (the Messages tab needs nothing)."""
    if event.get("tab") != "home":
        return
    deps = Deps.of(context)
    member = find_member(deps.uow(), slack_user_id=event["user"])
    view = build_home(registered=member is not None)
    # Issue 13: the team (managers) or the scorecard line (reps), within the 100-block limit.
    view["blocks"] += home_extra_blocks(deps, event["user"], budget=100 - len(view["blocks"]))
    client.views_publish(user_id=event["user"], view=view)
