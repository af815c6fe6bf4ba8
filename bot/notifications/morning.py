"""Sends the morning DM (outbox kind `morning`, one per member and business date).

The message was built when the morning run queued it (isops.services.morning_delivery); a
retry sends the same message, so what a member reads is the list as of their morning."""

from __future__ import annotations

from typing import Any

from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.services.morning_delivery import KIND_MORNING


def send_morning_dm(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Post the stored DM; a user id as channel posts in the app's DM with that user."""
    if "blocks" not in payload:
        return  # a day settled without a message (never claimed; kept for safety)
    delivery.post_message(
        channel=str(payload["slack_user_id"]),
        text=str(payload["text"]),
        blocks=payload["blocks"],
        unfurl_links=False,
        unfurl_media=False,
    )


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(KIND_MORNING, send_morning_dm)
