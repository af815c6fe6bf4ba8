"""A lead picked in the log modal: show its four fields, keeping what the rep typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.blocks.log_modal import build_log_modal, selected_lead
from bot.deps import Deps
from bot.forms.log import LogMetadata, raw_values, shown_for, values_after_lead_change
from bot.forms.payload_ids import db_id
from bot.listeners.errors import reports_errors
from isops.messages import LEAD_NOT_FOUND
from isops.services.leads import start_log


def register(app: App, deps: Deps) -> None:
    app.action(ids.LEAD_SELECT)(handle_lead_picked)


@reports_errors
def handle_lead_picked(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    client: WebClient,
    context: BoltContext,
) -> None:
    """views.update the modal with the picked lead's current values as initial values."""
    ack()
    deps = Deps.of(context)
    value = (action.get("selected_option") or {}).get("value")
    if value is None:
        return  # deselected: nothing to show
    lead_id = db_id(value, refusal=LEAD_NOT_FOUND)
    view = body.get("view") or {}
    meta = LogMetadata.load(view.get("private_metadata"))
    start = start_log(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        lead_id=lead_id,
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )
    if start.lead is None:  # start_log raises instead; this keeps the type narrow
        return
    values = values_after_lead_change(raw_values(view), meta.shown, start.lead)
    new_meta = meta.model_copy(update={"shown": shown_for(start.lead), "confirm": False})
    try:
        client.views_update(
            view_id=view["id"],
            hash=view.get("hash"),
            view=build_log_modal(
                meta=new_meta,
                selected=selected_lead(start.lead),
                values=values,
                reason_codes=deps.settings.reason_codes,
                focus_max_days=deps.settings.focus_max_days,
            ),
        )
    except SlackApiError as exc:
        # The modal changed meanwhile (another pick, a submission): the newer state wins.
        if exc.response.get("error") != "hash_conflict":
            raise
