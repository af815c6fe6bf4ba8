"""The FS's verdict modals submitted (issue 12): ❌ 有効商談ではない, 📅 日程変更, ↩️ IS に戻す.

Bad input stays in the modal as inline errors and nothing is saved. Decided meanwhile (two
clicks at once: one wins), or no longer allowed: the modal is replaced by why. The
private_metadata is trusted with nothing but which hand-off (and whether an admin is
changing a verdict, which the service checks against the database)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot import ids
from bot.blocks.handoff_modals import build_handoff_notice_modal
from bot.deps import Deps
from bot.forms.handoff import VerdictContext, VerdictForm, verdict_errors
from bot.listeners.errors import reports_errors
from isops.enums import HandoffVerdict
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.services.handoff_verdicts import decide_handoff, reschedule_handoff

TITLES = {
    ids.HANDOFF_INVALID_VIEW: "有効商談ではない",
    ids.HANDOFF_RESCHEDULE_VIEW: "日程変更",
    ids.HANDOFF_RETURN_VIEW: "IS に戻す",
}


def _submit(ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps, kind: str) -> None:
    user = body["user"]["id"]
    try:
        meta = VerdictContext.load(view.get("private_metadata"))
        form = VerdictForm.from_view(view)
        if kind == ids.HANDOFF_RESCHEDULE_VIEW:
            reschedule_handoff(
                deps.uow(),
                handoff_id=meta.handoff_id,
                slack_user_id=user,
                meeting_date=form.meeting_date,
                meeting_time=form.meeting_time,
                settings=deps.settings,
                calendar=deps.calendar,
            )
        else:
            returned = kind == ids.HANDOFF_RETURN_VIEW
            decide_handoff(
                deps.uow(),
                handoff_id=meta.handoff_id,
                slack_user_id=user,
                verdict=HandoffVerdict.RETURNED if returned else HandoffVerdict.INVALID,
                reason=None if returned else form.reason,
                comment=form.comment,
                next_action_date=form.next_action_date if returned else None,
                change=meta.change,
                settings=deps.settings,
                calendar=deps.calendar,
            )
    except InvalidInput as exc:
        ack(response_action="errors", errors=verdict_errors(exc.field_errors, view))
        return
    except (Conflict, NotAllowed, NotFound) as exc:
        ack(
            response_action="update",
            view=build_handoff_notice_modal(kind, TITLES[kind], str(exc)),
        )
        return
    ack()
    deps.wake_outbox()  # the FS's messages are updated and the rep is told


@reports_errors
def handle_invalid_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """❌ submitted: the reason (and comment) recorded, or why not in place."""
    _submit(ack, body, view, deps, ids.HANDOFF_INVALID_VIEW)


@reports_errors
def handle_reschedule_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """📅 submitted: the meeting and its verdict request move, or why not in place."""
    _submit(ack, body, view, deps, ids.HANDOFF_RESCHEDULE_VIEW)


@reports_errors
def handle_return_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """↩️ submitted: the lead goes back to the rep as status 3, or why not in place."""
    _submit(ack, body, view, deps, ids.HANDOFF_RETURN_VIEW)
