"""The "記録" button any message may carry: opens the log modal with its lead preselected."""

from __future__ import annotations

from typing import Any, Literal

from bot import ids, texts
from bot.blocks.mrkdwn import plain


def build_log_button(
    lead_id: int,
    *,
    text: str = texts.LOG_BUTTON,
    distinct: bool = False,
    style: Literal["primary", "danger"] | None = None,
) -> dict[str, Any]:
    """A button element (for an actions block or a section accessory); value = lead id.

    Slack wants action_ids unique within a block: pass `distinct=True` to put several of
    these in one actions block (action_id `lead.log:<id>`; the listener accepts both).
    Who may log is decided from the database by who clicks, never from this value."""
    button: dict[str, Any] = {
        "type": "button",
        "action_id": f"{ids.LOG_LEAD_BUTTON}:{lead_id}" if distinct else ids.LOG_LEAD_BUTTON,
        "text": plain(text, 75),
        "value": str(lead_id),
    }
    if style is not None:
        button["style"] = style
    return button
