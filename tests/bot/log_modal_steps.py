"""A rep's steps inside the log modal over HTTP: a choice that dispatches block_actions (lead,
status), a button (quick date, channel), and the view Slack shows after the bot's
views.update."""

from __future__ import annotations

from typing import Any

from bot import ids
from tests.bot.modal_state import block_id, element, fill
from tests.fake_slack import RecordedCall
from tests.harness import BotHarness


def shown(update: RecordedCall) -> dict[str, Any]:
    """The view as Slack shows it after a views.update (its id and new hash included)."""
    assert update.response["ok"], update.response
    return dict(update.response["view"])


def choose(
    bot: BotHarness, view: dict[str, Any], base: str, value: str, *, user_id: str, **typed: Any
) -> RecordedCall:
    """Choose `value` in the dispatching select `base` (typed: what else the rep has typed,
    as `fill` takes it) and return the bot's views.update of the modal."""
    before = len(bot.fake.calls_to("views.update"))
    state = fill(view, **{base: value, **typed})
    chosen = state[block_id(view, base)][element(view, base)["action_id"]]["selected_option"]
    bot.sender.block_actions(
        user_id=user_id,
        view={**view, "state": {"values": state}},
        actions=[
            {
                "action_id": element(view, base)["action_id"],
                "block_id": block_id(view, base),
                "type": element(view, base)["type"],
                "selected_option": chosen,
            }
        ],
    )
    return bot.fake.wait_for("views.update", count=before + 1)[before]


def choose_status(
    bot: BotHarness, view: dict[str, Any], status: int, *, user_id: str, **typed: Any
) -> dict[str, Any]:
    """The rep chooses a status: the modal as it shows afterwards."""
    return shown(choose(bot, view, ids.LOG_STATUS_BLOCK, str(status), user_id=user_id, **typed))


def click(
    bot: BotHarness, view: dict[str, Any], action_id: str, *, user_id: str, **typed: Any
) -> RecordedCall:
    """The rep taps the button `action_id` in the modal: the bot's views.update."""
    before = len(bot.fake.calls_to("views.update"))
    bot.sender.block_actions(
        user_id=user_id,
        view={**view, "state": {"values": fill(view, **typed)}},
        actions=[{"action_id": action_id}],
    )
    return bot.fake.wait_for("views.update", count=before + 1)[before]
