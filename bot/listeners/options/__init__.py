"""External select menus' options (`block_suggestion`), by action_id."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.listeners.options import lead_select


def register(app: App) -> None:
    app.options(ids.LEAD_SELECT)(lead_select.handle_lead_options)
