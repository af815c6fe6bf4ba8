"""Button, menu and select listeners (`block_actions`), by action_id; Bolt runs the first match."""

from __future__ import annotations

from slack_bolt import App

from bot import ids
from bot.listeners.actions import (
    cases,
    handoffs,
    home_reports,
    lead_picked,
    log_button,
    log_form,
    quick_log,
    reassign,
    reschedule,
    reviews,
    team,
)


def register(app: App) -> None:
    # 対応不要 reviews: 承認 / 差し戻し on the manager's message.
    app.action(ids.REVIEW_APPROVE_BUTTON)(reviews.handle_review_approve)
    app.action(ids.REVIEW_RETURN_BUTTON)(reviews.handle_review_return)
    app.action(ids.REVIEW_REAPPROACH_CHECKBOX)(reviews.handle_reapproach_toggle)
    # The log modal: opened from a 記録 button, then redrawn as the rep fills it in.
    app.action(log_button.LOG_BUTTON_PATTERN)(log_button.handle_log_button)
    app.action(ids.LEAD_SELECT)(lead_picked.handle_lead_picked)
    app.action(ids.LOG_STATUS_BLOCK)(log_form.handle_status_chosen)
    app.action(log_form.QUICK_DATE_PATTERN)(log_form.handle_quick_date)
    app.action(ids.LOG_SWITCH_CHANNEL)(log_form.handle_channel_switch)
    # The rep's lists: 振り分け, one-tap logging, its undo, the list modal.
    app.action(ids.RESCHEDULE_OVERDUE_BUTTON)(reschedule.handle_reschedule_overdue)
    app.action(quick_log.QUICK_LOG_PATTERN)(quick_log.handle_quick_log)
    app.action(ids.UNDO_BUTTON)(quick_log.handle_undo)
    app.action(ids.LIST_OPEN_BUTTON)(quick_log.handle_open_list)
    # The case library.
    app.action(cases.DETAIL_PATTERN)(cases.handle_case_detail)
    app.action(ids.CASE_EDIT_BUTTON)(cases.handle_case_edit)
    app.action(ids.CASE_ADD_BUTTON)(cases.handle_case_add)
    app.action(ids.CASE_ADD_CHAIN_BUTTON)(cases.handle_case_add_chain)
    app.action(cases.SEARCH_PATTERN)(cases.handle_case_search_refine)
    app.action(cases.TARGETS_PICK_PATTERN)(cases.handle_targets_pick)
    app.action(ids.CASE_TARGETS_FOCUS)(cases.handle_targets_focus)
    app.action(ids.CASE_TARGETS_SEND)(cases.handle_targets_send)
    # Hand-off to FS: 受け取りました and the verdict buttons.
    app.action(ids.HANDOFF_ACK_BUTTON)(handoffs.handle_handoff_ack)
    app.action(ids.HANDOFF_VALID_BUTTON)(handoffs.handle_handoff_valid)
    app.action(ids.HANDOFF_INVALID_BUTTON)(handoffs.handle_handoff_invalid)
    app.action(ids.HANDOFF_RESCHEDULE_BUTTON)(handoffs.handle_handoff_reschedule)
    app.action(ids.HANDOFF_RETURN_BUTTON)(handoffs.handle_handoff_return)
    # Managers: 担当を振り替える, the reviews list, Home's reports, the team.
    app.action(ids.REASSIGN_BUTTON)(reassign.handle_reassign_open)
    app.action(ids.MANAGER_OPEN_REVIEWS_BUTTON)(reassign.handle_open_reviews)
    app.action(home_reports.REPORT_BUTTON_PATTERN)(home_reports.handle_home_report)
    app.action(ids.TEAM_EDIT_BUTTON)(team.handle_team_edit)
