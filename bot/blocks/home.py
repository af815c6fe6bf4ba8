"""The App Home tab."""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.blocks.mrkdwn import context, section


def build_home(*, registered: bool) -> dict[str, Any]:
    """Home view: the commands, or how to get registered."""
    commands = "\n".join(f"`{usage}` — {summary}" for usage, summary in texts.SLASH_COMMANDS_HELP)
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": "isops 活動環境"}},
        section(commands + "\n`/isops help` — そのほかのコマンド"),
    ]
    if not registered:
        blocks.append(context(texts.NOT_REGISTERED))
    return {"type": "home", "blocks": blocks}
