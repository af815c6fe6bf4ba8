"""担当を振り替える (issue 13 point 3): an away rep's urgent leads moved to another rep of the team.

From the manager's morning DM: the away rep's urgent leads (🔥 inbound not approached with the
deadline today or past, ⏰/📅 focus leads whose date has come) are offered with the team's reps
who are in today. Moving a lead is one transaction: the owner, a `lead_history` row
(`field = "owner"`, the old and new owner's Slack ids, `note` saying why and who), and the new
owner's DM in the outbox. What the lead carries stays with it: a pending 4/6 review follows
the lead (the new owner's manager decides — the same team), a returned decision's reason shows
in the new owner's list, and a hand-off keeps its rep (the meeting was theirs: 有効商談 figures
stay with who set it).

Who may do it is read from the database by who clicked: a manager for their team's leads and
reps, an admin for anyone's; a lead or a rep of another team is refused and nothing moves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from isops.approach import not_yet_approached
from isops.calendar import BusinessCalendar
from isops.enums import OPEN_STATUSES, Priority, Role
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.models import AwayPeriod, Lead, Member
from isops.services import outbox
from isops.services.history import record_change
from isops.services.lead_access import Actor, load_actor
from isops.services.reminders.day import DigestDay
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

LEAD_REASSIGNED = "lead_reassigned"  # outbox kind: the new owner's DM
NOT_YOUR_TEAM = "自分のチームのリードと担当者だけ振り替えられます"
NOT_MANAGER = "担当の振り替えはマネージャーか管理者だけができます"
NOTE = "担当の振り替え (休暇中、{by} さん)"
MAX_LEADS = 50


@dataclass(frozen=True)
class UrgentLead:
    lead_id: int
    company: str
    contact_name: str | None
    inbound: bool
    next_action_date: dt.date | None


@dataclass(frozen=True)
class Candidate:
    member_id: int
    name: str


@dataclass(frozen=True)
class ReassignChoice:
    """What the modal offers: the away rep's urgent leads and the reps who may take them."""

    from_member_id: int
    from_name: str
    leads: tuple[UrgentLead, ...]
    candidates: tuple[Candidate, ...]


@dataclass(frozen=True)
class Reassigned:
    moved: tuple[int, ...]  # lead ids
    to_name: str
    to_slack_user_id: str
    from_name: str


def _require_manager(actor: Actor) -> None:
    if actor.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed(NOT_MANAGER)


def _team_reps(
    session: Session, actor: Actor, rep: Member, today: dt.date
) -> tuple[Candidate, ...]:
    """Active reps of the away rep's team (same manager), not away today, not the rep."""
    away = select(AwayPeriod.member_id).where(
        AwayPeriod.start_date <= today, AwayPeriod.end_date >= today
    )
    rows = session.execute(
        select(Member.id, Member.name)
        .where(
            Member.active.is_(True),
            Member.role == Role.REP,
            Member.id != rep.id,
            Member.manager_id == rep.manager_id if rep.manager_id else Member.manager_id.is_(None),
            Member.id.not_in(away),
        )
        .order_by(Member.name, Member.id)
    ).all()
    return tuple(Candidate(r.id, r.name) for r in rows if actor.may_act_for(r.id))


def reassign_choice(
    uow: UnitOfWork,
    *,
    actor_slack_user_id: str,
    from_member_id: int,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
) -> ReassignChoice:
    """The away rep's urgent leads this morning and the reps of the team who are in."""
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=actor_slack_user_id)
        _require_manager(actor)
        rep = session.get(Member, from_member_id)
        if rep is None or not actor.may_act_for(rep.id):
            raise NotAllowed(NOT_YOUR_TEAM)
        today = calendar.local_date(now)
        day = DigestDay.of(today, now, settings, calendar)
        rows = session.execute(
            select(Lead.id, Lead.company, Lead.contact_name, Lead.inbound, Lead.next_action_date)
            .where(
                Lead.owner_id == rep.id,
                Lead.status.in_(OPEN_STATUSES),
                or_(
                    and_(
                        Lead.inbound.is_(True),
                        not_yet_approached(),
                        Lead.cv_at < day.inbound_due_before,
                    ),
                    and_(
                        Lead.priority.is_not(None),
                        Lead.priority == Priority.FOCUS,
                        Lead.next_action_date.is_not(None),
                        Lead.next_action_date <= day.due_until,
                    ),
                ),
            )
            .order_by(Lead.inbound.desc(), Lead.next_action_date, Lead.cv_at, Lead.id)
            .limit(MAX_LEADS)
        ).all()
        return ReassignChoice(
            from_member_id=rep.id,
            from_name=rep.name,
            leads=tuple(
                UrgentLead(r.id, r.company, r.contact_name, r.inbound, r.next_action_date)
                for r in rows
            ),
            candidates=_team_reps(session, actor, rep, today),
        )


def reassign_leads(
    uow: UnitOfWork,
    *,
    actor_slack_user_id: str,
    lead_ids: Sequence[int],
    to_member_id: int,
    now: dt.datetime,
) -> Reassigned:
    """Move `lead_ids` to `to_member_id` with history and the new owner's DM (one
    transaction). Refused whole when a lead or the new owner is outside the clicker's team."""
    if not lead_ids:
        raise InvalidInput({"leads": "振り替えるリードを選んでください"})
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=actor_slack_user_id)
        _require_manager(actor)
        target = session.get(Member, to_member_id)
        if target is None or not target.active or target.role is not Role.REP:
            raise NotFound("振り替え先の担当者が見つかりません")
        if not actor.may_act_for(target.id):
            raise NotAllowed(NOT_YOUR_TEAM)
        leads = list(
            session.scalars(
                select(Lead)
                .where(Lead.id.in_(sorted(set(lead_ids))))
                .order_by(Lead.id)
                .with_for_update()
            )
        )
        if len(leads) != len(set(lead_ids)):
            raise NotFound("リードが見つかりません (削除されたかもしれません)")
        if any(not actor.may_act_for(lead.owner_id) for lead in leads):
            raise NotAllowed(NOT_YOUR_TEAM)
        previous = {
            row.id: row
            for row in session.execute(
                select(Member.id, Member.slack_user_id, Member.name).where(
                    Member.id.in_({lead.owner_id for lead in leads if lead.owner_id})
                )
            )
        }
        owners = {i: row.slack_user_id for i, row in previous.items()}
        names = {i: row.name for i, row in previous.items()}
        moved: list[int] = []
        from_names: set[str] = set()
        for lead in leads:
            if lead.owner_id == target.id or lead.status not in OPEN_STATUSES:
                continue
            old = lead.owner_id
            record_change(
                session,
                lead_id=lead.id,
                member_id=actor.id,
                field="owner",
                old=owners.get(old) if old else None,
                new=target.slack_user_id,
                note=NOTE.format(by=actor.name),
                at=now,
            )
            lead.owner_id = target.id
            moved.append(lead.id)
            if old:
                from_names.add(names.get(old, ""))
            outbox.enqueue(
                uow,
                kind=LEAD_REASSIGNED,
                payload={
                    "lead_id": lead.id,
                    "to_slack_user_id": target.slack_user_id,
                    "from_name": names.get(old, "") if old else "",
                    "by_name": actor.name,
                    "company": lead.company,
                    "contact_name": lead.contact_name,
                    "inbound": lead.inbound,
                    "next_action_date": lead.next_action_date.isoformat()
                    if lead.next_action_date
                    else None,
                    "cv_at": lead.cv_at.isoformat(),
                },
            )
        uow.commit()
        return Reassigned(
            moved=tuple(moved),
            to_name=target.name,
            to_slack_user_id=target.slack_user_id,
            from_name="、".join(sorted(n for n in from_names if n)),
        )
