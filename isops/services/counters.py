"""Keeps a lead's action counters in step with its actions (same transaction)."""

from __future__ import annotations

from isops.enums import Channel
from isops.models import Action, Lead
from isops.rules import Targets, counts_as_early


def apply_action_to_lead(lead: Lead, action: Action, targets: Targets) -> None:
    """Update the denormalised counters of `lead` for a newly added `action`."""
    if action.channel == Channel.CALL:
        lead.call_count += 1
    elif action.channel == Channel.MAIL:
        lead.mail_count += 1
    if counts_as_early(lead.cv_at, action.acted_at, targets):
        lead.early_action_count += 1
    if lead.first_action_at is None or action.acted_at < lead.first_action_at:
        lead.first_action_at = action.acted_at
    if lead.last_action_at is None or action.acted_at >= lead.last_action_at:
        lead.last_action_at = action.acted_at
        lead.last_outcome = action.outcome
