"""Submitting the log modal: validate, record in one transaction, confirm to the rep."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks.log_5c2m import ConfirmMetadata, build_5c2m_confirmation
from bot.deps import Deps
from bot.forms.handoff import errors_for_log_view, parse_handoff_section
from bot.forms.log import LogMetadata, parse_log_form, raw_values
from bot.forms.payload_ids import view_id
from bot.listeners.actions.log_form import log_modal_view
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.services.actions import NeedsConfirmation, record_action
from isops.services.handoffs import NeedsHandoff, handoff_step


@reports_errors
def handle_log_submission(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps) -> None:
    """Save the action and the four fields, or answer with inline errors (nothing saved),
    the 5C2M confirmation pushed on top or, for status 5 without it yet, the hand-off section
    (saved with the action); the same view submitted twice records one action."""
    meta = LogMetadata.load(view.get("private_metadata"))
    parsed = parse_log_form(view)
    handoff = parse_handoff_section(view)
    if parsed.form is None or handoff.errors:
        ack(response_action="errors", errors={**parsed.errors, **handoff.errors})
        return
    form = parsed.form
    user_id = body["user"]["id"]
    try:
        result = record_action(
            deps.uow(),
            slack_user_id=user_id,
            lead_id=form.lead_id,
            channel=form.channel,
            outcome=form.outcome,
            status=form.status,
            priority=form.priority,
            next_action_date=form.next_action_date,
            memo=form.memo,
            reason_code=form.reason_code,
            reason_memo=form.reason_memo,
            shown=meta.shown.to_domain() if meta.shown else None,
            # このまま申請する in the 5C2M confirmation (rule 4).
            confirmed_incomplete_5c2m=meta.confirm,
            acted_at=form.acted_at,
            # Slack's view id: a double click or a retry of this modal is one action.
            idempotency_key=f"slack_view:{view_id(view)}",
            reply_to=meta.reply_to,
            # Status 5: the hand-off to FS, in the same transaction (issue 12).
            then=handoff_step(
                handoff.handoff,
                slack_user_id=user_id,
                settings=deps.settings,
                calendar=deps.calendar,
            ),
            settings=deps.settings,
            calendar=deps.calendar,
        )
    except InvalidInput as exc:
        ack(response_action="errors", errors=errors_for_log_view(view, exc.field_errors))
        return
    except (NotFound, NotAllowed) as exc:  # e.g. no longer a member
        ack(response_action="errors", errors=errors_for_log_view(view, {"lead": str(exc)}))
        return
    except NeedsConfirmation as exc:
        # The rep answers on a small view over this one; the modal stays as typed.
        cv_at = exc.cv_at or utcnow()
        days = (deps.calendar.local_date(utcnow()) - deps.calendar.local_date(cv_at)).days
        confirm = ConfirmMetadata(parent_view_id=view_id(view), log=meta)
        ack(
            response_action="push",
            view=build_5c2m_confirmation(exc.gap, days_since_cv=max(0, days), metadata=confirm),
        )
        return
    except NeedsHandoff:  # the same modal (what was typed kept) with the hand-off section
        modal, _ = log_modal_view(
            deps, user_id=user_id, meta=meta, lead_id=form.lead_id, values=raw_values(view)
        )
        ack(response_action="update", view=modal)
        return
    if meta.pushed:
        ack(response_action="clear")  # close the modal it was pushed over as well
    else:
        ack()
    if not result.duplicate:
        deps.wake_outbox()  # the confirmation was queued with the action
