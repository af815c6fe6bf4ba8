"""`/log-call [検索語]` and `/log-mail [検索語]`: open the log modal within Slack's 3 seconds."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks.log_modal import build_log_modal_for
from bot.deps import Deps
from bot.forms.log import Mode
from bot.listeners.errors import tell_user
from isops.errors import IsopsError
from isops.services.leads import start_log


def register(app: App, deps: Deps) -> None:
    def open_log_modal(
        command: dict[str, Any], respond: Respond, client: WebClient, mode: Mode
    ) -> None:
        # One indexed lookup (the command text may name exactly one lead), then views.open:
        # the trigger_id expires 3 s after the click.
        try:
            start = start_log(
                deps.uow(),
                slack_user_id=command["user_id"],
                query=command.get("text") or "",
                calendar=deps.calendar,
                targets=deps.settings.targets,
            )
        except IsopsError as exc:  # e.g. not a member (see bot.listeners.errors)
            tell_user(exc, body=command, respond=respond, client=client)
            return
        view = build_log_modal_for(
            start,
            mode=mode,
            reply_to=command.get("channel_id"),
            reason_codes=deps.settings.reason_codes,
            focus_max_days=deps.settings.focus_max_days,
        )
        client.views_open(trigger_id=command["trigger_id"], view=view)

    @app.command("/log-call")
    def handle_log_call(
        ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """Open the modal that records a call (a lead matching the text is preselected)."""
        ack()
        open_log_modal(command, respond, client, "call")

    @app.command("/log-mail")
    def handle_log_mail(
        ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        """Open the modal that records a mail (a lead matching the text is preselected)."""
        ack()
        open_log_modal(command, respond, client, "mail")
