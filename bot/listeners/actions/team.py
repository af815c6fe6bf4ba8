"""`/isops team`'s 変更 button (value = member id): the role and manager modal, for admins
(checked from the database by who clicked)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient

from bot.blocks.manager_team import build_team_edit_modal
from bot.deps import Deps
from bot.forms.payload_ids import clicked_action, db_id
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.errors import NotFound
from isops.services.team import TeamMember, TeamOverview, team_overview

MEMBER_NOT_FOUND = "メンバーが見つかりません"


@reports_errors
def handle_team_edit(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    ack()
    overview, member = team_member(
        deps,
        actor=body["user"]["id"],
        member_id=clicked_action(body).get("value"),
        today=deps.calendar.local_date(utcnow()),
    )
    client.views_open(trigger_id=body["trigger_id"], view=build_team_edit_modal(member, overview))


def team_member(
    deps: Deps, *, actor: str, member_id: Any, today: dt.date
) -> tuple[TeamOverview, TeamMember]:
    """The team as the admin `actor` sees it, and its member with the id a payload carries
    (the button's value, the modal's private_metadata)."""
    checked_id = db_id(member_id, refusal=MEMBER_NOT_FOUND)
    overview = team_overview(deps.uow(), slack_user_id=actor, today=today)
    member = overview.get(checked_id)
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    return overview, member
