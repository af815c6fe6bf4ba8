"""Submitting the case modals: save a case (inline errors, nothing half-saved), or search."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack

from bot.blocks.case_card import build_case_detail_modal
from bot.blocks.case_search import build_case_search_modal
from bot.deps import Deps
from bot.forms.cases import CaseEditMeta, draft_from_view, errors_for_case_view, filters_from_view
from bot.forms.payload_ids import view_id
from bot.listeners.errors import reports_errors
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.services.cases import create_case, update_case
from isops.services.cases_search import search_cases

SAVED = "✅ 保存しました。`/case` で検索でき、業種の合うリードの記録画面に表示されます。"


@reports_errors
def handle_case_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """Add or update the case; bad input comes back on its input and nothing is saved; the
    saved case replaces the form. The same add submitted twice adds one case."""
    meta = CaseEditMeta.load(view.get("private_metadata"))
    parsed = draft_from_view(view, meta.chains)
    if parsed.errors:
        ack(response_action="errors", errors=parsed.errors)
        return
    user_id = body["user"]["id"]
    try:
        if meta.case_id is None:
            saved = create_case(
                deps.uow(),
                slack_user_id=user_id,
                draft=parsed.draft,
                idempotency_key=f"slack_view:{view_id(view)}",
            )
        else:
            saved = update_case(
                deps.uow(),
                slack_user_id=user_id,
                case_id=meta.case_id,
                draft=parsed.draft,
                revision=meta.revision or 0,
            )
    except InvalidInput as exc:
        ack(response_action="errors", errors=errors_for_case_view(view, exc.field_errors))
        return
    except (NotFound, NotAllowed, Conflict) as exc:
        ack(response_action="errors", errors=errors_for_case_view(view, {"title": str(exc)}))
        return
    ack(
        response_action="update",
        view=build_case_detail_modal(saved.case, tz=deps.settings.tz, notice=SAVED),
    )


@reports_errors
def handle_case_search_submission(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], deps: Deps
) -> None:
    """検索: the hits for the filters as they are, in place (the modal stays open)."""
    search = search_cases(
        deps.uow(), slack_user_id=body["user"]["id"], filters=filters_from_view(view)
    )
    ack(response_action="update", view=build_case_search_modal(search))
