"""Sends the new owner's DM after 担当を振り替える (outbox kind `lead_reassigned`)."""

from __future__ import annotations

from typing import Any

from bot.blocks.manager_reassign import build_reassigned_dm
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.services.reassign import LEAD_REASSIGNED


def send_lead_reassigned(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the new owner (a user id as channel posts in the bot's DM with them)."""
    message = build_reassigned_dm(payload, tz=deps.settings.tz)
    delivery.post_message(channel=str(payload["to_slack_user_id"]), **message)


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(LEAD_REASSIGNED, send_lead_reassigned)
