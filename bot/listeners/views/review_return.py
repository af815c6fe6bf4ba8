"""The 差し戻し modal's submission (DOMAIN.md rule 3): a reason is required; an optional next
action date and priority. Bad input stays in the modal as inline errors, nothing saved.

The modal's private_metadata comes back from the client and is not trusted with anything
but which review: who may return it is read from the database, and the manager's message is
updated only where the review says it lives (the outbox's `show_verdict`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict
from slack_bolt import Ack, App

from bot import ids
from bot.blocks.review import build_notice_modal
from bot.deps import Deps
from bot.forms.state import state_values
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.services.reviews import ReviewConfig, return_review

# Service field → the modal's block (errors must name the block).
FIELD_BLOCKS = {
    "reason": ids.REVIEW_RETURN_REASON,
    "next_action_date": ids.REVIEW_RETURN_NEXT_DATE,
    "priority": ids.REVIEW_RETURN_PRIORITY,
}


class ReturnContext(BaseModel):
    """The modal's private_metadata: which review — nothing else (any other key, e.g. a
    forged message location, is dropped)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    review_id: int

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
        ack: Ack, body: dict[str, Any], view: dict[str, Any]
    ) -> None:
        """差し戻す submitted: return the lead to the rep, or keep the modal open with why not."""
        context = ReturnContext.model_validate_json(view.get("private_metadata") or "{}")
        form = ReturnForm.from_view(view)
        try:
            return_review(
                deps.uow(),
                review_id=context.review_id,
                decider_slack_user_id=body["user"]["id"],
                reason=form.reason,
                next_action_date=form.next_action_date,
                priority=form.priority,
                config=config,
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
