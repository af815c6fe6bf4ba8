"""`/isops handoffs`: hand-offs to FS as the caller's role sees them (issue 12)."""

from __future__ import annotations

from slack_bolt import App

from bot.blocks.handoff_list import build_handoff_list
from bot.deps import CommandCall, Deps
from isops.calendar import member_zone
from isops.clock import utcnow
from isops.services.handoff_reports import handoffs_for
from isops.services.members import find_member


def register(app: App, deps: Deps) -> None:
    deps.subcommands.add(
        "handoffs",
        usage="/isops handoffs",
        summary="FS への引き継ぎ: FS は評価待ちと予定の商談、担当は自分の引き継ぎ、"
        "マネージャーはチームの分",
        handler=handle_handoffs,
    )


def handle_handoffs(call: CommandCall) -> None:
    """The caller's hand-offs (ephemeral); an FS can give the verdicts they owe from it. A
    non-member is told why not by the `/isops` listener's `reports_errors`."""
    deps = call.deps
    listing = handoffs_for(deps.uow(), slack_user_id=call.user_id, now=utcnow())
    member = find_member(deps.uow(), slack_user_id=call.user_id)
    tz = member_zone(member.timezone if member else None, deps.settings.tz)
    call.respond(**build_handoff_list(listing, tz=tz))
