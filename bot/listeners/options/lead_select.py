"""Options load of the lead picker: the user's open leads matching what they typed."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot import ids
from bot.blocks.log_modal import build_lead_options
from bot.deps import Deps
from isops.errors import NotAllowed, NotFound
from isops.services.leads import search_leads


def register(app: App, deps: Deps) -> None:
    @app.options(ids.LEAD_SELECT)
    def handle_lead_options(ack: Ack, body: dict[str, Any]) -> None:
        """Answer within Slack's 3 s: one indexed query over the user's (team's) open leads,
        most urgent first when nothing is typed."""
        try:
            found = search_leads(
                deps.uow(),
                slack_user_id=body["user"]["id"],
                query=str(body.get("value") or ""),
                calendar=deps.calendar,
                targets=deps.settings.targets,
            )
        except (NotFound, NotAllowed):
            # Not (or no longer) a member: nothing to pick; the submit says why.
            ack(options=[])
            return
        ack(options=build_lead_options(found))
