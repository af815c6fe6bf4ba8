"""Listeners, one module per feature and kind; `register_all` wires them into the app."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import errors
from bot.listeners.commands import isops_command
from bot.listeners.events import app_home


def register_all(app: App, deps: Deps) -> None:
    errors.register(app, deps)
    isops_command.register(app, deps)
    app_home.register(app, deps)
