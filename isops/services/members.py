"""Team members: who is a rep, who manages whom."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import aliased

from isops.enums import Role
from isops.errors import InvalidInput, NotFound
from isops.models import Member
from isops.projection import from_attributes
from isops.services.lookup import member_by_slack_id
from isops.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class MemberView:
    id: int
    slack_user_id: str
    name: str
    role: Role
    manager_slack_user_id: str | None
    team: str | None
    active: bool
    timezone: str | None
    email: str | None


def _view(member: Member, manager_slack_user_id: str | None) -> MemberView:
    return from_attributes(MemberView, member, manager_slack_user_id=manager_slack_user_id)


def add_member(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    name: str,
    role: Role,
    manager_slack_user_id: str | None = None,
    team: str | None = None,
    email: str | None = None,
    timezone: str | None = None,
) -> MemberView:
    """Add a member, or update the one with this Slack user id (re-running is safe)."""
    slack_user_id = slack_user_id.strip()
    name = name.strip()
    errors: dict[str, str] = {}
    if not slack_user_id or slack_user_id[0] not in "UW" or not slack_user_id.isalnum():
        errors["slack_user_id"] = f"Slack ユーザー ID の形式ではありません: {slack_user_id!r}"
    if not name:
        errors["name"] = "名前を入力してください"
    if manager_slack_user_id == slack_user_id:
        errors["manager"] = "自分自身をマネージャーにはできません"
    if errors:
        raise InvalidInput(errors)
    with uow:
        session = uow.session
        manager: Member | None = None
        if manager_slack_user_id:
            manager = member_by_slack_id(session, manager_slack_user_id)
            if manager is None:
                raise NotFound(f"マネージャー {manager_slack_user_id} が登録されていません")
        member = member_by_slack_id(session, slack_user_id)
        if member is None:
            member = Member(slack_user_id=slack_user_id, name=name, role=role)
            session.add(member)
        member.name = name
        member.role = role
        member.manager_id = manager.id if manager else None
        member.team = team if team is not None else (manager.team if manager else member.team)
        member.active = True
        if email is not None:
            member.email = email
        if timezone is not None:
            member.timezone = timezone
        session.flush()
        view = _view(member, manager.slack_user_id if manager else None)
        uow.commit()
        return view


def list_members(uow: UnitOfWork) -> list[MemberView]:
    """Every member, managers' ids resolved, in a stable order."""
    manager = aliased(Member)
    with uow:
        rows = uow.session.execute(
            select(Member, manager.slack_user_id)
            .outerjoin(manager, Member.manager_id == manager.id)
            .order_by(Member.role, Member.name, Member.id)
        ).all()
        return [_view(member, manager_id) for member, manager_id in rows]


def find_member(uow: UnitOfWork, *, slack_user_id: str) -> MemberView | None:
    """The member with this Slack user id, if registered."""
    with uow:
        member = member_by_slack_id(uow.session, slack_user_id)
        if member is None:
            return None
        manager_id = (
            uow.session.scalar(select(Member.slack_user_id).where(Member.id == member.manager_id))
            if member.manager_id
            else None
        )
        return _view(member, manager_id)
