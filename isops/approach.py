""" "Approached" — the one definition every feature uses (DOMAIN.md status table, rule 1).

A lead has been approached when its status is no longer 1 (未対応: "assigned, not yet
approached"), or when a touch is on record (`first_action_at`, kept by logging and by the
activity-history import). Either is enough:

- status 2 or 3 with no touch logged: the lead was approached in the CRM before the team used
  isops (a lead CSV import) — it is not a first approach waiting, whatever isops has logged;
- status 1 with touches: imported history the CRM's status has not caught up with.

The morning digest (🔥 and what it keeps out of the other sections), the manager's overdue
counts and same-day figure, the lead picker's urgency, the log modal's and the log
confirmation's first-approach deadline all ask here, so they never disagree.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import ColumnElement, and_, or_

from isops.enums import ActionStatus
from isops.models import Lead


def is_approached(status: int, first_action_at: dt.datetime | None) -> bool:
    """Whether a lead with these values has been approached."""
    return status != ActionStatus.UNTOUCHED or first_action_at is not None


def not_yet_approached() -> ColumnElement[bool]:
    """SQL: `Lead` has not been approached (never NULL, so `NOT (…)` is safe)."""
    return and_(Lead.status == ActionStatus.UNTOUCHED, Lead.first_action_at.is_(None))


def approached_before(moment: dt.datetime) -> ColumnElement[bool]:
    """SQL: `Lead` was approached before `moment` (rule 1's "approached by the deadline").

    With a touch on record, its time decides. Without one, a status past 1 means the lead was
    approached outside isops at a time nobody recorded: the CRM's word is taken (an activity
    import brings the real time)."""
    return or_(
        Lead.first_action_at < moment,
        and_(Lead.first_action_at.is_(None), Lead.status != ActionStatus.UNTOUCHED),
    )
