"""Every action_id, callback_id and block_id, shared by builders and listeners.

Buttons carry only which thing was clicked (a lead or review id); who may act is always
decided from the database by who clicked.
"""

from __future__ import annotations

# "記録" button on any message (morning DM, assignment DM, returned review): value = lead id.
LOG_LEAD_BUTTON = "lead.log"

# The log modal (/log-call, /log-mail, 記録 button).
LOG_VIEW = "log_action"
LEAD_SELECT = "lead_select"  # external_select over the user's leads (options load)

# /lead registration modal.
LEAD_CREATE_VIEW = "lead_create"

# Manager review of status 4/6 (value = review id).
REVIEW_APPROVE_BUTTON = "review.approve"
REVIEW_RETURN_BUTTON = "review.return"
REVIEW_RETURN_VIEW = "review_return"

# Lists (focus section): move overdue next action dates to upcoming business days.
RESCHEDULE_OVERDUE_BUTTON = "reminder.reschedule_overdue"

# One-tap logging on every list item (issue 11): an overflow menu `lead.quick` whose option
# values are "<lead id>:<choice>:<version>", or buttons `lead.quick:<choice>` with the same
# values (the new-lead DM). Choices: absent, voicemail, mail (logged at once), connected and
# detail (open the log modal). Undo: `lead.undo`, value = action id.
QUICK_LOG_MENU = "lead.quick"
UNDO_BUTTON = "lead.undo"
# Where a log modal opened from App Home "replies": nowhere — the Home it came from is
# re-published with the touch at its top (a `reply_to` value, beside channel ids).
HOME_SURFACE = "HOME"
# The whole list in a modal (「一覧を開く」, 「すべて表示」): value = a section key or "all".
LIST_OPEN_BUTTON = "list.open"
LIST_VIEW = "lead_list"
# Block ids of list items: the morning DM's 今日まず items, and every other list's items.
FIRST_ITEM_BLOCK = "first"  # "first:<lead id>"
LIST_ITEM_BLOCK = "item"  # "item:<lead id>"

# Manager review messages: the actions block of review N is "review_actions:N" (one message
# may list several reviews); on status-6 reviews a ticked checkbox sets the re-approach date.
REVIEW_ACTIONS_BLOCK = "review_actions"
REVIEW_REAPPROACH_CHECKBOX = "review.reapproach"
# The return modal's inputs (block_id and action_id alike).
REVIEW_RETURN_REASON = "review_return.reason"
REVIEW_RETURN_NEXT_DATE = "review_return.next_action_date"
REVIEW_RETURN_PRIORITY = "review_return.priority"

# Log modal blocks. The lead-dependent ones (status, priority, date, memo) get "~<lead id>"
# appended (`versioned`), because Slack keeps a block's typed state across views.update and
# ignores new initial values unless the block_id changes (bolt-js#290).
LOG_LEAD_BLOCK = "log_lead"
LOG_OUTCOME_BLOCK = "log_outcome"
LOG_STATUS_BLOCK = "log_status"
LOG_PRIORITY_BLOCK = "log_priority"
LOG_NEXT_DATE_BLOCK = "log_next_date"
LOG_MEMO_BLOCK = "log_memo"
LOG_REASON_BLOCK = "log_reason"  # shown while 4 or 6 is chosen
LOG_REASON_MEMO_BLOCK = "log_reason_memo"
LOG_ACTED_AT_BLOCK = "log_acted_at"  # 実施日時 of a touch logged late (empty: now)
# The status dispatches block_actions (action_id LOG_STATUS_BLOCK): 4/6 show the reasons,
# 5 the hand-off section. Beside the date: quick choices "log.quick_date:<QuickDate value>"
# (value = the ISO date); and the button that switches between call and mail outcomes.
LOG_QUICK_DATES_BLOCK = "log_quick_dates"
LOG_QUICK_DATE = "log.quick_date"
LOG_CHANNEL_BLOCK = "log_channel"
LOG_SWITCH_CHANNEL = "log.switch_channel"  # value = the channel to switch to
# The small view pushed when 4 is chosen with 5C2M incomplete: submit = このまま申請する,
# close = 架電を続ける (notify_on_close: the log modal's status goes back).
LOG_5C2M_VIEW = "log_confirm_5c2m"

# /lead modal blocks.
LEAD_COMPANY_BLOCK = "lead_company"
LEAD_CONTACT_BLOCK = "lead_contact"
LEAD_TITLE_BLOCK = "lead_title"
LEAD_ROLE_LEVEL_BLOCK = "lead_role_level"
LEAD_INDUSTRY_BLOCK = "lead_industry"
LEAD_EMAIL_BLOCK = "lead_email"
LEAD_PHONE_BLOCK = "lead_phone"
LEAD_SOURCE_BLOCK = "lead_source"
LEAD_CV_DATE_BLOCK = "lead_cv_date"
LEAD_CV_TIME_BLOCK = "lead_cv_time"
LEAD_OWNER_BLOCK = "lead_owner"
LEAD_RESULT_VIEW = "lead_create.result"  # the result shown in place (created / duplicate)


def versioned(block_id: str, version: int | str | None) -> str:
    """`block_id~version`: a new block for Slack whenever `version` changes."""
    return f"{block_id}~{version}" if version is not None else block_id


def unversioned(block_id: str) -> str:
    return block_id.split("~", 1)[0]


# Lead intake: `/isops import` (admins paste a CSV); block_id and action_id alike.
LEADS_IMPORT_VIEW = "leads_import"
LEADS_IMPORT_CSV = "leads_import.csv"
LEADS_IMPORT_DRY_RUN = "leads_import.dry_run"

# The case library (issue 14). Buttons carry a case id (or "case:lead:rep" ids for target
# lists); who may read, edit or focus is decided from the database by who clicked.
CASE_DETAIL_BUTTON = "case.detail"  # value = case id; "case.detail:<id>" when several share a block
CASE_EDIT_BUTTON = "case.edit"  # value = case id
CASE_ADD_BUTTON = "case.add"
CASE_DETAIL_VIEW = "case_detail"
CASE_EDIT_VIEW = "case_edit"  # add and edit
CASE_SEARCH_VIEW = "case_search"
CASE_ADD_CHAIN_BUTTON = "case_edit.add_chain"
# The edit modal's inputs (block_id and action_id alike); chain parts get ".<n>" appended.
CASE_TITLE_BLOCK = "case.title"
CASE_CUSTOMER_BLOCK = "case.customer"
CASE_INDUSTRY_BLOCK = "case.industry"
CASE_SIZE_BLOCK = "case.size"
CASE_ROLE_BLOCK = "case.role"
CASE_SITUATION_BLOCK = "case.situation"
CASE_LINK_BLOCK = "case.link"
CASE_ARCHIVED_BLOCK = "case.archived"
CASE_CHAIN_BLOCKS = {
    "problem": "case.problem",
    "feature": "case.feature",
    "connection": "case.connection",
    "benefit": "case.benefit",
    "figures": "case.figures",
}
# The search modal: its inputs and the filter selects (one actions block).
CASE_SEARCH_KEYWORD = "case_search.keyword"
CASE_SEARCH_PROBLEM = "case_search.problem"
CASE_SEARCH_FILTERS_BLOCK = "case_search.filters"
CASE_SEARCH_INDUSTRY = "case_search.industry"
CASE_SEARCH_ROLE = "case_search.role"
CASE_SEARCH_SIZE = "case_search.size"
CASE_SEARCH_ARCHIVED = "case_search.archived"
# /isops targets: the case and rep selects (value "case:rep"), 注力にする ("case:lead:rep"),
# and a manager's 送る ("case:rep").
CASE_TARGETS_PICK = "case_targets.pick"
CASE_TARGETS_REP = "case_targets.rep"
CASE_TARGETS_FOCUS = "case_targets.focus"
CASE_TARGETS_SEND = "case_targets.send"


def chain_block(part: str, index: int) -> str:
    """The block_id of one part of chain `index` in the case modal (`case.problem.0`)."""
    return f"{CASE_CHAIN_BLOCKS[part]}.{index}"


# Hand-off to FS (issue 12). The hand-off section of the log modal (block_id and action_id
# alike), shown once status 5 is submitted.
HANDOFF_FS_BLOCK = "handoff_fs"
HANDOFF_DATE_BLOCK = "handoff_date"
HANDOFF_TIME_BLOCK = "handoff_time"
HANDOFF_MODE_BLOCK = "handoff_mode"
HANDOFF_PROBLEM_BLOCK = "handoff_problem"
HANDOFF_WANTS_BLOCK = "handoff_wants"
HANDOFF_SITUATION_BLOCK = "handoff_situation"
HANDOFF_DECISION_BLOCK = "handoff_decision_process"
HANDOFF_BUDGET_BLOCK = "handoff_budget_timing"
HANDOFF_CASE_BLOCK = "handoff_case"  # 使った事例 (issue 14)
# Buttons on the FS's messages (value = hand-off id, `:change` for an admin's change).
HANDOFF_ACK_BUTTON = "handoff.ack"
HANDOFF_VALID_BUTTON = "handoff.valid"
HANDOFF_INVALID_BUTTON = "handoff.invalid"
HANDOFF_RESCHEDULE_BUTTON = "handoff.reschedule"
HANDOFF_RETURN_BUTTON = "handoff.return"
HANDOFF_ACTIONS_BLOCK = "handoff_actions"  # "handoff_actions:<id>" (a list has several)
# The verdict modals and their inputs (block_id and action_id alike).
HANDOFF_INVALID_VIEW = "handoff_invalid"
HANDOFF_RESCHEDULE_VIEW = "handoff_reschedule"
HANDOFF_RETURN_VIEW = "handoff_return"
HANDOFF_REASON_INPUT = "handoff_verdict.reason"
HANDOFF_COMMENT_INPUT = "handoff_verdict.comment"
HANDOFF_NEXT_DATE_INPUT = "handoff_verdict.next_action_date"
HANDOFF_NEW_DATE_INPUT = "handoff_verdict.meeting_date"
HANDOFF_NEW_TIME_INPUT = "handoff_verdict.meeting_time"


# The managers' view (issue 13). The manager's morning DM: open the pending reviews; 担当を
# 振り替える for an away rep (value = the away rep's member id) and its modal.
MANAGER_OPEN_REVIEWS_BUTTON = "manager.open_reviews"
REASSIGN_BUTTON = "reassign.open"
REASSIGN_VIEW = "reassign"
REASSIGN_LEADS_BLOCK = "reassign_leads"  # block_id and action_id alike
REASSIGN_TO_BLOCK = "reassign_to"
# App Home: the five reports (value = a–e) — answered in the bot's DM.
HOME_REPORT_BUTTON = "home.report"
# /isops team (admins): change a member's role or manager (value = member id), and its modal.
TEAM_EDIT_BUTTON = "team.edit"
TEAM_EDIT_VIEW = "team_edit"
TEAM_ROLE_BLOCK = "team_role"
TEAM_MANAGER_BLOCK = "team_manager"
