"""The "記録" button on any message or modal: the log modal with that lead preselected."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.blocks.log_modal import build_log_modal_for
from bot.deps import Deps
from bot.forms.log import Mode
from bot.forms.payload_ids import db_id
from bot.listeners.errors import reports_errors
from isops.enums import Outcome
from isops.messages import LEAD_NOT_FOUND
from isops.services.leads import start_log

# `lead.log` or `lead.log:<id>` (several buttons in one actions block need distinct ids).
LOG_BUTTON_PATTERN = re.compile(rf"^{re.escape(ids.LOG_LEAD_BUTTON)}(:\d+)?$")


def reply_target(body: dict[str, Any]) -> str | None:
    """Where a log started by this click is confirmed: the conversation it came from, App
    Home (its own refresh shows the touch), or None inside a modal (by DM)."""
    view = body.get("view")
    if view is not None:
        return ids.HOME_SURFACE if view.get("type") == "home" else None
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


@reports_errors
def handle_log_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """Open (or, from a modal, push) the log modal for the button's lead; who may log it is
    checked against the database by who clicked."""
    ack()
    lead_id = db_id(action.get("value"), refusal=LEAD_NOT_FOUND)
    open_log_modal(deps, client, body, lead_id=lead_id)


def open_log_modal(
    deps: Deps,
    client: WebClient,
    body: dict[str, Any],
    *,
    lead_id: int,
    outcome: Outcome | None = None,
    mode: Mode = "any",
) -> None:
    """The log modal for `lead_id` as a click in `body` opens it — pushed over a modal, else
    opened — with `outcome` preselected (a list item's 📞 接続…). The one entry to the modal
    from a message, Home or a list, so every surface opens the same thing."""
    start = start_log(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        lead_id=lead_id,
        outcome=outcome,
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )
    in_modal = (body.get("view") or {}).get("type") == "modal"
    view = build_log_modal_for(
        start,
        mode=mode,
        reply_to=reply_target(body),
        reason_codes=deps.settings.reason_codes,
        focus_max_days=deps.settings.focus_max_days,
        pushed=in_modal,
    )
    if in_modal:
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
