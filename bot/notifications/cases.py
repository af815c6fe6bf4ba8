"""Outbox senders of the case library: the weekly case post in ISOPS_CASE_CHANNEL and a
target list a manager sent to a rep. Both read the case when sending, so they show it as
it is then."""

from __future__ import annotations

import logging
from typing import Any

from bot.blocks.case_share import build_case_share_post
from bot.blocks.case_targets import build_targets_message
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.errors import IsopsError
from isops.services.cases import case_detail
from isops.services.cases_sharing import KIND_CASE_SHARE
from isops.services.cases_targets import KIND_CASE_TARGETS, targets_for_member

log = logging.getLogger(__name__)


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(KIND_CASE_SHARE, send_case_share)
    outbox.register(KIND_CASE_TARGETS, send_case_targets)


def send_case_share(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Post the week's case in the channel it was queued for (the bot must be a member)."""
    try:
        case = case_detail(deps.uow(), case_id=int(payload["case_id"]))
    except IsopsError as exc:  # gone: nothing to post, and retrying cannot bring it back
        log.info("weekly case %s not posted: %s", payload.get("case_id"), type(exc).__name__)
        return
    delivery.post_message(
        channel=str(payload["channel"]), **build_case_share_post(case, tz=deps.settings.tz)
    )


def send_case_targets(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the rep their target list for the case, as they would see it themselves (not at
    all when the rep left the team or the case is gone: retrying cannot change that)."""
    try:
        view = targets_for_member(
            deps.uow(), case_id=int(payload["case_id"]), member_id=int(payload["member_id"])
        )
    except IsopsError as exc:
        log.info("target list for member %s not sent: %s", payload.get("member_id"), exc)
        return
    message = build_targets_message(view, tz=deps.settings.tz, sent_by=str(payload["sent_by"]))
    message.pop("response_type", None)
    delivery.post_message(channel=str(payload["slack_user_id"]), **message)
