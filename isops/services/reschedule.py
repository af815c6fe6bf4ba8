"""Overdue pile-ups: spread a rep's overdue next action dates over upcoming business days.

After a long weekend or leave a rep may find twenty focus leads "due" on dates that have
passed (rule 2). Rather than a wall of stale reminders, the focus section of the lists
(`/isops today`, App Home) offers one click that moves their dates forward, a few per
business day.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import not_, select, update

from isops.calendar import BusinessCalendar, member_zone
from isops.clock import utcnow
from isops.db import affected_rows
from isops.enums import OPEN_STATUSES, Priority
from isops.models import Lead
from isops.pending_review import has_pending_review
from isops.services import live_lists
from isops.services.history import record_change
from isops.services.live_lists import OpenList
from isops.services.lookup import require_active_member
from isops.unit_of_work import UnitOfWork

# At least this many leads a day, and no spread longer than this many business days.
DEFAULT_PER_DAY = 5
MAX_SPREAD_DAYS = 10
HISTORY_NOTE = "期限切れの次回活動予定日を営業日に振り分け"


@dataclass(frozen=True)
class RescheduleResult:
    moved: int
    per_day: int
    first_date: dt.date | None = None
    last_date: dt.date | None = None
    # Leads whose date changed under us (someone logged them meanwhile): left as they are.
    skipped: int = 0


def overdue_per_day(count: int) -> int:
    """How many overdue leads go on each business day: DEFAULT_PER_DAY, more for big piles."""
    return max(DEFAULT_PER_DAY, math.ceil(count / MAX_SPREAD_DAYS))


def reschedule_overdue(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    calendar: BusinessCalendar,
    per_day: int | None = None,
    open_list: OpenList | None = None,
) -> RescheduleResult:
    """Move the clicking rep's overdue focus leads (next action date before their today) to
    business days from today on, the most overdue first, at most `per_day` a day.

    Only the caller's own open leads move (decided from the database by who clicked); each
    date is changed by a compare-and-set, so a lead logged at the same moment keeps its
    new date, and clicking twice moves nothing the second time. The rep's Home follows, and
    `open_list` (the list modal clicked in) is redrawn."""
    with uow:
        session = uow.session
        member = require_active_member(session, slack_user_id)
        now = utcnow()
        today = now.astimezone(member_zone(member.timezone, calendar.tz)).date()
        overdue = session.execute(
            select(Lead.id, Lead.next_action_date)
            .where(
                Lead.owner_id == member.id,
                Lead.status.in_(OPEN_STATUSES),
                Lead.priority == Priority.FOCUS,
                Lead.next_action_date < today,
                not_(has_pending_review()),
            )
            .order_by(Lead.next_action_date, Lead.id)
        ).all()
        if not overdue:
            return RescheduleResult(moved=0, per_day=per_day or DEFAULT_PER_DAY)
        per_day = per_day or overdue_per_day(len(overdue))
        dates = calendar.spread(len(overdue), today, per_day)
        moved: list[dt.date] = []
        for (lead_id, old_date), new_date in zip(overdue, dates, strict=True):
            result = session.execute(
                update(Lead)
                .where(
                    Lead.id == lead_id,
                    Lead.owner_id == member.id,
                    Lead.next_action_date == old_date,
                )
                .values(next_action_date=new_date, updated_at=now)
            )
            if not affected_rows(result):
                continue
            moved.append(new_date)
            record_change(
                session,
                lead_id=lead_id,
                member_id=member.id,
                field="next_action_date",
                old=old_date,
                new=new_date,
                note=HISTORY_NOTE,
                at=now,
            )
        if moved:
            live_lists.refresh_homes(uow, member_ids=[member.id], now=now)
            if open_list is not None:
                live_lists.refresh_list_view(uow, view=open_list, now=now)
        uow.commit()
        return RescheduleResult(
            moved=len(moved),
            per_day=per_day,
            first_date=min(moved, default=None),
            last_date=max(moved, default=None),
            skipped=len(overdue) - len(moved),
        )
