"""Every action_id, callback_id and block_id, shared by builders and listeners.

Buttons carry only which thing was clicked (a lead or review id); who may act is always
decided from the database by who clicked.
"""

from __future__ import annotations

# "記録" button on any message (morning DM, assignment DM, returned review): value = lead id.
LOG_LEAD_BUTTON = "lead.log"

# The log modal (/log-call, /log-mail, 記録 button).
LOG_VIEW = "log_action"
LOG_CONFIRM_VIEW = "log_action.confirm"  # pushed when 4 is chosen with 5C2M incomplete
LEAD_SELECT = "lead_select"  # external_select over the user's leads (options load)

# /lead registration modal.
LEAD_CREATE_VIEW = "lead_create"

# Manager review of status 4/6 (value = review id).
REVIEW_APPROVE_BUTTON = "review.approve"
REVIEW_RETURN_BUTTON = "review.return"
REVIEW_RETURN_VIEW = "review_return"

# Morning DM: move overdue next action dates to upcoming business days.
RESCHEDULE_OVERDUE_BUTTON = "reminder.reschedule_overdue"
