"""Who may see and log which leads: a rep their own, a manager their team's, an admin all.

Used inside a caller's open unit of work (steps of the lead and action services); the
decision is always taken from the database by who is acting, never from request data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar, member_zone
from isops.clock import utcnow
from isops.enums import Role
from isops.models import Lead, Member
from isops.projection import from_attributes
from isops.services.lookup import require_active_member


@dataclass(frozen=True)
class Actor:
    """The member acting, and the owners whose leads they may see (None: everyone)."""

    id: int
    slack_user_id: str
    name: str
    role: Role
    timezone: str | None
    # owner id → name for everyone whose leads this member may see; None for an admin.
    owners: dict[int, str] | None

    def may_act_for(self, owner_id: int | None) -> bool:
        if self.owners is None:
            return True
        return owner_id is not None and owner_id in self.owners

    def lead_filter(self) -> ColumnElement[bool]:
        """WHERE clause on `leads` for the leads this member may see (index on owner_id)."""
        if self.owners is None:
            return true()
        if len(self.owners) == 1:
            return Lead.owner_id == next(iter(self.owners))
        return Lead.owner_id.in_(sorted(self.owners))

    def today(self, calendar: BusinessCalendar) -> dt.date:
        """The member's local date (their own time zone when set, else the team's)."""
        return utcnow().astimezone(member_zone(self.timezone, calendar.tz)).date()


def load_actor(session: Session, *, slack_user_id: str) -> Actor:
    """The registered, active member with this Slack id, with their lead visibility."""
    member = require_active_member(session, slack_user_id)
    owners: dict[int, str] | None
    if member.role == Role.ADMIN:
        owners = None
    elif member.role == Role.MANAGER:
        # The team: the manager, everyone reporting to them, and members of the same team.
        conditions = [Member.id == member.id, Member.manager_id == member.id]
        if member.team:
            conditions.append(Member.team == member.team)
        owners = dict(session.execute(select(Member.id, Member.name).where(or_(*conditions))).all())
    else:
        owners = {member.id: member.name}
    return from_attributes(Actor, member, owners=owners)


def owner_names(session: Session, actor: Actor, owner_ids: set[int]) -> dict[int, str]:
    """Names of `owner_ids` (known from the actor's team, else one query)."""
    known = dict(actor.owners or {})
    missing = owner_ids - set(known)
    if missing:
        rows = session.execute(select(Member.id, Member.name).where(Member.id.in_(missing)))
        known.update({row.id: row.name for row in rows})
    return known
