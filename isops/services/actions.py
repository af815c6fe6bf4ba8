"""Logging a touch (call / mail) and the four CRM fields in one transaction, with coaching."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops import limits
from isops.approach import is_approached
from isops.calendar import BusinessCalendar
from isops.clock import utcnow
from isops.enums import OUTCOMES_BY_CHANNEL, ActionStatus, Channel, Outcome, Priority
from isops.errors import InvalidInput, IsopsError
from isops.models import Action, Lead, NoActionReview
from isops.rules import (
    FiveC2M,
    Targets,
    chases_5c2m,
    counts_as_early,
    five_c2m,
    next_action_date_problem,
    status_after_outcome,
)
from isops.services import outbox, reviews
from isops.services.counters import apply_action_to_lead
from isops.services.history import record_change
from isops.services.lead_access import load_actor
from isops.services.leads import visible_lead
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

ACTION_LOGGED = "action_logged"  # outbox kind: the rep's confirmation with coaching
MAX_MEMO = limits.MEMO  # what the rep submits at once; the stored memo may be longer
MAX_REASON_MEMO = limits.MEMO
_NEEDS_REVIEW = (ActionStatus.NO_ACTION_BEFORE_CONNECT, ActionStatus.NO_ACTION_AFTER_CONNECT)


def memo_digest(memo: str) -> str:
    """A short fingerprint of a memo, to tell later whether the rep changed it."""
    return hashlib.sha256(memo.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class ShownFields:
    """The four fields as the modal showed them when it was built.

    A field submitted with the value it was shown with is "unchanged": the lead keeps its
    current value (which someone else may have changed meanwhile) instead of the stale copy.
    `memo_digest` None means the memo was too long to show: typed text is appended to it.
    """

    lead_id: int
    status: int | None
    priority: int | None
    next_action_date: dt.date | None
    memo_digest: str | None


class NeedsConfirmation(IsopsError):
    """Status 4 chosen while 5C2M is incomplete: the rep must confirm before it is saved."""

    def __init__(self, gap: FiveC2M) -> None:
        self.gap = gap
        super().__init__(f"{gap.label()} — 5C2M 未完了です")


class ActionResult(BaseModel):
    """What was recorded, and the coaching the confirmation shows (JSON-safe for the outbox)."""

    model_config = ConfigDict(frozen=True)

    action_id: int
    duplicate: bool = False
    lead_id: int
    company: str
    contact_name: str | None
    channel: Channel
    outcome: Outcome
    acted_at: dt.datetime
    status_before: int
    status_after: int
    priority: int | None
    next_action_date: dt.date | None
    changed: tuple[str, ...] = ()
    calls: int
    mails: int
    target_calls: int
    target_mails: int
    # Rule 4, early persistence: actions within N days of CV (None when outside the window).
    early_actions: int | None = None
    early_target: int = 0
    early_window_days: int = 0
    # Rule 1: set on the first action of an inbound lead.
    inbound_deadline: dt.date | None = None
    inbound_deadline_met: bool | None = None
    review_requested: bool = False
    review_withdrawn: bool = False
    reason_code: str | None = None
    focus_max_days: int = 60

    @property
    def five_c2m(self) -> FiveC2M:
        return FiveC2M(self.calls, self.mails, self.target_calls, self.target_mails)

    @property
    def chases_5c2m(self) -> bool:
        return chases_5c2m(self.status_after)


def _resolve_memo(submitted: str, current: str, shown: ShownFields | None) -> str:
    if shown is None:
        return submitted
    if shown.memo_digest is None:  # too long to show: what was typed is added to it
        return f"{current}\n{submitted}" if submitted else current
    return current if memo_digest(submitted) == shown.memo_digest else submitted


def record_action(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    lead_id: int,
    channel: Channel,
    outcome: Outcome,
    status: int,
    priority: int | None,
    next_action_date: dt.date | None,
    memo: str,
    reason_code: str | None = None,
    reason_memo: str | None = None,
    shown: ShownFields | None = None,
    confirmed_incomplete_5c2m: bool = False,
    idempotency_key: str | None = None,
    reply_to: str | None = None,
    then: Callable[[UnitOfWork, ActionResult], None] | None = None,
    settings: Settings,
    calendar: BusinessCalendar,
) -> ActionResult:
    """Record one touch on a lead and apply the four fields, history and review steps — all
    or nothing. The same `idempotency_key` twice records one action (the second returns
    `duplicate=True`). Queues the rep's confirmation (to `reply_to`) in the same transaction.

    Raises InvalidInput (field → Japanese message) or NeedsConfirmation; nothing is saved then.
    `then` is another feature's step in the same transaction, run after the action is
    recorded and before the commit (the FS hand-off of status 5); if it raises, nothing is
    saved either.
    """
    memo = memo.strip()
    reason_memo = (reason_memo or "").strip()
    reason_code = (reason_code or "").strip() or None
    targets = settings.targets
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        try:
            lead = visible_lead(session, actor, lead_id)
        except IsopsError as exc:
            raise InvalidInput({"lead": str(exc)}) from None
        # Lock the lead (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers) so
        # counters and fields are not lost to a concurrent log on the same lead, and so a
        # duplicate submission waits here and then sees the first one's action.
        session.refresh(lead, with_for_update=True)
        if idempotency_key:
            earlier = session.scalar(
                select(Action.id).where(Action.idempotency_key == idempotency_key)
            )
            if earlier is not None:
                return _duplicate(session, earlier, lead, targets)

        pending_id = reviews.pending_review_id(uow, lead_id=lead.id)
        snapshot_status = lead.status
        # While 4/6 waits for review, the lead "is" its previous status: a new action
        # withdraws the request (DOMAIN.md rule 3) unless the rep asks again.
        if pending_id is not None:
            effective = session.get_one(NoActionReview, pending_id).previous_status
        else:
            effective = lead.status
        same_lead = shown is not None and shown.lead_id == lead.id
        shown_here = shown if same_lead else None

        # The four fields: what the rep left as shown keeps the lead's current value.
        if shown_here is not None and status == shown_here.status:
            new_status = status_after_outcome(effective, outcome)
        else:
            new_status = status
        new_priority = (
            lead.priority
            if shown_here is not None and priority == shown_here.priority
            else priority
        )
        date_unchanged = shown_here is not None and next_action_date == shown_here.next_action_date
        new_date = lead.next_action_date if date_unchanged else next_action_date
        new_memo = _resolve_memo(memo, lead.memo, shown_here)

        errors: dict[str, str] = {}
        if outcome not in OUTCOMES_BY_CHANNEL[channel]:
            errors["outcome"] = f"{channel.label}の結果を選んでください"
        if new_status not in set(ActionStatus):
            errors["status"] = "アクションステータスを選んでください"
        if new_priority not in (None, Priority.FOCUS, Priority.NON_FOCUS):
            errors["priority"] = "優先リードは 注力 か 非注力 を選んでください"
        # The limit is on what the rep submitted, which they can shorten — not on the memo
        # it is appended to (an imported CRM memo may be far longer; issue 3). Handing back
        # the current memo unchanged is not a submission of new text.
        if len(memo) > MAX_MEMO and memo != lead.memo:
            errors["memo"] = f"アクションメモは {MAX_MEMO} 文字以内にしてください"
        # A review starts when 4/6 is newly chosen, or chosen again after withdrawing one.
        requests_review = new_status in _NEEDS_REVIEW and (
            pending_id is not None or new_status != lead.status
        )
        if requests_review:
            if reason_code not in settings.reason_codes:
                errors["reason_code"] = "ステータス 4・6 には対応不要の理由を選んでください"
            if not reason_memo:
                errors["reason_memo"] = "ステータス 4・6 には理由のメモを書いてください"
            elif len(reason_memo) > MAX_REASON_MEMO:
                errors["reason_memo"] = f"理由のメモは {MAX_REASON_MEMO} 文字以内にしてください"
        today = actor.today(calendar)
        # An old date the rep did not touch only matters while the lead stays open.
        stale_ok = date_unchanged and new_status not in (1, 2, 3)
        problem = next_action_date_problem(
            next_action_date=None if stale_ok else new_date,
            priority=new_priority,
            today=today,
            targets=targets,
            status=new_status,
        )
        if problem:
            errors["next_action_date"] = problem
        if errors:
            raise InvalidInput(errors)

        calls_after = lead.call_count + (channel == Channel.CALL)
        mails_after = lead.mail_count + (channel == Channel.MAIL)
        gap = five_c2m(calls_after, mails_after, targets)
        if (
            requests_review
            and new_status == ActionStatus.NO_ACTION_BEFORE_CONNECT
            and not gap.complete
            and not confirmed_incomplete_5c2m
        ):
            raise NeedsConfirmation(gap)

        now = utcnow()
        # Rule 1's deadline is reported on the first approach only: not on a lead the CRM
        # already had as approached (status 2/3 imported) with no touch logged in isops.
        first_approach = not is_approached(lead.status, lead.first_action_at)
        action = Action(
            lead_id=lead.id,
            member_id=actor.id,
            channel=channel,
            outcome=outcome.value,
            memo=new_memo if new_memo != lead.memo else "",
            acted_at=now,
            idempotency_key=idempotency_key,
        )
        session.add(action)
        apply_action_to_lead(lead, action, targets)

        review_withdrawn = False
        if pending_id is not None:
            reviews.withdraw_pending_review(uow, lead_id=lead.id, by_member_id=actor.id)
            review_withdrawn = True
            session.flush()  # the withdrawn review leaves the "one pending per lead" index

        changed: list[str] = []
        for field, old, new in (
            ("status", snapshot_status, new_status),
            ("priority", lead.priority, new_priority),
            ("next_action_date", lead.next_action_date, new_date),
            ("memo", lead.memo, new_memo),
        ):
            if old != new:
                changed.append(field)
                record_change(
                    session,
                    lead_id=lead.id,
                    member_id=actor.id,
                    field=field,
                    old=old,
                    new=new,
                    at=now,
                )
        lead.status = new_status
        lead.priority = new_priority
        lead.next_action_date = new_date
        lead.memo = new_memo
        if requests_review:
            reviews.request_review(
                uow,
                lead_id=lead.id,
                requested_by_id=actor.id,
                requested_status=new_status,
                previous_status=effective,
                reason_code=reason_code or "",
                memo=reason_memo,
            )
        try:
            session.flush()
        except IntegrityError:
            # The key's unique index is the last word: a submission of the same view that
            # was not serialized by the lead's row lock (it named another lead) lands here.
            session.rollback()
            earlier = session.scalar(
                select(Action.id).where(Action.idempotency_key == idempotency_key)
            )
            if earlier is None:
                raise
            return _duplicate(session, earlier, session.get_one(Lead, lead_id), targets)

        inbound_deadline = None
        inbound_met = None
        if lead.inbound and first_approach:
            inbound_deadline = calendar.inbound_deadline(lead.cv_at, settings.inbound_cutoff)
            inbound_met = calendar.local_date(now) <= inbound_deadline
        in_window = counts_as_early(lead.cv_at, now, targets)
        result = ActionResult(
            action_id=action.id,
            lead_id=lead.id,
            company=lead.company,
            contact_name=lead.contact_name,
            channel=channel,
            outcome=outcome,
            acted_at=now,
            status_before=effective,
            status_after=new_status,
            priority=new_priority,
            next_action_date=new_date,
            changed=tuple(changed),
            calls=lead.call_count,
            mails=lead.mail_count,
            target_calls=targets.calls,
            target_mails=targets.mails,
            early_actions=lead.early_action_count if in_window else None,
            early_target=targets.early_actions,
            early_window_days=targets.early_window_days,
            inbound_deadline=inbound_deadline,
            inbound_deadline_met=inbound_met,
            review_requested=requests_review,
            review_withdrawn=review_withdrawn,
            reason_code=reason_code if requests_review else None,
            focus_max_days=targets.focus_max_days,
        )
        if then is not None:
            then(uow, result)
        outbox.enqueue(
            uow, kind=ACTION_LOGGED, payload=confirmation_payload(result, slack_user_id, reply_to)
        )
        uow.commit()
        return result


def confirmation_payload(
    result: ActionResult, slack_user_id: str, reply_to: str | None
) -> dict[str, Any]:
    """The outbox payload of the rep's confirmation (`reply_to`: where the rep logged from)."""
    return {
        "slack_user_id": slack_user_id,
        "reply_to": reply_to,
        "result": result.model_dump(mode="json"),
    }


def _duplicate(session: Session, action_id: int, lead: Lead, targets: Targets) -> ActionResult:
    action = session.get_one(Action, action_id)
    return ActionResult(
        action_id=action.id,
        duplicate=True,
        lead_id=lead.id,
        company=lead.company,
        contact_name=lead.contact_name,
        channel=action.channel,
        outcome=Outcome(action.outcome),
        acted_at=action.acted_at,
        status_before=lead.status,
        status_after=lead.status,
        priority=lead.priority,
        next_action_date=lead.next_action_date,
        calls=lead.call_count,
        mails=lead.mail_count,
        target_calls=targets.calls,
        target_mails=targets.mails,
    )
