"""Submitting /lead: register the lead, or show the existing one it duplicates."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks.lead_modal import build_lead_result
from bot.deps import Deps
from bot.forms.lead import LeadMetadata, errors_for_view, parse_lead_form
from bot.forms.payload_ids import view_id
from bot.listeners.errors import reports_errors
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.services.lead_registration import register_lead


@reports_errors
def handle_lead_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """Create the lead (the same view twice creates one) and show it in place; a duplicate
    (same e-mail, or same company + contact) shows the existing lead."""
    meta = LeadMetadata.load(view.get("private_metadata"))
    parsed = parse_lead_form(view)
    if parsed.form is None:
        ack(response_action="errors", errors=parsed.errors)
        return
    form = parsed.form
    zone = meta.zone()
    try:
        registration = register_lead(
            deps.uow(),
            slack_user_id=body["user"]["id"],
            company=form.company,
            contact_name=form.contact_name,
            title=form.title,
            role_level=form.role_level,
            industry=form.industry,
            email=form.email,
            phone=form.phone,
            source=form.source,
            cv_at=form.cv_at(zone),
            owner_slack_user_id=form.owner,
            inbound_sources=deps.settings.inbound_sources,
            idempotency_key=f"slack_view:{view_id(view)}",
            tz=deps.calendar.tz,
        )
    except InvalidInput as exc:
        ack(response_action="errors", errors=errors_for_view(view, exc.field_errors))
        return
    except (NotFound, NotAllowed) as exc:
        ack(response_action="errors", errors=errors_for_view(view, {"company": str(exc)}))
        return
    ack(response_action="update", view=build_lead_result(registration, zone=zone))
    deps.wake_outbox()  # the owner's Home lists the new lead
