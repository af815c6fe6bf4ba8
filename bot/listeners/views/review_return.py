"""The 差し戻し modal's submission (DOMAIN.md rule 3): a reason is required; an optional next
action date and priority. Bad input stays in the modal as inline errors, nothing saved.

The modal's private_metadata comes back from the client and is not trusted with anything
but which review: who may return it is read from the database, and the manager's message is
updated only where the review says it lives (the outbox's `show_verdict`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from slack_bolt import Ack

from bot import ids
from bot.blocks.review import build_notice_modal
from bot.deps import Deps
from bot.forms.payload_ids import DbId
from bot.forms.state import RecordMetadata, plain_values
from bot.listeners.errors import reports_errors
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.messages import REVIEW_NOT_FOUND
from isops.services.reviews import ReviewConfig, return_review
from isops.text import strip_control

# Service field → the modal's block (errors must name the block).
FIELD_BLOCKS = {
    "reason": ids.REVIEW_RETURN_REASON,
    "next_action_date": ids.REVIEW_RETURN_NEXT_DATE,
    "priority": ids.REVIEW_RETURN_PRIORITY,
}
# What to say when a submitted value does not parse (the service words the rules).
FIELD_MESSAGES = {
    "next_action_date": "日付を選び直してください",
    "priority": "優先リードは 注力 か 非注力 を選んでください",
}


class ReturnContext(RecordMetadata):
    """The modal's private_metadata: which review — nothing else (any other key, e.g. a
    forged message location, is dropped)."""

    not_found = REVIEW_NOT_FOUND

    review_id: DbId


class ReturnForm(BaseModel):
    """What the manager typed; the service checks it (a reason is required, rule 5 dates)."""

    model_config = ConfigDict(frozen=True)

    reason: str = ""
    next_action_date: dt.date | None = None
    priority: int | None = Field(default=None, ge=1, le=2)

    @field_validator("reason", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        # Control characters (NUL: PostgreSQL refuses it) dropped; line breaks stay.
        return strip_control(value) if isinstance(value, str) else value

    @classmethod
    def from_view(cls, view: dict[str, Any]) -> ReturnForm:
        """The submitted values, or InvalidInput naming the field that does not parse."""
        values = plain_values(view)
        try:
            return cls(
                reason=values.get(ids.REVIEW_RETURN_REASON) or "",
                next_action_date=values.get(ids.REVIEW_RETURN_NEXT_DATE) or None,
                priority=values.get(ids.REVIEW_RETURN_PRIORITY) or None,
            )
        except ValidationError as exc:
            fields = {str(e["loc"][0]) for e in exc.errors() if e["loc"]}
            raise InvalidInput(
                {name: FIELD_MESSAGES.get(name, "入力を確認してください") for name in fields}
            ) from None


@reports_errors
def handle_review_return_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """差し戻す submitted: return the lead to the rep, or keep the modal open with why not."""
    try:
        review = ReturnContext.load(view.get("private_metadata"))
        form = ReturnForm.from_view(view)
        return_review(
            deps.uow(),
            review_id=review.review_id,
            decider_slack_user_id=body["user"]["id"],
            reason=form.reason,
            next_action_date=form.next_action_date,
            priority=form.priority,
            config=ReviewConfig.from_settings(deps.settings),
            calendar=deps.calendar,
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
    # The outbox shows the return on the manager's message and DMs the rep.
    deps.wake_outbox()
