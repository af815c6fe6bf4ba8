"""App Home: what the bot is and the commands, published when the user opens it."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_sdk import WebClient

from bot.blocks.home import build_home
from bot.deps import Deps
from isops.services.members import find_member


def register(app: App, deps: Deps) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(event: dict[str, Any], client: WebClient) -> None:
        """Publish the Home tab (the Messages tab needs nothing)."""
        if event.get("tab") != "home":
            return
        member = find_member(deps.uow(), slack_user_id=event["user"])
        client.views_publish(user_id=event["user"], view=build_home(registered=member is not None))
