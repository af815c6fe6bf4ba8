"""`/isops handoffs`: hand-offs to FS as the caller's role sees them (issue 12)."""

from __future__ import annotations

from bot.blocks.handoff_list import build_handoff_list
from bot.deps import CommandCall
from isops.calendar import member_zone
from isops.clock import utcnow
from isops.services.handoff_reports import handoffs_for
from isops.services.members import find_member


def handle_handoffs(call: CommandCall) -> None:
    """The caller's hand-offs (ephemeral); an FS can give the verdicts they owe from it. A
    non-member is told why not by the `/isops` listener's `reports_errors`."""
    deps = call.deps
    listing = handoffs_for(deps.uow(), slack_user_id=call.user_id, now=utcnow())
    member = find_member(deps.uow(), slack_user_id=call.user_id)
    tz = member_zone(member.timezone if member else None, deps.settings.tz)
    call.respond(**build_handoff_list(listing, tz=tz))
