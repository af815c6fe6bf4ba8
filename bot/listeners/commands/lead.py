"""`/lead [会社名]`: the form to register a lead by hand."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.lead_modal import build_lead_modal
from bot.deps import Deps
from bot.listeners.errors import reports_errors
from isops.calendar import member_zone
from isops.clock import utcnow
from isops.errors import NotFound
from isops.messages import NOT_REGISTERED
from isops.services.members import find_member
from isops.text import strip_control


@reports_errors
def handle_lead(ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Open the registration modal (text prefills the company; CV defaults to now)."""
    ack()
    member = find_member(deps.uow(), slack_user_id=command["user_id"])
    if member is None:
        raise NotFound(NOT_REGISTERED)
    zone = member_zone(member.timezone, deps.settings.tz)
    view = build_lead_modal(
        owner_slack_user_id=member.slack_user_id,
        now_local=utcnow().astimezone(zone),
        inbound_sources=deps.settings.inbound_sources,
        company=strip_control(command.get("text") or "", single_line=True).strip(),
    )
    client.views_open(trigger_id=command["trigger_id"], view=view)
