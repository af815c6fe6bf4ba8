"""A lead picked in the log modal: show its four fields, keeping what the rep typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.deps import Deps
from bot.forms.log import LogMetadata, raw_values, shown_for, values_after_lead_change
from bot.forms.payload_ids import db_id
from bot.listeners.actions.log_form import read_lead, render_log_modal, update_log_modal
from bot.listeners.errors import reports_errors
from isops.messages import LEAD_NOT_FOUND


@reports_errors
def handle_lead_picked(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """views.update the modal with the picked lead's current values as initial values; what
    the chosen status shows (the reasons, the hand-off section) stays."""
    ack()
    value = (action.get("selected_option") or {}).get("value")
    if value is None:
        return  # deselected: nothing to show
    lead_id = db_id(value, refusal=LEAD_NOT_FOUND)
    view = body.get("view") or {}
    meta = LogMetadata.load(view.get("private_metadata"))
    start = read_lead(deps, user_id=body["user"]["id"], lead_id=lead_id)
    if start.lead is None:  # start_log raises instead; this keeps the type narrow
        return
    # The metadata names the lead shown (it versions that lead's blocks); another lead's
    # 5C2M: a confirmation given for the first lead does not carry over.
    new_meta = meta.model_copy(update={"shown": shown_for(start.lead), "confirm": False})
    values = values_after_lead_change(raw_values(view), meta.shown, start.lead)
    modal = render_log_modal(deps, start, meta=new_meta, values=values)
    update_log_modal(client, str(view["id"]), modal, view.get("hash"))
