"""The manager's part of a morning digest: one row per rep (🔥 overdue inbound, ⏰ overdue
focus, 🔁 5C2M behind, 承認待ち), the names of the previous business day's missed inbound leads,
pending reviews (from `pending`), the previous business day's team figures (reports a and d),
who is most overdue, and away reps' hot leads.

The figures and the missed leads read a day or two of conversions by `cv_at` range, whatever
each rep's history; the rows read the reps' open leads (index `ix_leads_owner_status`) and the
pending reviews (the partial index), one statement each."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from isops.approach import approached_before, not_yet_approached
from isops.enums import NEVER_CONNECTED_STATUSES, NOT_CONNECTED_STATUSES, Priority
from isops.models import Lead, Member, NoActionReview
from isops.pending_review import is_pending
from isops.services.reminders.day import MIDNIGHT, DayQueries, local_moment
from isops.services.reminders.digest import (
    AwayRep,
    LeadList,
    ManagerDigest,
    MissedLead,
    PendingReviewSummary,
    Recipient,
    RepOverdue,
    RepToday,
    TeamFigures,
)
from isops.services.reminders.sections import open_leads

# Names of yesterday's missed inbound leads carried per manager (the DM shows fewer).
MISSED_SHOWN = 10


@dataclass(kw_only=True)
class ManagerFigures(DayQueries):
    """The managers' parts of one business date's digests (a fixed number of queries)."""

    def digests(
        self,
        managers: list[Recipient],
        team: Mapping[int, list[Any]],
        away: Mapping[tuple[int, dt.date], dt.date],
        pending: Mapping[int, PendingReviewSummary],
        inbound: Mapping[int, LeadList],
        focus_due: Mapping[int, LeadList],
        overdue: Mapping[int, LeadList],
    ) -> dict[int, ManagerDigest]:
        if not managers:
            return {}
        manager_ids = [m.member_id for m in managers]
        report_ids = [r.id for m in manager_ids for r in team[m]]
        manager_of = {r.id: m for m in manager_ids for r in team[m]}
        inbound_figures, early_figures = self.figures(manager_of)
        overdue_counts = self.overdue_counts(report_ids)
        rows = self.rep_rows(report_ids)
        waiting = self.pending_by_rep(report_ids)
        missed = self.missed_inbound(manager_of)
        parts: dict[int, ManagerDigest] = {}
        for manager_id in manager_ids:
            reports = team[manager_id]
            ranked = sorted(
                (
                    RepOverdue(r.name, r.slack_user_id, overdue_counts[r.id])
                    for r in reports
                    if overdue_counts.get(r.id)
                ),
                key=lambda o: (-o.count, o.name),
            )
            on_time, due = inbound_figures.get(manager_id, (0, 0))
            reached, early_due = early_figures.get(manager_id, (0, 0))
            away_reps = tuple(
                AwayRep(
                    name=r.name,
                    slack_user_id=r.slack_user_id,
                    until=away[(r.id, self.day.today)],
                    inbound=inbound.get(r.id, LeadList()),
                    focus_due=focus_due.get(r.id, LeadList()),
                    overdue=overdue.get(r.id, LeadList()),
                )
                for r in sorted(reports, key=lambda r: (r.name, r.id))
                if (r.id, self.day.today) in away
            )
            parts[manager_id] = ManagerDigest(
                team_size=len(reports),
                pending=pending.get(manager_id, PendingReviewSummary()),
                figures=TeamFigures(
                    day=self.day.previous,
                    inbound_on_time=on_time,
                    inbound_due=due,
                    early_reached=reached,
                    early_due=early_due,
                    most_overdue=tuple(ranked[:3]),
                ),
                away=away_reps,
                reps=tuple(
                    RepToday(
                        member_id=r.id,
                        name=r.name,
                        slack_user_id=r.slack_user_id,
                        inbound_overdue=rows.get(r.id, (0, 0, 0))[0],
                        focus_overdue=rows.get(r.id, (0, 0, 0))[1],
                        five_c2m_behind=rows.get(r.id, (0, 0, 0))[2],
                        pending_reviews=waiting.get(r.id, 0),
                        away_until=away.get((r.id, self.day.today)),
                    )
                    for r in sorted(reports, key=lambda r: (r.name, r.id))
                ),
                missed_inbound=tuple(missed.get(manager_id, [])[:MISSED_SHOWN]),
                missed_inbound_total=len(missed.get(manager_id, [])),
            )
        return parts

    def rep_rows(self, report_ids: list[int]) -> dict[int, tuple[int, int, int]]:
        """Per rep: 🔥 inbound leads past their deadline (before today) not approached, ⏰
        focus leads past their next action date, 🔁 open leads not connected with 5C2M
        incomplete — the morning DM's own predicates, leads waiting for review left out."""
        if not report_ids:
            return {}
        targets = self.targets
        inbound = and_(
            Lead.inbound.is_(True),
            not_yet_approached(),
            Lead.cv_at < self.day.inbound_late_before,
        )
        focus = and_(
            Lead.priority.is_not(None),
            Lead.priority == Priority.FOCUS,
            Lead.next_action_date.is_not(None),
            Lead.next_action_date < self.day.today,
        )
        behind = and_(
            Lead.status.in_(NOT_CONNECTED_STATUSES),
            or_(Lead.call_count < targets.calls, Lead.mail_count < targets.mails),
        )
        rows = self.session.execute(
            select(
                Lead.owner_id,
                func.sum(case((inbound, 1), else_=0)),
                func.sum(case((focus, 1), else_=0)),
                func.sum(case((behind, 1), else_=0)),
            )
            .where(*open_leads(report_ids))
            .where(Lead.id.not_in(sorted(self.pending_open)))
            .group_by(Lead.owner_id)
        ).all()
        return {
            owner: (int(a or 0), int(b or 0), int(c or 0))
            for owner, a, b, c in rows
            if owner is not None
        }

    def pending_by_rep(self, report_ids: list[int]) -> dict[int, int]:
        """承認待ち per rep (the lead's owner), read through the pending reviews' index."""
        if not report_ids:
            return {}
        wanted = set(report_ids)
        rows = self.session.execute(
            select(Lead.owner_id, func.count())
            .select_from(NoActionReview)
            .join(Lead, Lead.id == NoActionReview.lead_id)
            .where(is_pending())
            .group_by(Lead.owner_id)
        ).all()
        return {owner: int(count) for owner, count in rows if owner in wanted}

    def missed_inbound(self, manager_of: Mapping[int, int]) -> dict[int, list[MissedLead]]:
        """Per manager, the inbound leads due on the previous business day P that nobody had
        approached by the end of P (report a's newest): names, not only the count."""
        day, calendar, tz = self.day, self.calendar, self.calendar.tz
        before_previous = calendar.previous_business_day(day.previous)
        cutoff = self.settings.inbound_cutoff
        approached_by = local_moment(day.previous + dt.timedelta(days=1), MIDNIGHT, tz)
        rows = self.session.execute(
            select(Lead.id, Lead.company, Lead.contact_name, Lead.owner_id, Member.name)
            .outerjoin(Member, Member.id == Lead.owner_id)
            .where(
                Lead.inbound.is_(True),
                Lead.cv_at >= local_moment(before_previous, cutoff, tz),
                Lead.cv_at < local_moment(day.previous, cutoff, tz),
                # CASE, not NOT: the definition may be NULL for a lead never touched.
                case((approached_before(approached_by), 1), else_=0) == 0,
            )
            .order_by(Lead.cv_at, Lead.id)
        ).all()
        found: dict[int, list[MissedLead]] = defaultdict(list)
        for lead_id, company, contact, owner_id, rep_name in rows:
            manager_id = manager_of.get(owner_id) if owner_id is not None else None
            if manager_id is not None:
                found[manager_id].append(MissedLead(lead_id, company, contact, rep_name))
        return found

    def figures(
        self, manager_of: Mapping[int, int]
    ) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
        """Per manager, for the previous business day P (and the days off after it):
        inbound leads due on P approached by the end of P (report a), and leads whose
        N-day window after CV ended in that period with ≥ the target actions (report d).

        Both read a day or two of conversions by `cv_at` range, grouped by owner, and map
        owners to managers here: with no owner filter in SQL the only index that applies is the
        date range, so the cost stays that of a few days' leads however long each rep's history
        (SQLite without statistics would otherwise walk every lead of every rep)."""
        day, calendar, tz = self.day, self.calendar, self.calendar.tz
        before_previous = calendar.previous_business_day(day.previous)
        cutoff = self.settings.inbound_cutoff
        approached_by = local_moment(day.previous + dt.timedelta(days=1), MIDNIGHT, tz)
        inbound_rows = self.session.execute(
            select(
                Lead.owner_id,
                func.count(),
                func.sum(case((approached_before(approached_by), 1), else_=0)),
            )
            .where(
                Lead.inbound.is_(True),
                Lead.cv_at >= local_moment(before_previous, cutoff, tz),
                Lead.cv_at < local_moment(day.previous, cutoff, tz),
            )
            .group_by(Lead.owner_id)
        ).all()
        window = dt.timedelta(days=self.targets.early_window_days)
        early_rows = self.session.execute(
            select(
                Lead.owner_id,
                func.count(),
                func.sum(case((Lead.early_action_count >= self.targets.early_actions, 1), else_=0)),
            )
            .where(
                Lead.status.in_(NEVER_CONNECTED_STATUSES),
                Lead.cv_at >= local_moment(day.previous, MIDNIGHT, tz) - window,
                Lead.cv_at < local_moment(day.today, MIDNIGHT, tz) - window,
            )
            .group_by(Lead.owner_id)
        ).all()
        return _per_manager(inbound_rows, manager_of), _per_manager(early_rows, manager_of)

    def overdue_counts(self, report_ids: list[int]) -> dict[int, int]:
        """Overdue items per rep: focus leads past their date, inbound leads past deadline."""
        if not report_ids:
            return {}
        rows = self.session.execute(
            select(Lead.owner_id, func.count())
            .where(
                *open_leads(report_ids),
                or_(
                    and_(Lead.priority == Priority.FOCUS, Lead.next_action_date < self.day.today),
                    and_(
                        Lead.inbound.is_(True),
                        not_yet_approached(),
                        Lead.cv_at < self.day.inbound_late_before,
                    ),
                ),
            )
            .where(Lead.id.not_in(sorted(self.pending_open)))
            .group_by(Lead.owner_id)
        ).all()
        return {owner: int(count) for owner, count in rows if owner is not None}


def _per_manager(rows: Iterable[Any], manager_of: Mapping[int, int]) -> dict[int, tuple[int, int]]:
    """(owner, count, ok) rows summed per manager as (ok, count); other owners are dropped."""
    totals: dict[int, tuple[int, int]] = {}
    for owner_id, count, ok in rows:
        if owner_id is None:
            continue
        manager_id = manager_of.get(owner_id)
        if manager_id is not None:
            done, due = totals.get(manager_id, (0, 0))
            totals[manager_id] = (done + int(ok or 0), due + int(count))
    return totals
