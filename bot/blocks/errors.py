"""What the person who acted is told when their request is refused or fails."""

from __future__ import annotations

from typing import Any

from bot.blocks.mrkdwn import MAX_FALLBACK_TEXT, MAX_SECTION_TEXT, escape, plain, truncate


def build_error_reply(message: str) -> dict[str, Any]:
    """The message shown as plain text (a domain message may quote what someone typed, and
    plain text can neither format nor mention), and escaped as the notification text."""
    return {
        "text": truncate(escape(message), MAX_FALLBACK_TEXT),
        "blocks": [{"type": "section", "text": plain(truncate(message, MAX_SECTION_TEXT))}],
    }
