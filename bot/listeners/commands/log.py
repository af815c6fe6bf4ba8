"""`/log-call [検索語]` and `/log-mail [検索語]`: open the log modal within Slack's 3 seconds."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.log_modal import build_log_modal_for
from bot.deps import Deps
from bot.forms.log import Mode
from bot.listeners.errors import reports_errors
from isops.services.leads import start_log
from isops.text import strip_control

# Each command and the channel its modal records.
MODES: dict[str, Mode] = {"/log-call": "call", "/log-mail": "mail"}


@reports_errors
def handle_log_command(ack: Ack, command: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """Open the modal that records a call (/log-call) or a mail (/log-mail); a lead matching
    the text is preselected."""
    ack()
    open_log_modal(deps, command, client, MODES[command["command"]])


def open_log_modal(deps: Deps, command: dict[str, Any], client: WebClient, mode: Mode) -> None:
    """One indexed lookup (the command text may name exactly one lead), then views.open:
    the trigger_id expires 3 s after the click."""
    start = start_log(
        deps.uow(),
        slack_user_id=command["user_id"],
        query=strip_control(command.get("text") or "", single_line=True),
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )
    view = build_log_modal_for(
        start,
        mode=mode,
        reply_to=command.get("channel_id"),
        reason_codes=deps.settings.reason_codes,
        focus_max_days=deps.settings.focus_max_days,
    )
    client.views_open(trigger_id=command["trigger_id"], view=view)
