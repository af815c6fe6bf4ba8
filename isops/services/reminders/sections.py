"""A rep's digest sections as queries: 🔥 inbound, 📅 focus due, ⏰ overdue, 🔁 5C2M, 🧹 hygiene
and ↩️ returned decisions — each a bounded number of rows per owner (window functions), read
from the counters kept on `leads` (never `actions`) and only the owners' open leads (index
`ix_leads_owner_status`). The predicates are shared so that a lead appears in one section only.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, Row, and_, case, func, not_, or_, select
from sqlalchemy.orm import aliased

from isops.approach import not_yet_approached
from isops.enums import NOT_CONNECTED_STATUSES, OPEN_STATUSES, Outcome, Priority, ReviewState
from isops.models import Lead, Member, NoActionReview
from isops.projection import from_attributes
from isops.rules import five_c2m
from isops.services.cases_matching import LeadProfile
from isops.services.reminders.day import DayQueries
from isops.services.reminders.digest import LastTouch, LeadLine, LeadList, ReturnedDecision

# Returned decisions stay on the rep's list until the rep logs an action, at most this long.
RETURNED_SHOWN_FOR = dt.timedelta(days=14)
# Characters of the memo read for a list line, and of its first line shown.
MEMO_HEAD_READ = 200
MEMO_HEAD_CHARS = 60


def memo_head(memo: str | None) -> str:
    """The memo's first non-empty line, cut to MEMO_HEAD_CHARS."""
    for line in (memo or "").splitlines():
        line = " ".join(line.split())
        if line:
            return line if len(line) <= MEMO_HEAD_CHARS else line[: MEMO_HEAD_CHARS - 1] + "…"
    return ""


LEAD_COLUMNS = (
    Lead.id,
    Lead.owner_id,
    Lead.company,
    Lead.contact_name,
    Lead.source,
    Lead.status,
    Lead.next_action_date,
    Lead.cv_at,
    Lead.inbound,
    Lead.call_count,
    Lead.mail_count,
    Lead.early_action_count,
)


def detail_columns(lead: Any) -> tuple[Any, ...]:
    """What a list line shows beyond the counters (issue 11): read for the lines shown only,
    outside the ranking, so the window functions never carry a memo."""
    return (
        lead.phone,
        lead.email,
        # The case to talk from (issue 14) is matched on these.
        lead.industry,
        lead.role_level,
        lead.company_size,
        lead.last_action_at,
        lead.last_outcome,
        # The memo's start only: a CRM memo may run to pages, a list shows its first line.
        func.substr(lead.memo, 1, MEMO_HEAD_READ).label("memo_start"),
    )


# Built once: the same objects every time keep SQLAlchemy's compiled-statement cache warm.
_DETAIL = aliased(Lead, name="detail")
_DETAIL_COLUMNS = detail_columns(_DETAIL)
_RANKED_COLUMNS = (
    *(getattr(_DETAIL, column.key) for column in LEAD_COLUMNS),
    *_DETAIL_COLUMNS,
)
_LEAD_DETAIL_COLUMNS = detail_columns(Lead)


def open_leads(owner_ids: Iterable[int]) -> list[ColumnElement[bool]]:
    """The owners' open leads: the (owner_id, status) index reads these only, however much
    closed history each rep has."""
    return [Lead.owner_id.in_(sorted(set(owner_ids))), Lead.status.in_(OPEN_STATUSES)]


@dataclass(kw_only=True)
class RepSections(DayQueries):
    """One business date's section queries (a fixed number, whatever the number of leads)."""

    limit: int | None  # lines per section and owner (None: all)
    # Leads listed in no section: those waiting for review, and returned ones (listed under
    # ↩️ only, added once `returned` has run).
    listed_elsewhere: set[int] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.listed_elsewhere |= self.pending_open

    # Section predicates, shared so that a lead appears in one section only.
    def inbound_due(self) -> ColumnElement[bool]:
        return and_(
            Lead.inbound.is_(True),
            not_yet_approached(),
            Lead.cv_at < self.day.inbound_due_before,
        )

    def focus_due_by(self, last_day: dt.date) -> ColumnElement[bool]:
        # IS NOT NULL first: false rather than NULL, so NOT (...) keeps leads without them.
        return and_(
            Lead.priority.is_not(None),
            Lead.priority == Priority.FOCUS,
            Lead.next_action_date.is_not(None),
            Lead.next_action_date <= last_day,
        )

    def five_c2m_incomplete(self) -> ColumnElement[bool]:
        return and_(
            Lead.status.in_(NOT_CONNECTED_STATUSES),
            or_(Lead.call_count < self.targets.calls, Lead.mail_count < self.targets.mails),
        )

    # -- the sections ---------------------------------------------------------------------------

    def inbound(self, owner_ids: Sequence[int]) -> dict[int, LeadList]:
        """🔥 Inbound leads at or past their first-approach deadline, not approached (rule 1)."""
        return self.top_per_owner(
            owner_ids, [self.inbound_due()], [Lead.cv_at, Lead.id], inbound=True
        )

    def focus_due(self, owner_ids: Sequence[int]) -> dict[int, LeadList]:
        """📅 Focus leads whose next action date has come, up to the next business day (rule 2)."""
        day = self.day
        return self.top_per_owner(
            owner_ids,
            [
                Lead.priority == Priority.FOCUS,
                Lead.next_action_date >= day.today,
                Lead.next_action_date <= day.due_until,
                not_(self.inbound_due()),
            ],
            [Lead.next_action_date, Lead.id],
        )

    def overdue(self, owner_ids: Sequence[int]) -> dict[int, LeadList]:
        """⏰ Focus leads whose next action date has passed."""
        return self.top_per_owner(
            owner_ids,
            [
                Lead.priority == Priority.FOCUS,
                Lead.next_action_date < self.day.today,
                not_(self.inbound_due()),
            ],
            [Lead.next_action_date, Lead.id],
        )

    def five_c2m(self, owner_ids: Sequence[int]) -> dict[int, LeadList]:
        """🔁 Leads not yet connected with 5C2M incomplete (rule 4), the N-day window after CV
        closing soonest first."""
        day = self.day
        early = and_(
            Lead.cv_at >= day.early_since, Lead.early_action_count < self.targets.early_actions
        )
        return self.top_per_owner(
            owner_ids,
            [
                self.five_c2m_incomplete(),
                not_(self.inbound_due()),
                not_(self.focus_due_by(day.due_until)),
            ],
            [
                case((early, 0), else_=1),
                case((early, Lead.cv_at), else_=None),  # window closing soonest first
                Lead.cv_at.desc(),  # then the freshest
                Lead.id,
            ],
        )

    def hygiene(self, owner_ids: Sequence[int]) -> dict[int, LeadList]:
        """🧹 Focus leads without a next action date, or with one too far out (rule 5)."""
        return self.top_per_owner(
            owner_ids,
            [
                Lead.priority == Priority.FOCUS,
                or_(
                    Lead.next_action_date.is_(None),
                    Lead.next_action_date > self.day.hygiene_after,
                ),
                not_(self.five_c2m_incomplete()),
                not_(self.inbound_due()),
            ],
            [case((Lead.next_action_date.is_(None), 0), else_=1), Lead.cv_at, Lead.id],
        )

    def top_per_owner(
        self,
        owner_ids: Sequence[int],
        where: list[ColumnElement[bool]],
        order_by: list[Any],
        *,
        inbound: bool = False,
    ) -> dict[int, LeadList]:
        """The first `limit` leads per owner matching `where`, and each owner's total."""
        if not owner_ids:
            return {}
        # Ranked on ids alone: the predicates and orders read the lead picker's covering index
        # (ix_leads_picker) where they can, and only the lines kept are read from the table.
        ranked = (
            select(
                Lead.id.label("ranked_id"),
                func.row_number().over(partition_by=Lead.owner_id, order_by=order_by).label("rn"),
                func.count().over(partition_by=Lead.owner_id).label("total"),
            )
            .where(*open_leads(owner_ids), *where)
            .where(Lead.id.not_in(sorted(self.listed_elsewhere)))
            .subquery()
        )
        stmt = select(ranked.c.rn, ranked.c.total, *_RANKED_COLUMNS).join(
            _DETAIL, _DETAIL.id == ranked.c.ranked_id
        )
        if self.limit is not None:
            stmt = stmt.where(ranked.c.rn <= self.limit)
        stmt = stmt.order_by(_DETAIL.owner_id, ranked.c.rn)
        lines: dict[int, list[LeadLine]] = defaultdict(list)
        totals: dict[int, int] = {}
        for row in self.session.execute(stmt):
            lines[row.owner_id].append(self.line(row, inbound=inbound))
            totals[row.owner_id] = int(row.total)
        return {owner: LeadList(tuple(lines[owner]), totals[owner]) for owner in totals}

    def line(self, row: Row[Any], *, inbound: bool) -> LeadLine:
        cv_at: dt.datetime = row.cv_at
        return from_attributes(
            LeadLine,
            row,
            lead_id=row.id,
            days_since_cv=max(0, (self.day.today - self.calendar.local_date(cv_at)).days),
            progress=five_c2m(row.call_count, row.mail_count, self.targets),
            early_actions=row.early_action_count,
            early_target=self.targets.early_actions,
            in_early_window=cv_at >= self.day.early_since,
            inbound_deadline=(
                self.calendar.inbound_deadline(cv_at, self.settings.inbound_cutoff)
                if inbound
                else None
            ),
            last_touch=self.last_touch(row.last_action_at, row.last_outcome),
            memo_head=memo_head(row.memo_start),
            profile=LeadProfile(row.industry, row.role_level, row.company_size),
        )

    def last_touch(self, at: dt.datetime | None, outcome: Outcome | None) -> LastTouch | None:
        if at is None:
            return None
        return LastTouch(at=at, local=at.astimezone(self.calendar.tz), outcome=outcome)

    def returned(self, ids: set[int]) -> dict[int, list[ReturnedDecision]]:
        """Returned decisions the rep has not acted on since (rule 3: the rep sees why).

        Read by state and date, then kept for these owners here: the reviews index bounds the
        rows, and no rep's history is walked."""
        manager = aliased(Member)
        rows = self.session.execute(
            select(
                NoActionReview.id,
                NoActionReview.lead_id,
                NoActionReview.requested_status,
                NoActionReview.reason_code,
                NoActionReview.return_reason,
                NoActionReview.decided_at,
                Lead.owner_id,
                Lead.company,
                Lead.contact_name,
                *_LEAD_DETAIL_COLUMNS,
                manager.name.label("manager_name"),
            )
            .join(Lead, Lead.id == NoActionReview.lead_id)
            .outerjoin(manager, manager.id == NoActionReview.decided_by_id)
            .where(
                NoActionReview.state == ReviewState.RETURNED,
                NoActionReview.decided_at >= self.day.now - RETURNED_SHOWN_FOR,
                Lead.status.in_(OPEN_STATUSES),
                or_(
                    Lead.last_action_at.is_(None),
                    Lead.last_action_at < NoActionReview.decided_at,
                ),
            )
            .order_by(NoActionReview.decided_at.desc(), NoActionReview.id.desc())
        ).all()
        found: dict[int, list[ReturnedDecision]] = defaultdict(list)
        seen: set[int] = set()
        for row in rows:
            if row.owner_id not in ids or row.lead_id in self.pending_open:
                continue
            if row.lead_id in seen:  # the latest return of a lead is the one that counts
                continue
            seen.add(row.lead_id)
            found[row.owner_id].append(
                from_attributes(
                    ReturnedDecision,
                    row,
                    review_id=row.id,
                    return_reason=row.return_reason or "",
                    returned_by=row.manager_name,
                    returned_at=row.decided_at,
                    last_touch=self.last_touch(row.last_action_at, row.last_outcome),
                    memo_head=memo_head(row.memo_start),
                    profile=LeadProfile(row.industry, row.role_level, row.company_size),
                )
            )
        return found
