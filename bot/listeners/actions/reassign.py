"""The manager's morning DM buttons (issue 13 point 3): 担当を振り替える (value = the away rep's
member id) opens the modal; 承認待ちを開く lists the pending reviews with their buttons.

Who may see and move what is read from the database by who clicked (isops.services.reassign,
isops.services.reviews); a button's value only says which rep."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks.manager_reassign import (
    build_reassign_modal,
    build_reassign_notice,
    nothing_to_reassign,
)
from bot.deps import Deps
from bot.forms.payload_ids import clicked_action, db_id
from bot.listeners.commands.reviews import review_list
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.services.reassign import reassign_choice

REP_NOT_FOUND = "担当者が見つかりません"


class ReassignContext(BaseModel):
    """The modal's private_metadata: whose leads (authorized again on submit)."""

    from_member_id: int


@reports_errors
def handle_reassign_open(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """担当を振り替える clicked: the away rep's urgent leads and the team's reps, in a modal."""
    ack()
    action = clicked_action(body)
    from_member_id = db_id(action.get("value"), refusal=REP_NOT_FOUND)
    choice = reassign_choice(
        deps.uow(),
        actor_slack_user_id=body["user"]["id"],
        from_member_id=from_member_id,
        now=utcnow(),
        settings=deps.settings,
        calendar=deps.calendar,
    )
    empty = nothing_to_reassign(choice)
    view = (
        build_reassign_notice(empty)
        if empty
        else build_reassign_modal(
            choice,
            private_metadata=ReassignContext(
                from_member_id=choice.from_member_id
            ).model_dump_json(),
        )
    )
    client.views_open(trigger_id=body["trigger_id"], view=view)


@reports_errors
def handle_open_reviews(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """承認待ちを開く: the reviews the clicker may decide, with 承認 / 差し戻し (ephemeral)."""
    ack()
    message = review_list(deps, slack_user_id=body["user"]["id"])
    respond(**message, replace_original=False)
