"""The "記録" button on any message or modal: the log modal with that lead preselected."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import ids
from bot.blocks.log_modal import build_log_modal_for
from bot.deps import Deps
from bot.forms.payload_ids import db_id
from bot.listeners.errors import reports_errors
from isops.messages import LEAD_NOT_FOUND
from isops.services.leads import start_log

# `lead.log` or `lead.log:<id>` (several buttons in one actions block need distinct ids).
LOG_BUTTON_PATTERN = re.compile(rf"^{re.escape(ids.LOG_LEAD_BUTTON)}(:\d+)?$")


def reply_target(body: dict[str, Any]) -> str | None:
    """The conversation a click came from (None inside a modal: confirm by DM)."""
    if body.get("view") is not None:
        return None
    channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get(
        "channel_id"
    )
    return str(channel) if channel else None


def register(app: App, deps: Deps) -> None:
    app.action(LOG_BUTTON_PATTERN)(handle_log_button)


@reports_errors
def handle_log_button(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    """Open (or, from a modal, push) the log modal for the button's lead; who may log it is
    checked against the database by who clicked."""
    ack()
    deps = Deps.of(context)
    start = start_log(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        lead_id=db_id(action.get("value"), refusal=LEAD_NOT_FOUND),
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )
    in_modal = body.get("view") is not None
    view = build_log_modal_for(
        start,
        mode="any",
        reply_to=reply_target(body),
        reason_codes=deps.settings.reason_codes,
        focus_max_days=deps.settings.focus_max_days,
        pushed=in_modal,
    )
    if in_modal:
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
