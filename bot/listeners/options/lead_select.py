"""Options load of the lead picker: the user's open leads matching what they typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks.lead_picker import build_lead_options
from bot.deps import Deps
from bot.listeners.errors import reports_errors
from isops.limits import COMPANY
from isops.services.leads import search_leads
from isops.text import strip_control


@reports_errors
def handle_lead_options(ack: Ack, body: dict[str, Any], deps: Deps) -> None:
    """Answer within Slack's 3 s: one indexed query over the user's (team's) open leads,
    most urgent first when nothing is typed. A non-member gets no options (the decorator's
    answer to a refused options request); the submit says why."""
    # What was typed, as one line without control characters (NUL breaks PostgreSQL) and
    # no longer than the longest company name it could match.
    query = strip_control(str(body.get("value") or ""), single_line=True)[:COMPANY]
    found = search_leads(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        query=query,
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )
    ack(options=build_lead_options(found))
