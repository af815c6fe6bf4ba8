"""承認 / 差し戻し buttons on review messages (DOMAIN.md rule 3); value = review id.

Who may decide is read from the database by who clicked (isops.services.reviews); the button
only says which review. The manager's message is updated by the outbox, at the location stored
on the review (bot.notifications.reviews.show_verdict) — never where a click says it came from;
a click in the ephemeral `/isops reviews` list also gets a receipt through its response_url.

Refusals and "already decided" (`isops.errors`) reach the clicker as an ephemeral message
through `reports_errors` (bot/listeners/errors.py).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import ids
from bot.blocks.review import build_decision_receipt, build_return_modal, review_actions_block_id
from bot.deps import Deps
from bot.forms.payload_ids import DbId, clicked_action, db_id
from bot.listeners.errors import reports_errors
from bot.listeners.views.review_return import ReturnContext
from isops.errors import NotFound
from isops.messages import REVIEW_NOT_FOUND
from isops.services.reviews import ReviewConfig, approve_review, review_for_decision


class ReviewClick(BaseModel):
    """A click on a review button, as plain values."""

    model_config = ConfigDict(frozen=True)

    review_id: DbId
    user_id: str
    trigger_id: str = ""
    # Clicked in the ephemeral `/isops reviews` list (not on the manager's message).
    ephemeral: bool = False
    # Status 6: the re-approach checkbox (untouched or absent = ticked, the default).
    reapproach: bool = True

    @classmethod
    def from_body(cls, body: dict[str, Any]) -> ReviewClick:
        action = clicked_action(body)
        ephemeral = bool((body.get("container") or {}).get("is_ephemeral"))
        review_id = db_id(action.get("value"), refusal=REVIEW_NOT_FOUND)
        state = (body.get("state") or {}).get("values") or {}
        box = (state.get(review_actions_block_id(review_id)) or {}).get(
            ids.REVIEW_REAPPROACH_CHECKBOX
        )
        try:
            return cls(
                review_id=review_id,
                user_id=body["user"]["id"],
                trigger_id=body.get("trigger_id") or "",
                ephemeral=ephemeral,
                reapproach=True if box is None else bool(box.get("selected_options")),
            )
        except ValidationError:
            raise NotFound(REVIEW_NOT_FOUND) from None


@reports_errors
def handle_review_approve(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """承認 clicked: the first decision wins; the verdict replaces the buttons."""
    ack()
    click = ReviewClick.from_body(body)
    detail = approve_review(
        deps.uow(),
        review_id=click.review_id,
        decider_slack_user_id=click.user_id,
        config=ReviewConfig.from_settings(deps.settings),
        calendar=deps.calendar,
        reapproach=click.reapproach,
    )
    # The outbox shows the verdict on the manager's message (retried while Slack is down).
    deps.wake_outbox()
    if click.ephemeral:
        respond(**build_decision_receipt(detail, tz=deps.settings.tz))


@reports_errors
def handle_review_return(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """差し戻し clicked: open the reason modal, if this member may still return it."""
    ack()
    click = ReviewClick.from_body(body)
    detail = review_for_decision(
        deps.uow(),
        review_id=click.review_id,
        decider_slack_user_id=click.user_id,
        config=ReviewConfig.from_settings(deps.settings),
        calendar=deps.calendar,
    )
    client.views_open(
        trigger_id=click.trigger_id,
        view=build_return_modal(detail, private_metadata=ReturnContext(review_id=detail.id).dump()),
    )


@reports_errors
def handle_reapproach_toggle(ack: Ack) -> None:
    """Ticking the box changes nothing by itself: 承認 reads it from the message state."""
    ack()
