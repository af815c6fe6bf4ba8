"""The 担当を振り替える modal submitted: move the ticked leads to the chosen rep (one
transaction with history and the new owner's DM in the outbox), or say why not in place."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from slack_bolt import Ack

from bot import ids
from bot.blocks.manager_reassign import build_reassign_done, build_reassign_notice
from bot.deps import Deps
from bot.forms.payload_ids import PayloadRefused, db_id
from bot.forms.state import plain_values
from bot.listeners.actions.reassign import ReassignContext
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.services.reassign import reassign_leads

LEAD_NOT_FOUND = "リードが見つかりません"


@reports_errors
def handle_reassign_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """振り替える submitted."""
    values = plain_values(view)
    try:
        ReassignContext.model_validate_json(view.get("private_metadata") or "{}")
        lead_ids = [
            db_id(v, refusal=LEAD_NOT_FOUND) for v in values.get(ids.REASSIGN_LEADS_BLOCK) or []
        ]
        chosen = values.get(ids.REASSIGN_TO_BLOCK)
        if not chosen:
            raise InvalidInput({"to": "新しい担当者を選んでください"})
        result = reassign_leads(
            deps.uow(),
            actor_slack_user_id=body["user"]["id"],
            lead_ids=lead_ids,
            to_member_id=db_id(chosen, refusal="担当者が見つかりません"),
            now=utcnow(),
        )
    except InvalidInput as exc:
        block = ids.REASSIGN_TO_BLOCK if "to" in exc.field_errors else ids.REASSIGN_LEADS_BLOCK
        ack(response_action="errors", errors={block: str(exc)})
        return
    except (ValidationError, PayloadRefused, Conflict, NotAllowed, NotFound) as exc:
        message = str(exc) if not isinstance(exc, ValidationError) else LEAD_NOT_FOUND
        ack(response_action="update", view=build_reassign_notice(message))
        return
    ack(response_action="update", view=build_reassign_done(result))
    deps.wake_outbox()
