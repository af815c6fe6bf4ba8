"""Listeners, one package per kind of Slack request and one module per feature in each;
each kind's `register` lists what it answers, and `register_all` wires them into the app."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Deps
from bot.listeners import actions, commands, errors, events, options, views


def register_all(app: App, deps: Deps) -> None:
    errors.register(app)
    commands.register(app, deps.subcommands)
    actions.register(app)
    views.register(app)
    options.register(app)
    events.register(app)
