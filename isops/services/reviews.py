"""Manager review of "no action needed" (status 4 or 6), DOMAIN.md rule 3.

`request_review` and `withdraw_pending_review` run inside a caller's open unit of work (they
are steps of logging an action); the decision services below open their own.
"""

from __future__ import annotations

from sqlalchemy import select

from isops.clock import utcnow
from isops.enums import ActionStatus, ReviewState
from isops.models import LeadHistory, NoActionReview
from isops.services import outbox
from isops.unit_of_work import UnitOfWork

REVIEW_REQUESTED = "review_requested"  # outbox kind: post the manager's interactive message
REVIEW_WITHDRAWN = "review_withdrawn"  # outbox kind: update that message ("取り下げ")


def pending_review_id(uow: UnitOfWork, *, lead_id: int) -> int | None:
    """The lead's pending review, if any (inside the caller's unit of work)."""
    return uow.session.scalar(
        select(NoActionReview.id).where(
            NoActionReview.lead_id == lead_id, NoActionReview.state == ReviewState.PENDING
        )
    )


def request_review(
    uow: UnitOfWork,
    *,
    lead_id: int,
    requested_by_id: int,
    requested_status: int,
    previous_status: int,
    reason_code: str,
    memo: str,
) -> int:
    """Start a pending review and queue the manager's message (caller commits)."""
    if requested_status not in (
        ActionStatus.NO_ACTION_BEFORE_CONNECT,
        ActionStatus.NO_ACTION_AFTER_CONNECT,
    ):
        raise ValueError(f"status {requested_status} needs no review")
    review = NoActionReview(
        lead_id=lead_id,
        requested_by_id=requested_by_id,
        requested_status=requested_status,
        previous_status=previous_status,
        reason_code=reason_code,
        memo=memo,
        state=ReviewState.PENDING,
    )
    uow.session.add(review)
    uow.session.flush()
    uow.session.add(
        LeadHistory(
            lead_id=lead_id,
            member_id=requested_by_id,
            field="review",
            old_value=None,
            new_value=ReviewState.PENDING.value,
            note=f"{reason_code}: {memo}",
            changed_at=utcnow(),
        )
    )
    outbox.enqueue(uow, kind=REVIEW_REQUESTED, payload={"review_id": review.id})
    return review.id


def withdraw_pending_review(uow: UnitOfWork, *, lead_id: int, by_member_id: int) -> int | None:
    """A new action on a pending lead withdraws its review (caller commits). Returns its id."""
    review = uow.session.scalar(
        select(NoActionReview).where(
            NoActionReview.lead_id == lead_id, NoActionReview.state == ReviewState.PENDING
        )
    )
    if review is None:
        return None
    review.state = ReviewState.WITHDRAWN
    review.decided_by_id = by_member_id
    review.decided_at = utcnow()
    uow.session.add(
        LeadHistory(
            lead_id=lead_id,
            member_id=by_member_id,
            field="review",
            old_value=ReviewState.PENDING.value,
            new_value=ReviewState.WITHDRAWN.value,
            note="新しい活動の記録により取り下げ",
            changed_at=utcnow(),
        )
    )
    outbox.enqueue(uow, kind=REVIEW_WITHDRAWN, payload={"review_id": review.id})
    return review.id
