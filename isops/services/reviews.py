"""Manager review of "no action needed" (status 4 or 6), DOMAIN.md rule 3.

`request_review` and `withdraw_pending_review` run inside a caller's open unit of work (they
are steps of logging an action); the decision services below open their own.

A decision is a compare-and-set, `UPDATE no_action_reviews ... WHERE id = :id AND state =
'pending'`: of two managers deciding at the same moment exactly one touches the row. PostgreSQL
re-checks the WHERE clause once the winner commits (so a loser that read "pending" still
updates nothing); SQLite takes the write lock at BEGIN IMMEDIATE, so the loser reads the verdict.
Either way the loser is told who decided and when, and nothing of theirs is saved.

Who is "the rep" (rule 3 says the lead leaves, or comes back to, the rep's list): the lead's
owner (`Lead.owner_id`), not whoever logged the 4/6 (`requested_by_id`) — a manager may log on
a rep's lead. Only a lead without an owner (only an admin can log one) falls back to the
requester. From the owner follow:
- who may decide: the owner's manager, an admin, or any manager when a review channel is
  used and the team allows it (`may_decide`);
- who gets the manager's message: the owner's active manager (or the review channel, with
  that manager pinged);
- who gets the return DM: the owner.
A separate rule: nobody decides a review they requested, and nobody decides one on a lead they
own. When that rules out the owner's manager (they logged the 4/6 themselves), an admin — or,
with a shared review channel, another manager — must decide: the message then goes to the
first active admin who is neither the requester nor the owner, as it does when the owner has
no active manager. With no such admin it is listed by `/isops reviews` only.

Where the manager's message lives (`message_channel`/`message_ts`) is recorded only by the
sender that posted it (`record_review_message`). A decision never stores a location from a
request (a click's container, a modal's private_metadata): what decides where the bot writes
comes from the database, not from a payload.

One aggregate, one module (~730 lines, past the usual ~500 on purpose): requesting,
withdrawing, deciding and reading a review share the rep rule, the authorization, the lead's
row lock and the compare-and-set above; split by verb, each would need the others' internals.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import Session, aliased

from isops import messages
from isops.calendar import BusinessCalendar
from isops.clock import utcnow
from isops.date_labels import date_label, moment_label
from isops.db import affected_rows
from isops.enums import PRIORITIES, ActionStatus, Priority, ReviewState, Role
from isops.errors import Conflict, InvalidInput, NotAllowed, NotFound
from isops.messages import NOT_THE_MANAGER, OWN_DECISION, OWN_LEAD, REVIEW_NOT_FOUND
from isops.models import Lead, Member, NoActionReview
from isops.pending_review import is_pending
from isops.projection import from_attributes
from isops.rules import FiveC2M, Targets, add_months, five_c2m, next_action_date_problem
from isops.services import live_lists, outbox
from isops.services.history import record_change
from isops.services.lookup import require_active_member
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

REVIEW_REQUESTED = "review_requested"  # outbox kind: post the manager's interactive message
REVIEW_WITHDRAWN = "review_withdrawn"  # outbox kind: update that message ("取り下げ")
REVIEW_DECIDED = "review_decided"  # outbox kind: update that message with the verdict
REVIEW_RETURNED = "review_returned"  # outbox kind: DM the rep the reason, with a 記録 button

RETURN_REASON_MAX = 1000
# DOMAIN.md rule 3: a returned lead goes back to 未接続 (from 4) or 接続済 (from 6).
RETURNED_STATUS: dict[ActionStatus, ActionStatus] = {
    ActionStatus.NO_ACTION_BEFORE_CONNECT: ActionStatus.NOT_CONNECTED,
    ActionStatus.NO_ACTION_AFTER_CONNECT: ActionStatus.CONNECTED,
}


@dataclass(frozen=True)
class ReviewConfig:
    """The team's review settings (from `Settings`): who may decide, rule 6, 5C2M targets."""

    review_channel: bool = False  # reviews go to a shared channel instead of managers' DMs
    channel_any_manager: bool = True  # … where any manager may decide
    reapproach_months: int = 3  # rule 6: suggested re-approach after status 6 (0 = none)
    targets: Targets = field(default_factory=Targets)

    @classmethod
    def from_settings(cls, settings: Settings) -> ReviewConfig:
        return cls(
            review_channel=bool(settings.review_channel),
            channel_any_manager=settings.review_channel_any_manager,
            reapproach_months=settings.reapproach_months,
            targets=settings.targets,
        )


@dataclass(frozen=True)
class ReviewDetail:
    """One review with what a manager needs to decide it, and its verdict once given."""

    id: int
    state: ReviewState
    requested_status: int
    previous_status: int
    reason_code: str
    memo: str
    requested_at: dt.datetime
    # The rep: the lead's owner (or the requester, for a lead without one).
    rep_slack_user_id: str
    rep_name: str
    # Who logged the 4/6: the rep, or e.g. their manager logging on the rep's lead.
    requested_by_slack_user_id: str
    requested_by_name: str
    # Who gets the message: the rep's active manager unless they requested it, else the first
    # active admin who is neither the requester nor the rep (None: no one).
    reviewer_slack_user_id: str | None
    lead_id: int
    company: str
    contact_name: str | None
    title: str | None
    role_level: str | None
    source: str | None
    cv_at: dt.datetime
    lead_status: int
    priority: int | None
    next_action_date: dt.date | None
    progress: FiveC2M
    last_action_at: dt.datetime | None
    last_outcome: str | None
    decided_by_slack_user_id: str | None
    decided_by_name: str | None
    decided_at: dt.datetime | None
    return_reason: str | None
    reapproach_date: dt.date | None
    message_channel: str | None
    message_ts: str | None

    @property
    def pending(self) -> bool:
        return self.state is ReviewState.PENDING

    @property
    def requested_by_rep(self) -> bool:
        """The rep logged the 4/6 themself (else someone else did, on the rep's lead)."""
        return self.requested_by_slack_user_id == self.rep_slack_user_id

    @property
    def returned_status(self) -> ActionStatus:
        """The status a return (差し戻し) puts the lead back to."""
        return RETURNED_STATUS[ActionStatus(self.requested_status)]


@dataclass(frozen=True)
class RecordedMessage:
    """`record_review_message`'s answer: the review now, and whether this call stored the
    message's location (if not, an earlier delivery of the same message already did)."""

    detail: ReviewDetail
    stored: bool


@dataclass(frozen=True)
class PendingReviews:
    """`/isops reviews`: the oldest pending reviews the caller may decide, and how many exist."""

    items: tuple[ReviewDetail, ...]
    total: int


def may_decide(
    *,
    decider_id: int,
    decider_role: Role,
    rep_id: int,
    rep_manager_id: int | None,
    config: ReviewConfig,
) -> bool:
    """Rule 3's authorization: the rep's (the lead owner's) manager, an admin, or — when
    reviews go to a shared channel and the team allows it — any manager. Never the rep
    themself. (Nobody decides their own request either: `_authorized_pending` checks that.)"""
    if decider_id == rep_id:
        return False
    if decider_role is Role.ADMIN or decider_id == rep_manager_id:
        return True
    return config.review_channel and config.channel_any_manager and decider_role is Role.MANAGER


def _rep_id() -> ColumnElement[int]:
    """SQL for the review's rep: the lead's owner, or the requester for a lead without one
    (needs `leads` and `no_action_reviews` in the query)."""
    return func.coalesce(Lead.owner_id, NoActionReview.requested_by_id)


# -- steps inside the logging feature's transaction ---------------------------------------------


def pending_review_id(uow: UnitOfWork, *, lead_id: int) -> int | None:
    """The lead's pending review, if any (inside the caller's unit of work)."""
    return uow.session.scalar(
        select(NoActionReview.id).where(NoActionReview.lead_id == lead_id, is_pending())
    )


def request_review(
    uow: UnitOfWork,
    *,
    lead_id: int,
    requested_by_id: int,
    requested_status: ActionStatus,
    previous_status: ActionStatus,
    reason_code: str,
    memo: str,
) -> int:
    """Start a pending review and queue the manager's message (caller commits)."""
    if requested_status not in RETURNED_STATUS:
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
    _record_review_change(
        uow,
        lead_id=lead_id,
        member_id=requested_by_id,
        old=None,
        new=ReviewState.PENDING,
        note=f"{reason_code}: {memo}",
    )
    outbox.enqueue(uow, kind=REVIEW_REQUESTED, payload={"review_id": review.id})
    return review.id


def withdraw_pending_review(uow: UnitOfWork, *, lead_id: int, by_member_id: int) -> int | None:
    """A new action on a pending lead withdraws its review (caller commits). Returns its id,
    or None when there was none — or a manager decided it a moment ago (compare-and-set)."""
    review_id = pending_review_id(uow, lead_id=lead_id)
    if review_id is None:
        return None
    now = utcnow()
    claimed = uow.session.execute(
        update(NoActionReview)
        .where(NoActionReview.id == review_id, NoActionReview.state == ReviewState.PENDING)
        .values(state=ReviewState.WITHDRAWN, decided_by_id=by_member_id, decided_at=now)
    )
    if affected_rows(claimed) != 1:
        return None
    _record_review_change(
        uow,
        lead_id=lead_id,
        member_id=by_member_id,
        old=ReviewState.PENDING,
        new=ReviewState.WITHDRAWN,
        note="新しい活動の記録により取り下げ",
        at=now,
    )
    outbox.enqueue(uow, kind=REVIEW_WITHDRAWN, payload={"review_id": review_id})
    return review_id


# -- decisions -----------------------------------------------------------------------------------


def review_for_decision(
    uow: UnitOfWork,
    *,
    review_id: int,
    decider_slack_user_id: str,
    config: ReviewConfig,
    calendar: BusinessCalendar,
) -> ReviewDetail:
    """The review, if this member may decide it now (before the return modal opens);
    raises NotAllowed, NotFound or Conflict (naming who decided) otherwise."""
    with uow:
        _authorized_pending(uow, review_id, decider_slack_user_id, config, calendar)
        return _detail(uow, review_id, config)


def approve_review(
    uow: UnitOfWork,
    *,
    review_id: int,
    decider_slack_user_id: str,
    config: ReviewConfig,
    calendar: BusinessCalendar,
    reapproach: bool = True,
) -> ReviewDetail:
    """承認: the 4/6 stands and the lead leaves the rep's lists. For status 6 a re-approach
    date is set (rule 6: `reapproach_months` ahead, on a business day) unless `reapproach` is
    off."""
    with uow:
        decision = _decision(uow, review_id, decider_slack_user_id, config, calendar)
        reapproach_date: dt.date | None = None
        if (
            reapproach
            and decision.review.requested_status == ActionStatus.NO_ACTION_AFTER_CONNECT
            and config.reapproach_months > 0
        ):
            target = add_months(calendar.local_date(decision.now), config.reapproach_months)
            reapproach_date = calendar.business_day_on_or_after(target)
        decision.settle(
            ReviewState.APPROVED,
            {"reapproach_date": reapproach_date},
            note=f"再アプローチ予定 {date_label(reapproach_date)}" if reapproach_date else None,
        )
        detail = _detail(uow, review_id, config)
        uow.commit()
    return detail


def return_review(
    uow: UnitOfWork,
    *,
    review_id: int,
    decider_slack_user_id: str,
    reason: str,
    config: ReviewConfig,
    calendar: BusinessCalendar,
    next_action_date: dt.date | None = None,
    priority: int | None = None,
) -> ReviewDetail:
    """差し戻し: the lead goes back to 2 (from 4) or 3 (from 6) with the same owner, the
    manager's reason why it is worth chasing, and optionally a next action date and priority;
    the rep (the lead's owner) gets a DM. Bad input raises InvalidInput (fields "reason",
    "next_action_date", "priority") and nothing is saved."""
    reason = reason.strip()
    with uow:
        decision = _decision(uow, review_id, decider_slack_user_id, config, calendar)
        new_status = RETURNED_STATUS[decision.review.requested_status]
        today = calendar.local_date(decision.now)
        _check_return(reason, next_action_date, priority, decision.lead, new_status, today, config)
        decision.settle(ReviewState.RETURNED, {"return_reason": reason}, note=reason)
        _reopen_lead(decision, new_status, next_action_date, priority)
        outbox.enqueue(uow, kind=REVIEW_RETURNED, payload={"review_id": review_id})
        detail = _detail(uow, review_id, config)
        uow.commit()
    return detail


def _reopen_lead(
    decision: _Decision,
    status: ActionStatus,
    next_action_date: dt.date | None,
    priority: int | None,
) -> None:
    """The returned lead back on the rep's list, with what the manager set, in its history."""
    lead = decision.lead
    changes: list[tuple[str, Any, Any]] = [("status", lead.status, status)]
    lead.status = status
    if next_action_date is not None and next_action_date != lead.next_action_date:
        changes.append(("next_action_date", lead.next_action_date, next_action_date))
        lead.next_action_date = next_action_date
    if priority is not None and priority != lead.priority:
        changes.append(("priority", lead.priority, priority))
        lead.priority = Priority(priority)
    for name, old, new in changes:
        record_change(
            decision.uow.session,
            lead_id=lead.id,
            member_id=decision.decider_id,
            field=name,
            old=old,
            new=new,
            note="差し戻し",
            at=decision.now,
        )


def _check_return(
    reason: str,
    next_action_date: dt.date | None,
    priority: int | None,
    lead: Lead,
    new_status: ActionStatus,
    today: dt.date,
    config: ReviewConfig,
) -> None:
    errors: dict[str, str] = {}
    if not reason:
        errors["reason"] = messages.RETURN_REASON_REQUIRED
    elif len(reason) > RETURN_REASON_MAX:
        errors["reason"] = messages.return_reason_too_long(RETURN_REASON_MAX)
    if priority is not None and priority not in PRIORITIES:
        errors["priority"] = messages.CHOOSE_PRIORITY
    # Rule 5 on what the lead will hold: a date left blank keeps the lead's (if not past).
    kept = (
        lead.next_action_date if lead.next_action_date and lead.next_action_date >= today else None
    )
    problem = next_action_date_problem(
        next_action_date=next_action_date if next_action_date is not None else kept,
        priority=priority if priority is not None else lead.priority,
        today=today,
        targets=config.targets,
        status=new_status,
    )
    if problem:
        errors["next_action_date"] = problem
    if errors:
        raise InvalidInput(errors)


def _active_caller(session: Session, slack_user_id: str) -> Member:
    """The active member deciding or listing reviews. A stranger is refused with `NotAllowed`
    (not `NotFound`), like every other refusal here, so they learn nothing about a review."""
    try:
        return require_active_member(session, slack_user_id)
    except NotFound as exc:
        raise NotAllowed(str(exc)) from None


def _authorized_pending(
    uow: UnitOfWork,
    review_id: int,
    decider_slack_user_id: str,
    config: ReviewConfig,
    calendar: BusinessCalendar,
) -> tuple[NoActionReview, int]:
    """The review and the decider's member id if the decider may decide it and it is still
    pending; raises otherwise.
    Authorization comes first, so a stranger learns nothing about the review."""
    session = uow.session
    decider = _active_caller(session, decider_slack_user_id)
    rep = aliased(Member, name="rep")
    row = session.execute(
        select(NoActionReview, rep.id, rep.manager_id)
        .join(Lead, Lead.id == NoActionReview.lead_id)
        .join(rep, rep.id == _rep_id())
        .where(NoActionReview.id == review_id)
    ).one_or_none()
    if row is None:
        raise NotFound(REVIEW_NOT_FOUND)
    review, rep_id, rep_manager_id = row
    if decider.id == review.requested_by_id:
        raise NotAllowed(OWN_DECISION)
    if decider.id == rep_id:
        raise NotAllowed(OWN_LEAD)
    if not may_decide(
        decider_id=decider.id,
        decider_role=decider.role,
        rep_id=rep_id,
        rep_manager_id=rep_manager_id,
        config=config,
    ):
        raise NotAllowed(NOT_THE_MANAGER)
    if review.state is not ReviewState.PENDING:
        raise Conflict(_already_decided(uow, review_id, calendar))
    return review, decider.id


@dataclass(frozen=True)
class _Decision:
    """A decision under way: the pending review, the member deciding it, and its lead
    row-locked, as of `now`."""

    uow: UnitOfWork
    review: NoActionReview
    decider_id: int
    lead: Lead
    calendar: BusinessCalendar
    now: dt.datetime

    def settle(self, state: ReviewState, values: dict[str, Any], *, note: str | None) -> None:
        """The verdict `state` with its `values`: claimed (one winner), kept in the lead's
        history, and the manager's message queued for an update."""
        _claim(
            self.uow,
            self.review,
            self.decider_id,
            self.calendar,
            now=self.now,
            values={**values, "state": state},
        )
        _record_review_change(
            self.uow,
            lead_id=self.review.lead_id,
            member_id=self.decider_id,
            old=ReviewState.PENDING,
            new=state,
            note=note,
            at=self.now,
        )
        outbox.enqueue(self.uow, kind=REVIEW_DECIDED, payload={"review_id": self.review.id})
        # Approved: the lead leaves the rep's list; returned: it is back on it.
        live_lists.refresh_homes(self.uow, member_ids=[self.lead.owner_id], now=self.now)


def _decision(
    uow: UnitOfWork,
    review_id: int,
    decider_slack_user_id: str,
    config: ReviewConfig,
    calendar: BusinessCalendar,
) -> _Decision:
    """A decision's start: the review if this member may decide it now (else NotAllowed,
    NotFound or Conflict), and its lead locked."""
    review, decider_id = _authorized_pending(
        uow, review_id, decider_slack_user_id, config, calendar
    )
    lead = _locked_lead(uow, review.lead_id)
    return _Decision(uow, review, decider_id, lead, calendar, utcnow())


def _locked_lead(uow: UnitOfWork, lead_id: int) -> Lead:
    """The lead, fresh and row-locked (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes
    writers) — the lock action logging takes too, so a decision and a new action on the same
    lead run one after the other (a new action withdraws a pending review)."""
    return uow.session.scalars(
        select(Lead)
        .where(Lead.id == lead_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def _claim(
    uow: UnitOfWork,
    review: NoActionReview,
    decider_id: int,
    calendar: BusinessCalendar,
    *,
    now: dt.datetime,
    values: dict[str, Any],
) -> None:
    """The compare-and-set that makes exactly one decision win. It never touches the
    message's location: only the sender that posted the message records it."""
    session = uow.session
    values = {**values, "decided_by_id": decider_id, "decided_at": now}
    result = session.execute(
        update(NoActionReview)
        .where(NoActionReview.id == review.id, NoActionReview.state == ReviewState.PENDING)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if affected_rows(result) != 1:
        # Another decision committed after our read (PostgreSQL): report it, change nothing.
        uow.rollback()
        raise Conflict(_already_decided(uow, review.id, calendar))


def _record_review_change(
    uow: UnitOfWork,
    *,
    lead_id: int,
    member_id: int,
    old: ReviewState | None,
    new: ReviewState,
    note: str | None,
    at: dt.datetime | None = None,
) -> None:
    """The review's step in the lead's history (`lead_history.field` "review")."""
    record_change(
        uow.session,
        lead_id=lead_id,
        member_id=member_id,
        field="review",
        old=old,
        new=new,
        note=note,
        at=at,
    )


def _already_decided(uow: UnitOfWork, review_id: int, calendar: BusinessCalendar) -> str:
    state, decided_at, name = uow.session.execute(
        select(NoActionReview.state, NoActionReview.decided_at, Member.name)
        .outerjoin(Member, Member.id == NoActionReview.decided_by_id)
        .where(NoActionReview.id == review_id)
    ).one()
    when = moment_label(decided_at.astimezone(calendar.tz)) if decided_at else ""
    if state is ReviewState.WITHDRAWN:
        return messages.review_withdrawn(when)
    verb = "承認" if state is ReviewState.APPROVED else "差し戻し"
    return messages.review_already_decided(name, when, verb)


# -- reading -------------------------------------------------------------------------------------


def review_detail(uow: UnitOfWork, *, review_id: int, config: ReviewConfig) -> ReviewDetail | None:
    """The review as the manager's message shows it; None if it is gone (lead deleted)."""
    with uow:
        if uow.session.get(NoActionReview, review_id) is None:
            return None
        return _detail(uow, review_id, config)


def record_review_message(
    uow: UnitOfWork, *, review_id: int, channel: str, ts: str, config: ReviewConfig
) -> RecordedMessage | None:
    """Remember where the manager's message was posted — the only way a review gets a
    message location (the first one wins) — and return the review as it is now.
    None if the review is gone."""
    with uow:
        result = uow.session.execute(
            update(NoActionReview)
            .where(NoActionReview.id == review_id, NoActionReview.message_ts.is_(None))
            .values(message_channel=channel, message_ts=ts)
            .execution_options(synchronize_session=False)
        )
        if uow.session.get(NoActionReview, review_id) is None:
            return None
        recorded = RecordedMessage(_detail(uow, review_id, config), affected_rows(result) == 1)
        uow.commit()
    return recorded


def pending_reviews_for(
    uow: UnitOfWork, *, slack_user_id: str, config: ReviewConfig, limit: int = 15
) -> PendingReviews:
    """The pending reviews this member may decide, oldest first (at most `limit`), and the
    total: reviews on the leads of a manager's own reps; every one for an admin, or for any
    manager when a shared review channel lets any manager decide. Never one the member
    requested, nor one on a lead they own."""
    with uow:
        caller = _active_caller(uow.session, slack_user_id)
        rep = aliased(Member, name="rep")
        criteria = [
            NoActionReview.state == ReviewState.PENDING,
            NoActionReview.requested_by_id != caller.id,
            rep.id != caller.id,
        ]
        sees_all = caller.role is Role.ADMIN or (
            config.review_channel and config.channel_any_manager and caller.role is Role.MANAGER
        )
        if not sees_all:
            criteria.append(rep.manager_id == caller.id)
        pending = (
            select(NoActionReview.id)
            .join(Lead, Lead.id == NoActionReview.lead_id)
            .join(rep, rep.id == _rep_id())
            .where(*criteria)
        )
        total = uow.session.scalar(select(func.count()).select_from(pending.subquery()))
        ids = uow.session.scalars(
            pending.order_by(NoActionReview.created_at, NoActionReview.id).limit(limit)
        ).all()
        details = _details(uow, list(ids), config)
        return PendingReviews(items=tuple(details[i] for i in ids), total=total or 0)


def _detail(uow: UnitOfWork, review_id: int, config: ReviewConfig) -> ReviewDetail:
    return _details(uow, [review_id], config)[review_id]


def _details(
    uow: UnitOfWork, review_ids: list[int], config: ReviewConfig
) -> dict[int, ReviewDetail]:
    if not review_ids:
        return {}
    rep = aliased(Member, name="rep")
    manager = aliased(Member, name="rep_manager")
    requester = aliased(Member, name="requester")
    decider = aliased(Member, name="decider")
    rows = uow.session.execute(
        select(
            NoActionReview,
            Lead,
            rep.id.label("rep_id"),
            rep.slack_user_id.label("rep_slack_user_id"),
            rep.name.label("rep_name"),
            manager.id.label("mgr_id"),
            manager.slack_user_id.label("mgr_uid"),
            manager.active.label("mgr_active"),
            requester.slack_user_id.label("requested_by_slack_user_id"),
            requester.name.label("requested_by_name"),
            decider.slack_user_id.label("decided_by_slack_user_id"),
            decider.name.label("decided_by_name"),
        )
        .join(Lead, Lead.id == NoActionReview.lead_id)
        .join(rep, rep.id == _rep_id())
        .outerjoin(manager, manager.id == rep.manager_id)
        .join(requester, requester.id == NoActionReview.requested_by_id)
        .outerjoin(decider, decider.id == NoActionReview.decided_by_id)
        .where(NoActionReview.id.in_(review_ids))
        # Fresh values even for rows this session already holds (after a compare-and-set).
        .execution_options(populate_existing=True)
    ).all()
    admins: list[tuple[int, str]] | None = None
    out: dict[int, ReviewDetail] = {}
    for row in rows:
        review, lead = row.NoActionReview, row.Lead
        # The rep's manager gets the message — unless they logged the 4/6 themself (they may
        # not decide it): then an admin who may, as when the rep has no active manager.
        excluded = {review.requested_by_id, row.rep_id}
        reviewer: str | None = row.mgr_uid
        if not (row.mgr_uid and row.mgr_active) or row.mgr_id in excluded:
            if admins is None:
                # The first active admins; at most two can be ruled out for one review.
                admins = [
                    (admin.id, admin.slack_user_id)
                    for admin in uow.session.execute(
                        select(Member.id, Member.slack_user_id)
                        .where(Member.role == Role.ADMIN, Member.active.is_(True))
                        .order_by(Member.id)
                        .limit(3)
                    )
                ]
            reviewer = next((uid for aid, uid in admins if aid not in excluded), None)
        # The row's labels are the view's names for the people; the rest is the review's
        # or the lead's (what both have is given).
        out[review.id] = from_attributes(
            ReviewDetail,
            review,
            lead,
            row,
            id=review.id,
            memo=review.memo,
            requested_at=review.created_at,
            reviewer_slack_user_id=reviewer,
            role_level=lead.role_level.value if lead.role_level else None,
            lead_status=lead.status,
            progress=five_c2m(lead.call_count, lead.mail_count, config.targets),
        )
    return out
