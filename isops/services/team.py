"""The team as admins manage it (issue 13 point 5): `/isops team` lists members, roles, managers
and away periods; an admin changes a member's role or manager from Slack, an operator from the
command line (`isops member set`).

Who may change is read from the database by who asks (an active admin). A change keeps the
reporting lines sound: a manager is an active manager or admin, never the member themself nor
one of the people who report to them (no loops), and a member who still has people reporting
to them keeps a role that can manage.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from isops.enums import Role
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.models import AwayPeriod, Member
from isops.projection import from_attributes
from isops.services.lookup import member_by_slack_id, require_active_member
from isops.unit_of_work import UnitOfWork

ADMINS_ONLY = "チームの管理は管理者 (admin) だけができます"
MANAGING_ROLES = (Role.MANAGER, Role.ADMIN)


@dataclass(frozen=True)
class TeamMember:
    id: int
    slack_user_id: str
    name: str
    role: Role
    active: bool
    manager_id: int | None
    manager_name: str | None
    team: str | None
    away: tuple[tuple[dt.date, dt.date], ...]
    reports: int  # active members whose manager this is


@dataclass(frozen=True)
class TeamOverview:
    members: tuple[TeamMember, ...]

    def managers(self) -> list[TeamMember]:
        """Who may be someone's manager: active managers and admins."""
        return [m for m in self.members if m.active and m.role in MANAGING_ROLES]

    def get(self, member_id: int) -> TeamMember | None:
        return next((m for m in self.members if m.id == member_id), None)


def _require_admin(session: Session, slack_user_id: str) -> Member:
    actor = require_active_member(session, slack_user_id)
    if actor.role is not Role.ADMIN:
        raise NotAllowed(ADMINS_ONLY)
    return actor


def _overview(session: Session, today: dt.date) -> TeamOverview:
    manager = aliased(Member)
    rows = session.execute(
        select(Member, manager.name)
        .outerjoin(manager, manager.id == Member.manager_id)
        .order_by(Member.active.desc(), Member.role, Member.name, Member.id)
    ).all()
    away: dict[int, list[tuple[dt.date, dt.date]]] = defaultdict(list)
    for member_id, start, end in session.execute(
        select(AwayPeriod.member_id, AwayPeriod.start_date, AwayPeriod.end_date)
        .where(AwayPeriod.end_date >= today)
        .order_by(AwayPeriod.start_date)
    ):
        away[member_id].append((start, end))
    reports: dict[int, int] = defaultdict(int)
    for member, _ in rows:
        if member.active and member.manager_id is not None:
            reports[member.manager_id] += 1
    return TeamOverview(
        tuple(
            from_attributes(
                TeamMember,
                member,
                manager_name=manager_name,
                away=tuple(away.get(member.id, ())),
                reports=reports.get(member.id, 0),
            )
            for member, manager_name in rows
        )
    )


def team_overview(uow: UnitOfWork, *, slack_user_id: str, today: dt.date) -> TeamOverview:
    """Every member with role, manager, upcoming away periods (admins only)."""
    with uow:
        _require_admin(uow.session, slack_user_id)
        return _overview(uow.session, today)


def _manager_chain(session: Session, start: Member) -> set[int]:
    """The ids above `start` (its manager, that one's manager, …)."""
    seen: set[int] = set()
    current = start.manager_id
    while current is not None and current not in seen:
        seen.add(current)
        current = session.scalar(select(Member.manager_id).where(Member.id == current))
    return seen


def change_member(
    uow: UnitOfWork,
    *,
    member_slack_user_id: str,
    role: Role | None = None,
    manager_slack_user_id: str | None = None,
    clear_manager: bool = False,
    actor_slack_user_id: str | None = None,
    today: dt.date,
) -> TeamMember:
    """Change a member's role and/or manager. From Slack `actor_slack_user_id` must be an
    active admin; the command line passes None (the operator)."""
    with uow:
        session = uow.session
        if actor_slack_user_id is not None:
            _require_admin(session, actor_slack_user_id)
        member = member_by_slack_id(session, member_slack_user_id)
        if member is None:
            raise NotFound(f"メンバー {member_slack_user_id} が登録されていません")
        errors: dict[str, str] = {}
        new_role = role or member.role
        has_reports = (
            session.scalar(
                select(Member.id)
                .where(Member.manager_id == member.id, Member.active.is_(True))
                .limit(1)
            )
            is not None
        )
        if new_role not in MANAGING_ROLES and has_reports:
            errors["role"] = (
                f"{member.name} さんを上長とするメンバーがいます。先にその上長を変更してください"
            )
        new_manager: Member | None = None
        if manager_slack_user_id and not clear_manager:
            new_manager = member_by_slack_id(session, manager_slack_user_id)
            if new_manager is None:
                errors["manager"] = f"マネージャー {manager_slack_user_id} が登録されていません"
            elif new_manager.id == member.id:
                errors["manager"] = "自分自身をマネージャーにはできません"
            elif not new_manager.active or new_manager.role not in MANAGING_ROLES:
                errors["manager"] = f"{new_manager.name} さんはマネージャーではありません"
            elif member.id in _manager_chain(session, new_manager):
                errors["manager"] = (
                    f"{new_manager.name} さんは {member.name} さんの下にいるため上長にできません"
                )
        if errors:
            raise InvalidInput(errors)
        member.role = new_role
        if clear_manager:
            member.manager_id = None
        elif new_manager is not None:
            member.manager_id = new_manager.id
            if new_manager.team and not member.team:
                member.team = new_manager.team
        session.flush()
        changed = _overview(session, today).get(member.id)
        assert changed is not None
        uow.commit()
        return changed
