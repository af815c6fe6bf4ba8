"""Test data written straight through the ORM, counters kept as the services keep them."""

from __future__ import annotations

import datetime as dt
import itertools

from sqlalchemy import select

from isops.enums import Channel, Role
from isops.models import Action, Lead, Member
from isops.rules import Targets
from isops.services.counters import apply_action_to_lead
from isops.text import lead_search_text
from isops.unit_of_work import UnitOfWork

_seq = itertools.count(1)
TOKYO_9AM_2026_11_27 = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # 09:00 JST


def member(
    uow: UnitOfWork,
    slack_user_id: str,
    *,
    role: Role = Role.REP,
    manager: str | None = None,
    name: str | None = None,
    team: str | None = None,
    timezone: str | None = None,
    active: bool = True,
) -> int:
    """Create a member (manager given by Slack id); returns its id."""
    with uow:
        manager_id = (
            uow.session.scalar(select(Member.id).where(Member.slack_user_id == manager))
            if manager
            else None
        )
        row = Member(
            slack_user_id=slack_user_id,
            name=name or slack_user_id,
            role=role,
            manager_id=manager_id,
            team=team,
            timezone=timezone,
            active=active,
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def lead(
    uow: UnitOfWork,
    *,
    owner: str | None,
    company: str | None = None,
    contact_name: str | None = "担当者",
    status: int = 1,
    priority: int | None = None,
    next_action_date: dt.date | None = None,
    cv_at: dt.datetime = TOKYO_9AM_2026_11_27,
    source: str | None = None,
    inbound: bool = False,
    email: str | None = None,
    memo: str = "",
) -> int:
    """Create a lead owned by the member with Slack id `owner`; returns its id."""
    company = company or f"株式会社テスト{next(_seq)}"
    with uow:
        owner_id = (
            uow.session.scalar(select(Member.id).where(Member.slack_user_id == owner))
            if owner
            else None
        )
        row = Lead(
            company=company,
            contact_name=contact_name,
            status=status,
            priority=priority,
            next_action_date=next_action_date,
            cv_at=cv_at,
            source=source,
            inbound=inbound,
            email=email,
            memo=memo,
            owner_id=owner_id,
            search_text=lead_search_text(company, contact_name),
        )
        uow.session.add(row)
        uow.session.flush()
        uow.commit()
        return row.id


def action(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str | None,
    channel: Channel = Channel.CALL,
    outcome: str = "不在",
    acted_at: dt.datetime = TOKYO_9AM_2026_11_27,
    targets: Targets | None = None,
) -> int:
    """Add an action to a lead, keeping the lead's counters; returns the action id."""
    with uow:
        member_id = (
            uow.session.scalar(select(Member.id).where(Member.slack_user_id == by)) if by else None
        )
        row = Action(
            lead_id=lead_id,
            member_id=member_id,
            channel=channel,
            outcome=outcome,
            acted_at=acted_at,
        )
        uow.session.add(row)
        apply_action_to_lead(uow.session.get_one(Lead, lead_id), row, targets or Targets())
        uow.session.flush()
        uow.commit()
        return row.id


def review(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str,
    status: int = 4,
    reason_code: str = "対象外",
    memo: str = "決裁者に届かない",
) -> int:
    """A pending review of `status` (4 or 6) by rep `by`, the lead's status set to it at once
    as logging does; returns the review id (its manager message is queued in the outbox)."""
    from isops.services.reviews import request_review

    with uow:
        member_id = uow.session.scalar(select(Member.id).where(Member.slack_user_id == by))
        assert member_id is not None, f"no member {by}"
        row = uow.session.get_one(Lead, lead_id)
        previous = row.status
        row.status = status
        review_id = request_review(
            uow,
            lead_id=lead_id,
            requested_by_id=member_id,
            requested_status=status,
            previous_status=previous,
            reason_code=reason_code,
            memo=memo,
        )
        uow.commit()
        return review_id


def returned_review(
    uow: UnitOfWork,
    lead_id: int,
    *,
    by: str,
    manager: str,
    reason: str,
    decided_at: dt.datetime,
    status: int = 4,
) -> int:
    """A status-4/6 request by rep `by` that `manager` returned (差し戻し) with `reason` at
    `decided_at`; the lead is back at 2 (from 4) or 3 (from 6), as a return leaves it."""
    from isops.enums import ActionStatus, ReviewState
    from isops.models import NoActionReview
    from isops.services.reviews import RETURNED_STATUS

    with uow:
        ids = dict(
            uow.session.execute(
                select(Member.slack_user_id, Member.id).where(
                    Member.slack_user_id.in_([by, manager])
                )
            ).all()
        )
        row = uow.session.get_one(Lead, lead_id)
        review = NoActionReview(
            lead_id=lead_id,
            requested_by_id=ids[by],
            requested_status=status,
            previous_status=row.status,
            reason_code="対象外",
            memo="",
            state=ReviewState.RETURNED,
            decided_by_id=ids[manager],
            decided_at=decided_at,
            return_reason=reason,
            created_at=decided_at - dt.timedelta(hours=2),
        )
        row.status = RETURNED_STATUS[ActionStatus(status)]
        uow.session.add(review)
        uow.session.flush()
        uow.commit()
        return review.id
