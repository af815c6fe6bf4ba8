"""App Home's part for managers and reps (issue 13 point 4), and its report buttons.

`home_extra_blocks` is what `app_home` adds to the Home view; a report button posts that report
(the caller's scope, from the database) into the bot's DM with the clicker."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import ids
from bot.blocks.manager_home import build_home_extra_blocks
from bot.deps import Deps
from bot.listeners.commands.reports import deliver_report
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.services.reports import parse_report_key
from isops.services.scorecard_home import home_overview


def register(app: App, deps: Deps) -> None:
    app.action(re.compile(rf"^{re.escape(ids.HOME_REPORT_BUTTON)}:[a-e]$"))(handle_home_report)


def home_extra_blocks(deps: Deps, slack_user_id: str, *, budget: int) -> list[dict[str, Any]]:
    overview = home_overview(
        deps.uow_factory,
        slack_user_id=slack_user_id,
        now=utcnow(),
        settings=deps.settings,
        calendar=deps.calendar,
    )
    return build_home_extra_blocks(
        overview,
        tz=deps.settings.tz,
        reapproach_months=deps.settings.reapproach_months,
        budget=budget,
    )


@reports_errors
def handle_home_report(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    """A report button on Home: the report in the clicker's DM."""
    ack()
    action = (body.get("actions") or [{}])[0]
    key = parse_report_key(str(action.get("value") or ""))
    user = body["user"]["id"]
    message = deliver_report(Deps.of(context), client, user_id=user, key=key, target=None)
    client.chat_postMessage(
        channel=user, **{k: v for k, v in message.items() if k != "response_type"}
    )
