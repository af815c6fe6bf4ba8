"""`/isops team` (admins): the team with roles, managers and away periods, and 変更 buttons."""

from __future__ import annotations

from bot.blocks.manager_team import build_team_list
from bot.deps import CommandCall
from isops.clock import utcnow
from isops.services.team import team_overview


def handle_team(call: CommandCall) -> None:
    """The team for an admin (anyone else is refused by the service)."""
    overview = team_overview(
        call.deps.uow(), slack_user_id=call.user_id, today=call.deps.calendar.local_date(utcnow())
    )
    call.respond(**build_team_list(overview))
