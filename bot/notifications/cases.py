"""Outbox senders of the case library: the weekly case post in ISOPS_CASE_CHANNEL and a
target list a manager sent to a rep. Both read the case when sending, so they show it as
it is then."""

from __future__ import annotations

from typing import Any

from bot.blocks.case_share import build_case_share_post
from bot.blocks.case_targets import build_targets_message
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.services.cases import case_detail
from isops.services.cases_sharing import KIND_CASE_SHARE
from isops.services.cases_targets import KIND_CASE_TARGETS, targets_for_member


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(KIND_CASE_SHARE, send_case_share)
    outbox.register(KIND_CASE_TARGETS, send_case_targets)


def send_case_share(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Post the week's case in the channel it was queued for (the bot must be a member)."""
    case = case_detail(deps.uow(), case_id=int(payload["case_id"]))
    delivery.post_message(
        channel=str(payload["channel"]), **build_case_share_post(case, tz=deps.settings.tz)
    )


def send_case_targets(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the rep their target list for the case, as they would see it themselves."""
    view = targets_for_member(
        deps.uow(), case_id=int(payload["case_id"]), member_id=int(payload["member_id"])
    )
    message = build_targets_message(view, tz=deps.settings.tz, sent_by=str(payload["sent_by"]))
    message.pop("response_type", None)
    delivery.post_message(channel=str(payload["slack_user_id"]), **message)
