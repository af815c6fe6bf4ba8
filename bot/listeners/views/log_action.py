"""Submitting the log modal: validate, record in one transaction, confirm to the rep."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import ids
from bot.blocks.handoff_modals import with_handoff_section
from bot.blocks.log_modal import SelectedLead, build_log_modal
from bot.deps import Deps
from bot.forms.handoff import errors_for_log_view, parse_handoff_section
from bot.forms.log import LogForm, LogMetadata, parse_log_form, raw_values
from bot.forms.payload_ids import view_id
from bot.forms.state import selected_option
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.services.actions import NeedsConfirmation, record_action
from isops.services.handoffs import NeedsHandoff, handoff_step


def register(app: App, deps: Deps) -> None:
    app.view(ids.LOG_VIEW)(handle_log_submission)


@reports_errors
def handle_log_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], context: BoltContext
) -> None:
    """Save the action and the four fields, or answer with inline errors (nothing saved),
    the 5C2M confirmation or, for status 5, the hand-off to FS (saved with the action); the
    same view submitted twice records one action."""
    deps = Deps.of(context)
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
            confirmed_incomplete_5c2m=form.confirmed,
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
        if meta.confirm:  # asked already, box not ticked
            ack(response_action="errors", errors=errors_for_log_view(view, {"confirm": str(exc)}))
            return
        confirming = meta.model_copy(update={"confirm": True})
        ack(
            response_action="update",
            view=_same_modal(view, confirming, form, deps, confirm_gap=exc.gap.label()),
        )
        return
    except NeedsHandoff as exc:  # the same modal (what was typed kept) + the hand-off section
        today = deps.calendar.local_date(utcnow())
        ack(
            response_action="update",
            view=with_handoff_section(
                _same_modal(view, meta, form, deps), exc.fs_members, today=today
            ),
        )
        return
    if meta.pushed:
        ack(response_action="clear")  # close the modal it was pushed over as well
    else:
        ack()
    if not result.duplicate:
        deps.wake_outbox()  # the confirmation was queued with the action


def _same_modal(
    view: dict[str, Any],
    meta: LogMetadata,
    form: LogForm,
    deps: Deps,
    confirm_gap: str | None = None,
) -> dict[str, Any]:
    """The submitted modal rebuilt with what was typed (for `response_action: update`)."""
    option = selected_option(view, ids.LOG_LEAD_BLOCK) or {}
    text = str((option.get("text") or {}).get("text") or form.lead_id)
    return build_log_modal(
        meta=meta,
        selected=SelectedLead(id=form.lead_id, text=text),
        values=raw_values(view),
        reason_codes=deps.settings.reason_codes,
        focus_max_days=deps.settings.focus_max_days,
        confirm_gap=confirm_gap,
    )
