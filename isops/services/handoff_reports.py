"""Hand-offs read as lists and figures (issue 12): `/isops handoffs`, the CSV export, the
managers' FS 未評価 in the morning DM, and the per-rep figures the managers' reports need."""

from __future__ import annotations

import csv
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, Float, and_, case, cast, extract, func, or_, select
from sqlalchemy.orm import Session, aliased

from isops.csvio.cells import format_moment, protect_formula
from isops.enums import HandoffVerdict, Role
from isops.models import Case, Handoff, Lead, Member
from isops.projection import from_attributes
from isops.services.handoff_details import HandoffDetail, details
from isops.services.handoff_schedule import MAX_REQUESTS
from isops.services.lead_access import load_actor
from isops.unit_of_work import UnitOfWork

LIST_LIMIT = 15
_PAGE = 1000


# -- /isops handoffs -------------------------------------------------------------------------------


@dataclass(frozen=True)
class HandoffListing:
    """What `/isops handoffs` shows the caller: `role` decides the scope (FS: theirs waiting for
    a verdict; rep: their hand-offs; manager: the team's; admin: everyone's)."""

    role: Role
    items: tuple[HandoffDetail, ...]
    total: int
    now: dt.datetime

    def owed(self) -> list[HandoffDetail]:
        """Verdicts due and not given (the FS owes them)."""
        return [d for d in self.items if d.verdict is None and d.verdict_due_at <= self.now]

    def upcoming(self) -> list[HandoffDetail]:
        return [d for d in self.items if d.verdict is None and d.verdict_due_at > self.now]

    def decided(self) -> list[HandoffDetail]:
        return [d for d in self.items if d.verdict is not None]


def handoffs_for(
    uow: UnitOfWork, *, slack_user_id: str, now: dt.datetime, limit: int = LIST_LIMIT
) -> HandoffListing:
    """The caller's hand-offs as `/isops handoffs` lists them: undecided first (the meeting
    soonest first), then decided ones (latest first); at most `limit`, with the total."""
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        scope: list[ColumnElement[bool]] = []
        if actor.role is Role.FS:
            scope = [Handoff.fs_member_id == actor.id, Handoff.verdict.is_(None)]
        elif actor.role is Role.REP:
            scope = [Handoff.rep_id == actor.id]
        elif actor.role is Role.MANAGER:
            team = sorted(actor.owners or {actor.id})
            scope = [or_(Handoff.rep_id.in_(team), Handoff.fs_member_id.in_(team))]
        wanted = select(Handoff.id).where(*scope)
        total = session.scalar(select(func.count()).select_from(wanted.subquery())) or 0
        ids = list(
            session.scalars(
                wanted.order_by(
                    case((Handoff.verdict.is_(None), 0), else_=1),
                    case((Handoff.verdict.is_(None), Handoff.meeting_at), else_=None),
                    Handoff.decided_at.desc(),
                    Handoff.id.desc(),
                ).limit(limit)
            )
        )
        found = details(session, ids)
        return HandoffListing(
            role=actor.role, items=tuple(found[i] for i in ids), total=total, now=now
        )


# -- the managers' morning DM: FS 未評価 --------------------------------------------------------------


@dataclass(frozen=True)
class UnratedHandoff:
    """A meeting whose three verdict requests went unanswered (shown to the FS's manager)."""

    handoff_id: int
    lead_id: int
    company: str
    contact_name: str | None
    fs_name: str
    rep_name: str
    meeting_at: dt.datetime
    meeting_date: dt.date  # in the team's zone


def unrated_for_recipients(
    session: Session, *, member_ids: Iterable[int], as_of: dt.datetime, tz: dt.tzinfo
) -> dict[int, tuple[UnratedHandoff, ...]]:
    """FS 未評価 for the morning DM, by recipient among `member_ids`: undecided hand-offs whose
    third request went unanswered until the next business morning, for the FS's active
    manager — or the first active admin when the FS has none. Two statements at most, in the
    caller's unit of work (the digest's)."""
    wanted = set(member_ids)
    if not wanted:
        return {}
    fs, manager, rep = aliased(Member), aliased(Member), aliased(Member)
    rows = session.execute(
        select(
            Handoff.id,
            Handoff.lead_id,
            Handoff.meeting_at,
            Lead.company,
            Lead.contact_name,
            fs.name.label("fs_name"),
            rep.name.label("rep_name"),
            manager.id.label("manager_id"),
            manager.active.label("manager_active"),
        )
        .join(Lead, Lead.id == Handoff.lead_id)
        .join(fs, fs.id == Handoff.fs_member_id)
        .join(rep, rep.id == Handoff.rep_id)
        .outerjoin(manager, manager.id == fs.manager_id)
        .where(
            Handoff.verdict.is_(None),
            Handoff.verdict_requests >= MAX_REQUESTS,
            Handoff.next_request_at <= as_of,
        )
        .order_by(Handoff.meeting_at, Handoff.id)
    ).all()
    if not rows:
        return {}
    admin: int | None = None
    if any(not (r.manager_id and r.manager_active) for r in rows):
        admin = session.scalar(
            select(Member.id)
            .where(Member.role == Role.ADMIN, Member.active.is_(True))
            .order_by(Member.id)
            .limit(1)
        )
    found: dict[int, list[UnratedHandoff]] = defaultdict(list)
    for row in rows:
        recipient = row.manager_id if row.manager_id and row.manager_active else admin
        if recipient is None or recipient not in wanted:
            continue
        found[recipient].append(
            from_attributes(
                UnratedHandoff,
                row,
                handoff_id=row.id,
                meeting_date=row.meeting_at.astimezone(tz).date(),
            )
        )
    return {member: tuple(items) for member, items in found.items()}


# -- figures for the managers' reports ---------------------------------------------------------------


@dataclass(frozen=True)
class RepHandoffFigures:
    """One rep's hand-offs created in a period, and what became of them.

    アポ数 `handoffs`; 有効商談数 `valid`; 無効 `invalid` (by reason in `invalid_by_reason`);
    IS に戻された `returned`; 未評価 `unrated` (due and no verdict); FS response time: the
    median of (first verdict − due moment) over `responded` verdicts, in seconds (negative:
    before the due moment)."""

    rep_id: int
    rep_slack_user_id: str
    rep_name: str
    handoffs: int
    valid: int
    invalid: int
    returned: int
    unrated: int
    responded: int = 0
    response_median_seconds: float | None = None
    invalid_by_reason: Mapping[str, int] = field(default_factory=dict)


def handoff_figures(
    uow: UnitOfWork,
    *,
    start: dt.date,
    end: dt.date,
    tz: ZoneInfo,
    now: dt.datetime,
    rep_ids: Iterable[int] | None = None,
) -> list[RepHandoffFigures]:
    """Per rep, the hand-offs created from `start` to `end` (inclusive, local dates in `tz`)
    and their outcome as of `now` — three aggregate statements, whatever the number of rows."""
    since = dt.datetime.combine(start, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    until = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(
        dt.UTC
    )
    period: list[ColumnElement[bool]] = [Handoff.created_at >= since, Handoff.created_at < until]
    if rep_ids is not None:
        period.append(Handoff.rep_id.in_(sorted(set(rep_ids))))

    def count_if(condition: ColumnElement[bool]) -> Any:
        return func.sum(case((condition, 1), else_=0))

    with uow:
        session = uow.session
        totals = session.execute(
            select(
                Handoff.rep_id,
                Member.slack_user_id,
                Member.name,
                func.count(),
                count_if(Handoff.verdict == HandoffVerdict.VALID),
                count_if(Handoff.verdict == HandoffVerdict.INVALID),
                count_if(Handoff.verdict == HandoffVerdict.RETURNED),
                count_if(and_(Handoff.verdict.is_(None), Handoff.verdict_due_at <= now)),
            )
            .join(Member, Member.id == Handoff.rep_id)
            .where(*period)
            .group_by(Handoff.rep_id, Member.slack_user_id, Member.name)
            .order_by(Member.name, Handoff.rep_id)
        ).all()
        reasons: dict[int, dict[str, int]] = defaultdict(dict)
        for rep_id, reason, count in session.execute(
            select(Handoff.rep_id, Handoff.invalid_reason, func.count())
            .where(*period, Handoff.verdict == HandoffVerdict.INVALID)
            .group_by(Handoff.rep_id, Handoff.invalid_reason)
        ):
            reasons[rep_id][reason or ""] = int(count)
        medians = _median_response(session, period)
    return [
        RepHandoffFigures(
            rep_id=rep_id,
            rep_slack_user_id=slack_user_id,
            rep_name=name,
            handoffs=int(count),
            valid=int(valid or 0),
            invalid=int(invalid or 0),
            returned=int(returned or 0),
            unrated=int(unrated or 0),
            responded=medians.get(rep_id, (0, None))[0],
            response_median_seconds=medians.get(rep_id, (0, None))[1],
            invalid_by_reason=dict(sorted(reasons.get(rep_id, {}).items())),
        )
        for rep_id, slack_user_id, name, count, valid, invalid, returned, unrated in totals
    ]


def _seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    """`later − earlier` in seconds as SQL (SQLite stores datetimes as text)."""
    if dialect == "sqlite":
        return cast((func.julianday(later) - func.julianday(earlier)) * 86400.0, Float)
    return cast(extract("epoch", later - earlier), Float)


def _median_response(
    session: Session, period: list[ColumnElement[bool]]
) -> dict[int, tuple[int, float | None]]:
    """rep id → (verdicts given, median seconds from the due moment to the first verdict):
    the middle row (or the mean of the two middle rows) by window functions, one statement."""
    dialect = session.get_bind().dialect.name
    delta = _seconds_between(Handoff.decided_at, Handoff.verdict_due_at, dialect).label("delta")
    ranked = (
        select(
            Handoff.rep_id.label("rep_id"),
            delta,
            func.row_number()
            .over(partition_by=Handoff.rep_id, order_by=(delta, Handoff.id))
            .label("rn"),
            func.count().over(partition_by=Handoff.rep_id).label("cnt"),
        )
        .where(*period, Handoff.decided_at.is_not(None))
        .subquery()
    )
    rows = session.execute(
        select(ranked.c.rep_id, func.max(ranked.c.cnt), func.avg(ranked.c.delta))
        .where(
            or_(
                # Integer division (`//`): the lower and upper middle rows (one when odd).
                ranked.c.rn == (ranked.c.cnt + 1) // 2,
                ranked.c.rn == (ranked.c.cnt + 2) // 2,
            )
        )
        .group_by(ranked.c.rep_id)
    ).all()
    return {rep_id: (int(cnt), float(median)) for rep_id, cnt, median in rows}


# -- CSV export for the CRM ----------------------------------------------------------------------------

EXPORT_HEADERS = (
    "引き継ぎID",
    "isops ID",
    "外部ID",
    "会社名",
    "氏名",
    "担当者",
    "担当者 Slack ID",
    "FS",
    "FS Slack ID",
    "商談日時",
    "形式",
    "課題",
    "求めている情報",
    "現状・理想",
    "役割・決裁",
    "予算・時期",
    "引き継ぎ日時",
    "受取日時",
    "評価",
    "無効理由",
    "コメント",
    "評価者",
    "評価日時",
    "評価期限",
    # Appended (operators' scripts read the columns above by position): the case named.
    "事例",
)


def export_handoffs(uow: UnitOfWork, *, out: TextIO, tz: ZoneInfo) -> int:
    """Write every hand-off (oldest first) to `out` as CSV with Japanese headers; returns how
    many. Text cells that a spreadsheet would run as a formula get a leading `'`. Read in
    keyset pages, one short transaction each (`out` opened with `newline=""`)."""
    writer = csv.writer(out)
    writer.writerow(EXPORT_HEADERS)
    rep, fs, decider = aliased(Member), aliased(Member), aliased(Member)
    # Labelled where two tables give the same name; `_export_cells` reads them by name.
    columns = (
        Handoff.id.label("handoff_id"),
        Lead.id.label("lead_id"),
        Lead.external_id,
        Lead.company,
        Lead.contact_name,
        rep.name.label("rep_name"),
        rep.slack_user_id.label("rep_uid"),
        fs.name.label("fs_name"),
        fs.slack_user_id.label("fs_uid"),
        Handoff.meeting_at,
        Handoff.meeting_mode,
        Handoff.problem,
        Handoff.wants,
        Handoff.situation,
        Handoff.decision_process,
        Handoff.budget_timing,
        Handoff.created_at,
        Handoff.acknowledged_at,
        Handoff.verdict,
        Handoff.invalid_reason,
        Handoff.comment,
        decider.name.label("decider_name"),
        Handoff.decided_at,
        Handoff.verdict_due_at,
        Case.title.label("case_title"),
    )
    count, last_id = 0, 0
    while True:
        with uow:
            rows = uow.session.execute(
                select(*columns)
                .join(Lead, Lead.id == Handoff.lead_id)
                .join(rep, rep.id == Handoff.rep_id)
                .join(fs, fs.id == Handoff.fs_member_id)
                .outerjoin(decider, decider.id == Handoff.decided_by_id)
                .outerjoin(Case, Case.id == Handoff.case_id)
                .where(Handoff.id > last_id)
                .order_by(Handoff.id)
                .limit(_PAGE)
            ).all()
        if not rows:
            return count
        for row in rows:
            writer.writerow(_export_cells(row, tz))
        count += len(rows)
        last_id = rows[-1].handoff_id


def _export_cells(row: Any, tz: ZoneInfo) -> list[str]:
    people = (row.rep_name, row.rep_uid, row.fs_name, row.fs_uid)
    notes = (row.problem, row.wants, row.situation, row.decision_process, row.budget_timing)
    return [
        str(row.handoff_id),
        str(row.lead_id),
        *(protect_formula(t or "") for t in (row.external_id, row.company, row.contact_name)),
        *(protect_formula(t or "") for t in people),
        format_moment(row.meeting_at, tz),
        row.meeting_mode.label,
        *(protect_formula(t or "") for t in notes),
        format_moment(row.created_at, tz),
        format_moment(row.acknowledged_at, tz),
        row.verdict.label if row.verdict else "未評価",
        protect_formula(row.invalid_reason or ""),
        protect_formula(row.comment or ""),
        protect_formula(row.decider_name or ""),
        format_moment(row.decided_at, tz),
        format_moment(row.verdict_due_at, tz),
        protect_formula(row.case_title or ""),
    ]
