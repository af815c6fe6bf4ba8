"""`/isops team`'s 変更 button (value = member id): the role and manager modal, for admins
(checked from the database by who clicked)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext
from slack_sdk import WebClient

from bot import ids
from bot.blocks.manager_team import build_team_edit_modal
from bot.deps import Deps
from bot.forms.payload_ids import db_id
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.errors import NotFound
from isops.services.team import team_overview

MEMBER_NOT_FOUND = "メンバーが見つかりません"


def register(app: App, deps: Deps) -> None:
    app.action(ids.TEAM_EDIT_BUTTON)(handle_team_edit)


@reports_errors
def handle_team_edit(
    ack: Ack, body: dict[str, Any], client: WebClient, context: BoltContext
) -> None:
    ack()
    deps = Deps.of(context)
    member_id = db_id((body.get("actions") or [{}])[0].get("value"), refusal=MEMBER_NOT_FOUND)
    overview = team_overview(
        deps.uow(), slack_user_id=body["user"]["id"], today=deps.calendar.local_date(utcnow())
    )
    member = overview.get(member_id)
    if member is None:
        raise NotFound(MEMBER_NOT_FOUND)
    client.views_open(trigger_id=body["trigger_id"], view=build_team_edit_modal(member, overview))
