"""Event listeners (Events API), by event type."""

from __future__ import annotations

from slack_bolt import App

from bot.listeners.events import app_home


def register(app: App) -> None:
    app.event("app_home_opened")(app_home.handle_app_home_opened)
