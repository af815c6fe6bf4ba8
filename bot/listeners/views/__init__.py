"""Modal listeners (`view_submission`, `view_closed`), by the view's callback_id."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.listeners.views import (
    cases,
    handoffs,
    lead_create,
    leads_import,
    log_action,
    log_confirm,
    reassign,
    review_return,
    team,
)


def register(app: App) -> None:
    app.view(ids.REVIEW_RETURN_VIEW)(review_return.handle_review_return_submission)
    # Logging a touch, its 5C2M confirmation (closing it means 架電を続ける), /lead.
    app.view(ids.LOG_VIEW)(log_action.handle_log_submission)
    app.view(ids.LOG_5C2M_VIEW)(log_confirm.handle_5c2m_confirmed)
    app.view_closed(ids.LOG_5C2M_VIEW)(log_confirm.handle_5c2m_declined)
    app.view(ids.LEAD_CREATE_VIEW)(lead_create.handle_lead_submission)
    app.view(ids.LEADS_IMPORT_VIEW)(leads_import.handle_leads_import_submission)
    app.view(ids.CASE_EDIT_VIEW)(cases.handle_case_submission)
    app.view(ids.CASE_SEARCH_VIEW)(cases.handle_case_search_submission)
    # FS's verdict modals: 無効, リスケ, IS に戻す.
    app.view(ids.HANDOFF_INVALID_VIEW)(handoffs.handle_invalid_submission)
    app.view(ids.HANDOFF_RESCHEDULE_VIEW)(handoffs.handle_reschedule_submission)
    app.view(ids.HANDOFF_RETURN_VIEW)(handoffs.handle_return_submission)
    app.view(ids.REASSIGN_VIEW)(reassign.handle_reassign_submission)
    app.view(ids.TEAM_EDIT_VIEW)(team.handle_team_edit_submission)
