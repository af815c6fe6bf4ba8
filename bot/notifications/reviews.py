"""Outbox senders of manager review (DOMAIN.md rule 3): the manager's interactive message,
its update once decided or withdrawn, and the rep's DM on a return.

The rep is the lead's owner and the message goes to whoever `ReviewDetail.reviewer_slack_user_id`
names (see isops.services.reviews). The bot writes to the manager's message only where
`send_review_request` recorded it (`show_verdict`), never where a request payload says."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.review import build_review_message, build_review_returned_dm
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher, PostedMessage
from isops.enums import ReviewState
from isops.services.reviews import (
    REVIEW_DECIDED,
    REVIEW_REQUESTED,
    REVIEW_RETURNED,
    REVIEW_WITHDRAWN,
    ReviewConfig,
    ReviewDetail,
    record_review_message,
    review_detail,
)

log = logging.getLogger(__name__)

# chat.update errors meaning the message is gone or frozen: retrying cannot help.
MESSAGE_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(REVIEW_REQUESTED, send_review_request)
    outbox.register(REVIEW_DECIDED, update_review_message)
    outbox.register(REVIEW_WITHDRAWN, update_review_message)
    outbox.register(REVIEW_RETURNED, send_return_to_rep)


def review_message(deps: Deps, detail: ReviewDetail) -> dict[str, Any]:
    """The manager's message for `detail` with this team's settings (also used by listeners)."""
    settings = deps.settings
    return build_review_message(
        detail,
        tz=settings.tz,
        reapproach_months=settings.reapproach_months,
        # In a shared channel, ping the manager who is expected to decide.
        mention=detail.reviewer_slack_user_id if settings.review_channel else None,
    )


def _detail(deps: Deps, payload: dict[str, Any]) -> ReviewDetail | None:
    config = ReviewConfig.from_settings(deps.settings)
    return review_detail(deps.uow(), review_id=int(payload["review_id"]), config=config)


def send_review_request(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Post the review to the rep's manager's DM (or the review channel) and remember where.

    Safe to repeat after a crash at any point: a post that went out is found by its delivery
    key instead of being posted again, and recording it and updating it are idempotent."""
    detail = _detail(deps, payload)
    if detail is None or detail.message_ts is not None:
        return  # gone, or already posted and recorded (a retry)
    channel = deps.settings.review_channel or detail.reviewer_slack_user_id
    if channel is None:
        log.warning(
            "review %d: no one but %s's manager or an admin may decide it and none can be "
            "messaged; it is listed by `/isops reviews` only",
            detail.id,
            detail.rep_slack_user_id,
        )
        return
    posted: PostedMessage | None
    if detail.pending:
        posted = delivery.post_message(channel=channel, **review_message(deps, detail))
    else:
        # Decided or withdrawn before it went out: post nothing — unless an earlier try
        # posted it unheard, then that message must show the verdict, not live buttons.
        posted = delivery.find_posted(channel) if delivery.maybe_posted else None
        if posted is None:
            return
    recorded = record_review_message(
        deps.uow(),
        review_id=detail.id,
        channel=posted.channel,
        ts=posted.ts,
        config=ReviewConfig.from_settings(deps.settings),
    )
    # Decided while the message was on its way, before it was known where it is: the
    # decision's own update found nothing to update, so show the verdict now.
    if recorded is not None and recorded.stored and not recorded.detail.pending:
        delivery.renew()
        show_verdict(deps, delivery.client, recorded.detail)


def update_review_message(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Outbox REVIEW_DECIDED / REVIEW_WITHDRAWN: show the verdict on the manager's message."""
    detail = _detail(deps, payload)
    if detail is not None:
        show_verdict(deps, delivery.client, detail)


def show_verdict(deps: Deps, client: WebClient, detail: ReviewDetail) -> None:
    """Show the verdict (or the withdrawal) on the manager's message, buttons gone — at the
    location stored on the review, the only place the bot updates. Not posted yet: nothing
    to do (the request sender shows the verdict once it knows where)."""
    if detail.message_channel is None or detail.message_ts is None:
        return
    try:
        client.chat_update(
            channel=detail.message_channel, ts=detail.message_ts, **review_message(deps, detail)
        )
    except SlackApiError as exc:
        if exc.response.get("error") in MESSAGE_GONE:
            log.info("review %d: message gone (%s)", detail.id, exc.response.get("error"))
            return
        raise


def send_return_to_rep(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the rep (the lead's owner) the manager's reason, with a 記録 button on the lead."""
    detail = _detail(deps, payload)
    if detail is None or detail.state is not ReviewState.RETURNED:
        return
    delivery.post_message(
        channel=detail.rep_slack_user_id, **build_review_returned_dm(detail, tz=deps.settings.tz)
    )
