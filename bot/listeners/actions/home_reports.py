"""App Home's report buttons (issue 13 point 4): the report, in the caller's scope from the
database, posted into the bot's DM with the clicker. Home itself is built by bot.home_view."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot import ids
from bot.deps import Deps
from bot.forms.payload_ids import clicked_action
from bot.listeners.commands.reports import deliver_report
from bot.listeners.errors import reports_errors
from isops.services.reports import parse_report_key

REPORT_BUTTON_PATTERN = re.compile(rf"^{re.escape(ids.HOME_REPORT_BUTTON)}:[a-e]$")


@reports_errors
def handle_home_report(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """A report button on Home: the report in the clicker's DM."""
    ack()
    action = clicked_action(body)
    key = parse_report_key(str(action.get("value") or ""))
    user = body["user"]["id"]
    message = deliver_report(deps, client, user_id=user, key=key, target=None)
    client.chat_postMessage(
        channel=user, **{k: v for k, v in message.items() if k != "response_type"}
    )
