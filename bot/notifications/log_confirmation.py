"""Sends the rep's confirmation after a logged action (outbox kind `action_logged`)."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.log_confirmation import build_log_confirmation
from bot.deps import Deps
from bot.ids import HOME_SURFACE
from bot.outbox import Delivery, OutboxDispatcher
from isops.services.action_results import ACTION_LOGGED, ActionResult

# The channel cannot take an ephemeral message from us (not a member, private, archived):
# the rep still gets the confirmation, as a DM.
_DM_INSTEAD = frozenset(
    {"channel_not_found", "not_in_channel", "is_archived", "user_not_in_channel"}
)


def send_log_confirmation(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Ephemeral where the rep logged from — a channel, or the DM with the bot (the morning
    DM's conversation: no new message in it); nothing from App Home, whose refresh shows the
    touch; a DM when it is unknown (a modal over a modal) or the channel refuses us.

    The DM is exactly once; an ephemeral message cannot be looked up afterwards, so one whose
    answer was lost is shown again (ephemeral: seen once in the channel, gone on reload)."""
    result = ActionResult.model_validate(payload["result"])
    user = str(payload["slack_user_id"])
    reply_to = payload.get("reply_to")
    if reply_to == HOME_SURFACE:
        return
    message = build_log_confirmation(result)
    if reply_to:
        try:
            delivery.post_ephemeral(channel=str(reply_to), user=user, **message)
            return
        except SlackApiError as exc:
            if exc.response.get("error") not in _DM_INSTEAD:
                raise
    # chat.postMessage to a user id posts in the app's DM with them.
    delivery.post_message(channel=user, **message)


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(ACTION_LOGGED, send_log_confirmation)
