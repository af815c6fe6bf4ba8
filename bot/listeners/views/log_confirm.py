"""The 5C2M confirmation pushed over the log modal (status 4, 5C2M incomplete, rule 4):
このまま申請する marks the modal confirmed; 架電を続ける (or closing it) puts the status back."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.log_5c2m import ConfirmMetadata
from bot.deps import Deps
from bot.listeners.actions.log_form import lead_values, log_modal_view, update_log_modal
from bot.listeners.errors import reports_errors
from isops.enums import ActionStatus


@reports_errors
def handle_5c2m_confirmed(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """このまま申請する: back to the log modal (this view closes), which now records the 4 on
    記録する. The modal is rebuilt without knowing what was typed in it: every block keeps
    its id, so Slack keeps the rep's input."""
    ack()
    confirm = ConfirmMetadata.load(view.get("private_metadata"))
    if confirm is None or confirm.log.shown is None:
        return
    meta = confirm.log.model_copy(update={"confirm": True})
    modal, _ = log_modal_view(
        deps,
        user_id=body["user"]["id"],
        meta=meta,
        lead_id=confirm.log.shown.lead_id,
        values=lead_values(ActionStatus.NO_ACTION_BEFORE_CONNECT),
    )
    update_log_modal(client, confirm.parent_view_id, modal, None)


@reports_errors
def handle_5c2m_declined(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """架電を続ける: the log modal's status goes back to the lead's (the reasons go), so the
    touch is logged as a touch; what else was typed stays."""
    ack()
    if body.get("is_cleared"):
        return  # the whole stack closed: nothing to go back to
    confirm = ConfirmMetadata.load(view.get("private_metadata"))
    if confirm is None or confirm.log.shown is None:
        return
    log, shown = confirm.log, confirm.log.shown
    # A new block_id for the status, so Slack shows the status set here instead of the 4.
    meta = log.model_copy(update={"confirm": False, "status_resets": log.status_resets + 1})
    modal, _ = log_modal_view(
        deps,
        user_id=body["user"]["id"],
        meta=meta,
        lead_id=shown.lead_id,
        values=lead_values(None),
    )
    update_log_modal(client, confirm.parent_view_id, modal, None)
