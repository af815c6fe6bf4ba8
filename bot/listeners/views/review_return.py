"""The 差し戻し modal's submission (DOMAIN.md rule 3): a reason is required; an optional next
action date and priority. Bad input stays in the modal as inline errors, nothing saved."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot import ids
from bot.blocks.review import build_notice_modal
from bot.deps import Deps
from bot.forms.state import state_values
from bot.notifications.reviews import review_message
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.services.reviews import ReviewConfig, return_review

# Service field → the modal's block (errors must name the block).
FIELD_BLOCKS = {
    "reason": ids.REVIEW_RETURN_REASON,
    "next_action_date": ids.REVIEW_RETURN_NEXT_DATE,
    "priority": ids.REVIEW_RETURN_PRIORITY,
}


class ReturnContext(BaseModel):
    """The modal's private_metadata: which review, and the message its button was on."""

    model_config = ConfigDict(frozen=True)

    review_id: int
    channel: str | None = None
    ts: str | None = None

    def dump(self) -> str:
        return self.model_dump_json()


class ReturnForm(BaseModel):
    """What the manager typed; the service checks it (a reason is required, rule 5 dates)."""

    model_config = ConfigDict(frozen=True)

    reason: str = ""
    next_action_date: dt.date | None = None
    priority: int | None = None

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> ReturnForm:
        values = {block: field.value for block, field in state_values(view).items()}
        return cls(
            reason=values.get(ids.REVIEW_RETURN_REASON) or "",
            next_action_date=values.get(ids.REVIEW_RETURN_NEXT_DATE) or None,
            priority=values.get(ids.REVIEW_RETURN_PRIORITY) or None,
        )


def register(app: App, deps: Deps) -> None:
    config = ReviewConfig.from_settings(deps.settings)

    @app.view(ids.REVIEW_RETURN_VIEW)
    def handle_review_return_submission(
        ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient
    ) -> None:
        """差し戻す submitted: return the lead to the rep, or keep the modal open with why not."""
        where = ReturnContext.model_validate_json(view.get("private_metadata") or "{}")
        form = ReturnForm.from_view(view)
        try:
            detail = return_review(
                deps.uow(),
                review_id=where.review_id,
                decider_slack_user_id=body["user"]["id"],
                reason=form.reason,
                next_action_date=form.next_action_date,
                priority=form.priority,
                config=config,
                calendar=deps.calendar,
                clicked_channel=where.channel,
                clicked_ts=where.ts,
            )
        except InvalidInput as exc:
            errors = {
                FIELD_BLOCKS.get(name, ids.REVIEW_RETURN_REASON): message
                for name, message in exc.field_errors.items()
            }
            ack(response_action="errors", errors=errors)
            return
        except (Conflict, NotAllowed, NotFound) as exc:
            # Decided (or withdrawn) while the modal was open: say so in place of the form.
            ack(response_action="update", view=build_notice_modal(str(exc)))
            return
        ack()
        deps.wake_outbox()
        # The stored message is updated by the outbox; another clicked message, here.
        if (
            where.channel
            and where.ts
            and (where.channel, where.ts)
            != (
                detail.message_channel,
                detail.message_ts,
            )
        ):
            client.chat_update(channel=where.channel, ts=where.ts, **review_message(deps, detail))
