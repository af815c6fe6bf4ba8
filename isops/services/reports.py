"""The article's five reports (DOMAIN.md "The five reports"), as lists of leads:

a. inbound leads not approached by their same-day deadline (rule 1): inbound, not approached
   (`isops.approach`), deadline day over (before the report's date);
b. focus leads whose next action date has come (rule 2): open, 注力, date on or before the day;
c. status 4/6 decisions waiting for the manager (`isops.pending_review`), and what managers
   returned in the last 14 days with their reason (rule 3);
d. leads with fewer than 5 actions within 7 days of CV (rule 4): not connected (status 1, 2),
   7-day window still open or closed in the last 7 days, under the target;
e. focus leads with a next action date within the next 1–2 months (rule 5): open, 注力,
   date after the day and at most ISOPS_FOCUS_MAX_DAYS ahead.

Who sees what is read from the database by who asks (`isops.services.lead_access`): a rep
their own leads, a manager their team's, an admin everyone's; naming a member outside that
scope shows nothing of them (`NotAllowed`). The command line (an operator) may pick a manager's
team or everyone. Each report is one statement (two for c) over the scope's leads.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session, aliased

from isops.approach import not_yet_approached
from isops.calendar import BusinessCalendar
from isops.csvio.cells import format_moment, protect_formula
from isops.enums import (
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    Priority,
    ReviewState,
    Role,
)
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.models import Lead, Member, NoActionReview
from isops.pending_review import is_pending
from isops.services.lead_access import load_actor
from isops.services.lookup import member_by_slack_id
from isops.services.reminders.day import DigestDay, reminder_moment
from isops.services.reminders.sections import RETURNED_SHOWN_FOR
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

REPORT_KEYS = ("a", "b", "c", "d", "e")
NOT_YOURS = "そのメンバーのレポートは表示できません (自分のチームのメンバーだけ指定できます)"


@dataclass(frozen=True)
class ReportLine:
    """One lead of a report (report c: one review), as plain values."""

    lead_id: int
    company: str
    contact_name: str | None
    owner_name: str | None
    owner_slack_user_id: str | None
    source: str | None
    status: int
    cv_at: dt.datetime
    next_action_date: dt.date | None = None
    inbound_deadline: dt.date | None = None
    early_actions: int = 0
    early_window_end: dt.datetime | None = None
    calls: int = 0
    mails: int = 0
    # Report c.
    review_state: str | None = None  # "pending" (承認待ち) or "returned" (差し戻し)
    requested_status: int | None = None
    reason_code: str | None = None
    memo: str | None = None
    return_reason: str | None = None
    decided_by: str | None = None
    review_at: dt.datetime | None = None  # requested (pending) or returned (returned)


@dataclass(frozen=True)
class Report:
    key: str
    as_of: dt.datetime
    day: dt.date
    scope: str  # whose leads: a name, "チーム (名前)" or "全員"
    lines: tuple[ReportLine, ...]

    @property
    def total(self) -> int:
        return len(self.lines)


@dataclass(frozen=True)
class ReportScope:
    """The owners whose leads a report lists (None: everyone) and how to name them."""

    owner_ids: frozenset[int] | None
    label: str

    def lead_filter(self) -> ColumnElement[bool]:
        if self.owner_ids is None:
            return true()
        return Lead.owner_id.in_(sorted(self.owner_ids))


def parse_report_key(text: str) -> str:
    key = text.strip().lower()
    if key not in REPORT_KEYS:
        raise InvalidInput({"report": "レポートは a・b・c・d・e のどれかを指定してください"})
    return key


def scope_for(
    session: Session, *, slack_user_id: str, target_slack_user_id: str | None
) -> ReportScope:
    """What the member asking may see: themself (rep), their team (manager), everyone (admin),
    or one member of that scope when `target_slack_user_id` is given."""
    actor = load_actor(session, slack_user_id=slack_user_id)
    if target_slack_user_id:
        target = member_by_slack_id(session, target_slack_user_id)
        if target is None or not actor.may_act_for(target.id):
            raise NotAllowed(NOT_YOURS)
        return ReportScope(frozenset({target.id}), f"{target.name} さん")
    if actor.owners is None:
        return ReportScope(None, "全員")
    if actor.role is Role.MANAGER:
        return ReportScope(frozenset(actor.owners), f"{actor.name} さんのチーム")
    return ReportScope(frozenset({actor.id}), f"{actor.name} さん")


def team_scope(session: Session, *, manager_slack_user_id: str | None) -> ReportScope:
    """The command line's scope: a manager's team (the manager, their reports and members of
    the same team), or everyone."""
    if not manager_slack_user_id:
        return ReportScope(None, "全員")
    manager = member_by_slack_id(session, manager_slack_user_id)
    if manager is None:
        raise NotFound(f"マネージャー {manager_slack_user_id} が登録されていません")
    conditions = [Member.id == manager.id, Member.manager_id == manager.id]
    if manager.team:
        conditions.append(Member.team == manager.team)
    ids = frozenset(session.scalars(select(Member.id).where(or_(*conditions))))
    return ReportScope(ids, f"{manager.name} さんのチーム")


class _Queries:
    def __init__(
        self,
        session: Session,
        scope: ReportScope,
        *,
        day: dt.date,
        settings: Settings,
        calendar: BusinessCalendar,
    ) -> None:
        self.session = session
        self.scope = scope
        self.day = day
        self.settings = settings
        self.calendar = calendar
        self.as_of = reminder_moment(day, settings, calendar.tz)
        self.digest_day = DigestDay.of(day, self.as_of, settings, calendar)
        self.owner = aliased(Member)

    def leads(self, *where: ColumnElement[bool], order_by: Iterable[Any]) -> list[Any]:
        owner = self.owner
        return list(
            self.session.execute(
                select(Lead, owner.name, owner.slack_user_id)
                .outerjoin(owner, owner.id == Lead.owner_id)
                .where(self.scope.lead_filter(), *where)
                .order_by(*order_by, Lead.id)
            ).all()
        )

    def line(
        self, lead: Lead, owner_name: str | None, owner_uid: str | None, **more: Any
    ) -> ReportLine:
        return ReportLine(
            lead_id=lead.id,
            company=lead.company,
            contact_name=lead.contact_name,
            owner_name=owner_name,
            owner_slack_user_id=owner_uid,
            source=lead.source,
            status=int(lead.status),
            cv_at=lead.cv_at,
            next_action_date=lead.next_action_date,
            early_actions=lead.early_action_count,
            calls=lead.call_count,
            mails=lead.mail_count,
            **more,
        )

    def report_a(self) -> list[ReportLine]:
        rows = self.leads(
            Lead.inbound.is_(True),
            not_yet_approached(),
            Lead.cv_at < self.digest_day.inbound_late_before,
            order_by=[Lead.cv_at],
        )
        cutoff = self.settings.inbound_cutoff
        return [
            self.line(
                lead,
                name,
                uid,
                inbound_deadline=self.calendar.inbound_deadline(lead.cv_at, cutoff),
            )
            for lead, name, uid in rows
        ]

    def _focus(self) -> list[ColumnElement[bool]]:
        return [
            Lead.status.in_(OPEN_STATUSES),
            Lead.priority.is_not(None),
            Lead.priority == Priority.FOCUS,
            Lead.next_action_date.is_not(None),
        ]

    def report_b(self) -> list[ReportLine]:
        rows = self.leads(
            *self._focus(),
            Lead.next_action_date <= self.day,
            order_by=[Lead.next_action_date],
        )
        return [self.line(lead, name, uid) for lead, name, uid in rows]

    def report_e(self) -> list[ReportLine]:
        rows = self.leads(
            *self._focus(),
            Lead.next_action_date > self.day,
            Lead.next_action_date <= self.day + dt.timedelta(days=self.settings.focus_max_days),
            order_by=[Lead.next_action_date],
        )
        return [self.line(lead, name, uid) for lead, name, uid in rows]

    def report_d(self) -> list[ReportLine]:
        targets = self.settings.targets
        window = dt.timedelta(days=targets.early_window_days)
        rows = self.leads(
            Lead.status.in_(NOT_CONNECTED_STATUSES),
            Lead.early_action_count < targets.early_actions,
            Lead.cv_at <= self.as_of,
            Lead.cv_at > self.as_of - 2 * window,
            # Window still open first (closing soonest), then the ones that closed.
            order_by=[(Lead.cv_at < self.as_of - window), Lead.cv_at],
        )
        return [
            self.line(lead, name, uid, early_window_end=lead.cv_at + window)
            for lead, name, uid in rows
        ]

    def report_c(self) -> list[ReportLine]:
        decider = aliased(Member)
        owner = self.owner
        base = (
            select(NoActionReview, Lead, owner.name, owner.slack_user_id, decider.name)
            .join(Lead, Lead.id == NoActionReview.lead_id)
            .outerjoin(owner, owner.id == Lead.owner_id)
            .outerjoin(decider, decider.id == NoActionReview.decided_by_id)
            .where(self.scope.lead_filter())
        )
        pending = self.session.execute(
            base.where(is_pending()).order_by(NoActionReview.created_at, NoActionReview.id)
        ).all()
        returned = self.session.execute(
            base.where(
                NoActionReview.state == ReviewState.RETURNED,
                NoActionReview.decided_at > self.as_of - RETURNED_SHOWN_FOR,
                NoActionReview.decided_at <= self.as_of,
            ).order_by(NoActionReview.decided_at.desc(), NoActionReview.id.desc())
        ).all()
        lines = []
        for review, lead, name, uid, decided_by in [*pending, *returned]:
            lines.append(
                self.line(
                    lead,
                    name,
                    uid,
                    review_state=review.state.value,
                    requested_status=int(review.requested_status),
                    reason_code=review.reason_code,
                    memo=review.memo,
                    return_reason=review.return_reason,
                    decided_by=decided_by,
                    review_at=review.created_at if review.decided_at is None else review.decided_at,
                )
            )
        return lines


def build_report(
    uow: UnitOfWork,
    *,
    key: str,
    day: dt.date,
    settings: Settings,
    calendar: BusinessCalendar,
    slack_user_id: str | None = None,
    target_slack_user_id: str | None = None,
    manager_slack_user_id: str | None = None,
) -> Report:
    """Report `key` as of `day` at ISOPS_REMIND_AT, for the member asking (`slack_user_id`,
    authorized from the database) or, from the command line, a manager's team or everyone."""
    key = parse_report_key(key)
    with uow:
        session = uow.session
        if slack_user_id is not None:
            scope = scope_for(
                session, slack_user_id=slack_user_id, target_slack_user_id=target_slack_user_id
            )
        else:
            scope = team_scope(session, manager_slack_user_id=manager_slack_user_id)
        queries = _Queries(session, scope, day=day, settings=settings, calendar=calendar)
        lines = getattr(queries, f"report_{key}")()
        return Report(key, queries.as_of, day, scope.label, tuple(lines))


# -- CSV (the full list: the command line, and the file sent to Slack when a list is long) --------

CSV_HEADERS = (
    "isops ID",
    "会社名",
    "氏名",
    "担当者",
    "担当者 Slack ID",
    "流入元",
    "ステータス",
    "流入日時",
    "初回対応期限",
    "次回活動予定日",
    "架電数",
    "メール数",
    "7日以内のアクション数",
    "判断の状態",
    "申請ステータス",
    "理由",
    "メモ",
    "差し戻し理由",
    "差し戻した人",
    "申請・差し戻し日時",
)
REVIEW_STATES = {"pending": "承認待ち", "returned": "差し戻し"}


def csv_cells(line: ReportLine, tz: ZoneInfo) -> list[str]:
    texts = [
        line.company,
        line.contact_name,
        line.owner_name,
        line.owner_slack_user_id,
        line.source,
    ]
    review = [line.reason_code, line.memo, line.return_reason, line.decided_by]
    return [
        str(line.lead_id),
        *(protect_formula(t or "") for t in texts),
        ActionStatus(line.status).label,
        format_moment(line.cv_at, tz),
        line.inbound_deadline.isoformat() if line.inbound_deadline else "",
        line.next_action_date.isoformat() if line.next_action_date else "",
        str(line.calls),
        str(line.mails),
        str(line.early_actions),
        REVIEW_STATES.get(line.review_state or "", ""),
        ActionStatus(line.requested_status).label if line.requested_status else "",
        *(protect_formula(t or "") for t in review),
        format_moment(line.review_at, tz),
    ]


def write_report_csv(report: Report, out: TextIO, *, tz: ZoneInfo) -> int:
    """Every line of `report` as CSV with Japanese headers (formula cells neutralised)."""
    writer = csv.writer(out)
    writer.writerow(CSV_HEADERS)
    for line in report.lines:
        writer.writerow(csv_cells(line, tz))
    return report.total


def owners_of(report: Report) -> set[str]:
    """The Slack ids of the owners a report lists (tests, summaries)."""
    return {line.owner_slack_user_id for line in report.lines if line.owner_slack_user_id}


__all__ = [
    "CSV_HEADERS",
    "REPORT_KEYS",
    "Report",
    "ReportLine",
    "build_report",
    "parse_report_key",
    "write_report_csv",
]
