"""`/isops import`: an admin pastes a CSV of leads into a modal (the CLI takes whole files)."""

from __future__ import annotations

from bot.blocks.lead_intake import build_import_modal
from bot.deps import CommandCall
from isops.csvio import authorize_import


def handle_import_command(call: CommandCall) -> None:
    """Open the paste-a-CSV modal for an admin; anyone else is told why not."""
    authorize_import(call.deps.uow(), slack_user_id=call.user_id)
    call.client.views_open(trigger_id=call.trigger_id, view=build_import_modal())
