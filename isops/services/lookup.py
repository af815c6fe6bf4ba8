"""Finding a member by Slack user id, inside a caller's open unit of work.

One place for the lookup; the Japanese message a stranger sees is `isops.messages`'."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.errors import NotAllowed, NotFound
from isops.messages import INACTIVE, NOT_REGISTERED
from isops.models import Member


def member_by_slack_id(session: Session, slack_user_id: str) -> Member | None:
    """The member with this Slack user id, active or not, if registered."""
    return session.scalar(select(Member).where(Member.slack_user_id == slack_user_id))


def require_member(session: Session, slack_user_id: str) -> Member:
    """The member with this Slack user id (active or not); `NotFound` when not registered."""
    member = member_by_slack_id(session, slack_user_id)
    if member is None:
        raise NotFound(NOT_REGISTERED)
    return member


def require_active_member(session: Session, slack_user_id: str) -> Member:
    """The registered member with this Slack user id; `NotAllowed` when deactivated."""
    member = require_member(session, slack_user_id)
    if not member.active:
        raise NotAllowed(INACTIVE)
    return member
