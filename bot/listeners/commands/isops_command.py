"""`/isops <sub-command>`: help and the sub-commands features register."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import texts
from bot.blocks.help import build_help
from bot.blocks.mrkdwn import escape
from bot.deps import CommandCall, Deps
from bot.listeners.errors import reports_errors
from isops.text import strip_control


@reports_errors
def handle_isops(
    ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient, deps: Deps
) -> None:
    """Route `/isops name args` to the registered sub-command; `help` lists them all.

    A sub-command's domain errors reach the user through `reports_errors`; its arguments
    come without control characters (NUL has no business in a query)."""
    ack()
    text = strip_control(command.get("text") or "", single_line=True)
    name, _, args = text.strip().partition(" ")
    name = name.lower() or "help"
    if name == "help":
        listed = [(s.usage, s.summary) for s in deps.subcommands.by_name.values()]
        respond(**build_help(listed))
        return
    sub = deps.subcommands.by_name.get(name)
    if sub is None:
        respond(text=texts.UNKNOWN_SUBCOMMAND.format(name=escape(name)))
        return
    sub.handler(
        CommandCall(
            deps=deps,
            user_id=command["user_id"],
            channel_id=command.get("channel_id", ""),
            args=args.strip(),
            trigger_id=command.get("trigger_id", ""),
            respond=respond,
            client=client,
        )
    )
