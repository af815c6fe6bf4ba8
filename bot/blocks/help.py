"""The `/isops help` message."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot import texts
from bot.blocks.mrkdwn import section


def build_help(subcommands: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Every slash command and `/isops` sub-command with one line each."""
    lines = [texts.HELP_HEADER, ""]
    lines += [f"`{usage}` — {summary}" for usage, summary in texts.SLASH_COMMANDS_HELP]
    lines += [f"`{usage}` — {summary}" for usage, summary in subcommands]
    text = "\n".join(lines)
    return {"text": text, "blocks": [section(text)], "response_type": "ephemeral"}
