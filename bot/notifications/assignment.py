"""Outbox senders of lead intake (DOMAIN.md rule 1): the owner's DM for a new lead, and
the managers' DM when nobody could take one. Stored with the lead, so retried until sent."""

from __future__ import annotations

from typing import Any

from bot.blocks.lead_intake import LeadNotice, build_lead_assigned, build_lead_unassigned
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.services.assignment import LEAD_ASSIGNED, LEAD_UNASSIGNED


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(LEAD_ASSIGNED, send_lead_assigned)
    outbox.register(LEAD_UNASSIGNED, send_lead_unassigned)


def send_lead_assigned(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the owner (posting to a user id opens the bot's DM with them)."""
    message = build_lead_assigned(LeadNotice.from_payload(payload), tz=deps.settings.tz)
    delivery.post_message(channel=str(payload["owner_slack_user_id"]), **message)


def send_lead_unassigned(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    message = build_lead_unassigned(LeadNotice.from_payload(payload), tz=deps.settings.tz)
    delivery.post_message(channel=str(payload["recipient"]), **message)
