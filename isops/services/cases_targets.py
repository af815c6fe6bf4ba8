"""Target lists from a case (article ②, issue 14 point 4): `/isops targets`.

A case names who it worked for — industry × role level × company size. Its target list is a
rep's open leads (statuses 1–3) that fit every one of those the case sets (the industry
folded as `cases.industry_key`; a lead whose role level or size is unknown does not fit a
case that sets it) and that still need work: not focus yet, or not yet approached
(isops.approach). Newest CV first. 注力にする makes one a focus lead with a next action date
inside rule 5's window, with history rows; a manager may send a rep their list by DM.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from isops.approach import is_approached, not_yet_approached
from isops.calendar import BusinessCalendar
from isops.case_vocabulary import CompanySize
from isops.clock import utcnow
from isops.date_labels import date_label
from isops.db import affected_rows
from isops.enums import ActionStatus, Priority, Role, RoleLevel
from isops.errors import Conflict, NotAllowed, NotFound
from isops.messages import LEAD_NOT_FOUND, LEAD_NOT_YOURS
from isops.models import Case, Lead, Member
from isops.projection import from_attributes
from isops.rules import Targets, next_action_date_problem
from isops.services import outbox
from isops.services.cases import CASE_NOT_FOUND, EDITORS, CaseDetail, load_details
from isops.services.cases_search import CaseFilters, case_conditions
from isops.services.history import record_change
from isops.services.lead_access import Actor, load_actor
from isops.text import fold
from isops.unit_of_work import UnitOfWork

KIND_CASE_TARGETS = "case_targets"
TARGETS_SHOWN = 20  # lines with a button; the rest are counted ("他 N 件")
MAX_CASE_OPTIONS = 100  # Slack's limit per select
MAX_REP_OPTIONS = 100
_OPEN = (ActionStatus.UNTOUCHED, ActionStatus.NOT_CONNECTED, ActionStatus.CONNECTED)
NOT_OPEN = "このリードは対応中ではありません (ステータス {status})"
NOT_YOUR_TEAM = "このメンバーのリードは表示できません (自分 / チームのメンバーのみ)"
MAY_NOT_SEND = "ターゲットリストを送れるのはマネージャーと管理者です"
HISTORY_NOTE = "ターゲットリスト (事例: {title})"


@dataclass(frozen=True)
class MemberRef:
    id: int
    slack_user_id: str
    name: str


@dataclass(frozen=True)
class CaseOption:
    id: int
    title: str
    industry: str
    role_level: RoleLevel | None
    company_size: CompanySize | None


@dataclass(frozen=True)
class TargetLead:
    id: int
    company: str
    contact_name: str | None
    title: str | None
    role_level: RoleLevel | None
    company_size: CompanySize | None
    industry: str | None
    cv_at: dt.datetime
    status: int
    priority: int | None
    next_action_date: dt.date | None
    approached: bool


@dataclass(frozen=True)
class TargetsView:
    """Everything the target-list message shows: the choices, the case, the rep's leads."""

    viewer: MemberRef
    rep: MemberRef  # whose leads are listed
    reps: tuple[MemberRef, ...]  # whom the viewer may pick (just themself for a rep)
    cases: tuple[CaseOption, ...]
    case: CaseDetail | None
    leads: tuple[TargetLead, ...]
    total: int
    may_send: bool  # a manager or admin looking at someone else's list
    notice: str | None = None  # what the last click did (注力にしました …)


@dataclass(frozen=True)
class SendResult:
    rep_name: str
    already_sent: bool


def _ref(member: Member) -> MemberRef:
    return MemberRef(member.id, member.slack_user_id, member.name)


def _rep_choices(session: Session, actor: Actor) -> tuple[MemberRef, ...]:
    stmt = select(Member).where(Member.active.is_(True), Member.role.in_((Role.REP, Role.MANAGER)))
    if actor.owners is not None:
        stmt = stmt.where(Member.id.in_(sorted(actor.owners)))
    members = session.scalars(stmt.order_by(Member.name, Member.id).limit(MAX_REP_OPTIONS))
    return tuple(_ref(m) for m in members)


def _case_choices(session: Session) -> tuple[CaseOption, ...]:
    rows = session.execute(
        select(Case.id, Case.title, Case.industry, Case.role_level, Case.company_size)
        .where(Case.archived.is_(False))
        .order_by(Case.updated_at.desc(), Case.id.desc())
        .limit(MAX_CASE_OPTIONS)
    ).all()
    return tuple(CaseOption(*row) for row in rows)


def fitting_leads(
    session: Session, case: Case, owner_id: int, *, limit: int = TARGETS_SHOWN
) -> tuple[list[TargetLead], int]:
    """(the first `limit` fitting leads of `owner_id`, newest CV first; how many fit)."""
    conditions = [
        Lead.owner_id == owner_id,
        Lead.status.in_(_OPEN),
        Lead.industry.is_not(None),
        or_(
            Lead.priority.is_(None),
            Lead.priority != Priority.FOCUS,
            not_yet_approached(),
        ),
    ]
    if case.role_level is not None:
        conditions.append(Lead.role_level == case.role_level)
    if case.company_size is not None:
        conditions.append(Lead.company_size == case.company_size)
    rows = session.execute(
        select(
            Lead.id,
            Lead.company,
            Lead.contact_name,
            Lead.title,
            Lead.role_level,
            Lead.company_size,
            Lead.industry,
            Lead.cv_at,
            Lead.status,
            Lead.priority,
            Lead.next_action_date,
            Lead.first_action_at,
        )
        .where(and_(*conditions))
        .order_by(Lead.cv_at.desc(), Lead.id.desc())
    ).all()
    # The industry is folded in Python (NFKC and kana have no SQL form on both databases);
    # the rows are one rep's open leads already narrowed by role level and size.
    fitting = [r for r in rows if fold(r.industry) == case.industry_key]
    leads = [
        from_attributes(TargetLead, r, approached=is_approached(r.status, r.first_action_at))
        for r in fitting[:limit]
    ]
    return leads, len(fitting)


def _rep_for(session: Session, actor: Actor, rep_member_id: int | None) -> Member:
    rep_id = rep_member_id or actor.id
    if not actor.may_act_for(rep_id):
        raise NotAllowed(NOT_YOUR_TEAM)
    rep = session.get(Member, rep_id)
    if rep is None:
        raise NotFound(NOT_YOUR_TEAM)
    return rep


def _view(session: Session, actor: Actor, *, case_id: int | None, rep: Member) -> TargetsView:
    viewer = MemberRef(actor.id, actor.slack_user_id, actor.name)
    case_detail: CaseDetail | None = None
    leads: list[TargetLead] = []
    total = 0
    if case_id is not None:
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        case_detail = load_details(session, [case.id])[case.id]
        leads, total = fitting_leads(session, case, rep.id)
    return TargetsView(
        viewer=viewer,
        rep=_ref(rep),
        reps=_rep_choices(session, actor) if actor.role in EDITORS else (_ref(rep),),
        cases=_case_choices(session),
        case=case_detail,
        leads=tuple(leads),
        total=total,
        may_send=actor.role in EDITORS and rep.id != actor.id,
    )


def targets_view(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    case_id: int | None = None,
    rep_member_id: int | None = None,
    query: str = "",
) -> TargetsView:
    """The target list of `case_id` for the caller's leads (a manager: a team member's,
    `rep_member_id`; an admin: anyone's). Without a case, `query` picks the one case it
    matches (as `/case` would); otherwise only the choices are shown."""
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        rep = _rep_for(session, actor, rep_member_id)
        if case_id is None and query.strip():
            found = list(
                session.scalars(
                    select(Case.id).where(*case_conditions(CaseFilters(keyword=query))).limit(2)
                )
            )
            case_id = found[0] if len(found) == 1 else None
        return _view(session, actor, case_id=case_id, rep=rep)


def targets_for_member(uow: UnitOfWork, *, case_id: int, member_id: int) -> TargetsView:
    """The list a manager sent to `member_id`, as that member sees it (the DM's sender)."""
    with uow:
        session = uow.session
        member = session.get(Member, member_id)
        if member is None:
            raise NotFound(NOT_YOUR_TEAM)
        actor = load_actor(session, slack_user_id=member.slack_user_id)
        return _view(session, actor, case_id=case_id, rep=member)


def focus_date(
    current: dt.date | None, *, today: dt.date, calendar: BusinessCalendar, max_days: int
) -> dt.date:
    """Rule 5: a date inside today … today + max_days. One already there is kept; otherwise
    the next business day (so tomorrow morning's DM lists the lead), or today when the next
    business day is beyond the window."""
    limit = today + dt.timedelta(days=max_days)
    if current is not None and today <= current <= limit:
        return current
    candidate = calendar.next_business_day(today)
    return candidate if candidate <= limit else today


def focus_lead(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    lead_id: int,
    case_id: int,
    rep_member_id: int | None,
    calendar: BusinessCalendar,
    focus_max_days: int,
) -> TargetsView:
    """注力にする: the lead becomes a focus lead with a next action date inside rule 5's window
    (history rows for what changed), for its owner or the owner's manager; returns the list
    again with a notice. A change made meanwhile by someone else is a Conflict."""
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        lead = session.get(Lead, lead_id)
        if lead is None:
            raise NotFound(LEAD_NOT_FOUND)
        if not actor.may_act_for(lead.owner_id):
            raise NotAllowed(LEAD_NOT_YOURS)
        if lead.status not in _OPEN:
            raise Conflict(NOT_OPEN.format(status=ActionStatus(lead.status).label))
        case = session.get(Case, case_id)
        if case is None:
            raise NotFound(CASE_NOT_FOUND)
        today = actor.today(calendar)
        old_priority, old_date = lead.priority, lead.next_action_date
        new_date = focus_date(old_date, today=today, calendar=calendar, max_days=focus_max_days)
        # Rule 5 has one definition (isops.rules); the date chosen must pass it.
        problem = next_action_date_problem(
            next_action_date=new_date,
            priority=Priority.FOCUS,
            today=today,
            targets=Targets(focus_max_days=focus_max_days),
            status=lead.status,
        )
        if problem is not None:  # pragma: no cover - focus_date stays inside the window
            raise Conflict(problem)
        now = utcnow()
        changed = session.execute(
            update(Lead)
            .where(
                Lead.id == lead.id,
                Lead.status.in_(_OPEN),
                Lead.priority.is_(None) if old_priority is None else Lead.priority == old_priority,
                Lead.next_action_date.is_(None)
                if old_date is None
                else Lead.next_action_date == old_date,
            )
            .values(priority=Priority.FOCUS, next_action_date=new_date, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(changed) != 1:
            raise Conflict("このリードはたった今ほかの人が更新しました。もう一度お試しください")
        note = HISTORY_NOTE.format(title=case.title)
        for field, old, new in (
            ("priority", old_priority, int(Priority.FOCUS)),
            ("next_action_date", old_date, new_date),
        ):
            if old != new:
                record_change(
                    session,
                    lead_id=lead.id,
                    member_id=actor.id,
                    field=field,
                    old=old,
                    new=new,
                    note=note,
                    at=now,
                )
        owner_id = lead.owner_id
        company = lead.company
        rep = _rep_for(session, actor, rep_member_id or owner_id)
        view = _view(session, actor, case_id=case.id, rep=rep)
        uow.commit()
    return replace(
        view,
        notice=f"✅ {company} を注力リードにしました (次回活動予定日 {date_label(new_date)})",
    )


def send_targets(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    case_id: int,
    rep_member_id: int,
    calendar: BusinessCalendar,
) -> SendResult:
    """A manager (or admin) sends a rep the case's target list as a DM, through the outbox;
    once per manager, case, rep and day (a second click says it was sent already)."""
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        if actor.role not in EDITORS:
            raise NotAllowed(MAY_NOT_SEND)
        rep = _rep_for(session, actor, rep_member_id)
        if session.get(Case, case_id) is None:
            raise NotFound(CASE_NOT_FOUND)
        today = actor.today(calendar)
        key = f"case-targets:{case_id}:{rep.id}:{today.isoformat()}:{actor.id}"
        stored = outbox.enqueue_once(
            uow,
            kind=KIND_CASE_TARGETS,
            key=key,
            payload={
                "case_id": case_id,
                "member_id": rep.id,
                "slack_user_id": rep.slack_user_id,
                "sent_by": actor.name,
            },
            now=utcnow(),
        )
        uow.commit()
        return SendResult(rep_name=rep.name, already_sent=not stored)
