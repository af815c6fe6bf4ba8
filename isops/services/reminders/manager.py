"""The manager's part of a morning digest: pending reviews (from `pending`), the previous
business day's team figures (reports a and d), who is most overdue, and away reps' hot leads.

The figures read a day or two of conversions by `cv_at` range, whatever each rep's history."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, case, func, or_, select

from isops.approach import approached_before, not_yet_approached
from isops.enums import NEVER_CONNECTED_STATUSES, Priority
from isops.models import Lead
from isops.services.reminders.day import MIDNIGHT, DayQueries, local_moment
from isops.services.reminders.digest import (
    AwayRep,
    LeadList,
    ManagerDigest,
    PendingReviewSummary,
    Recipient,
    RepOverdue,
    TeamFigures,
)
from isops.services.reminders.sections import open_leads


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
            )
        return parts

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
