"""Logging a touch (call / mail) and the four CRM fields in one transaction, with coaching."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops import limits, messages
from isops.approach import is_approached
from isops.calendar import BusinessCalendar, member_zone
from isops.clock import utcnow
from isops.enums import ActionStatus, Channel, Outcome, Priority
from isops.errors import InvalidInput, IsopsError
from isops.models import Action, Lead, NoActionReview
from isops.rules import (
    FiveC2M,
    Targets,
    acted_at_problem,
    counts_as_early,
    five_c2m,
    log_problems,
    needs_5c2m_confirmation,
    progress_after_touch,
    starts_review,
    status_after_outcome,
)
from isops.services import live_lists, outbox, reviews
from isops.services.action_results import (
    ACTION_LOGGED,
    ActionResult,
    confirmation_payload,
    result_of,
)
from isops.services.counters import apply_action_to_lead
from isops.services.history import record_change
from isops.services.lead_access import Actor, load_actor
from isops.services.leads import visible_lead
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

MAX_MEMO = limits.MEMO  # what the rep submits at once; the stored memo may be longer
MAX_REASON_MEMO = limits.MEMO


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
    # The date the modal pre-filled instead of the lead's own (due, overdue or unset):
    # submitted as it is, it is written — unless someone changed the lead's date meanwhile.
    suggested_next_action_date: dt.date | None = None


class NeedsConfirmation(IsopsError):
    """Status 4 chosen while 5C2M is incomplete: the rep must confirm before it is saved."""

    def __init__(self, gap: FiveC2M, cv_at: dt.datetime | None = None) -> None:
        self.gap = gap
        self.cv_at = cv_at
        super().__init__(messages.five_c2m_incomplete(gap.label()))


def _resolve_memo(submitted: str, current: str, shown: ShownFields | None) -> str:
    if shown is None:
        return submitted
    if shown.memo_digest is None:  # too long to show: what was typed is added to it
        return f"{current}\n{submitted}" if submitted else current
    return current if memo_digest(submitted) == shown.memo_digest else submitted


@dataclass(frozen=True)
class _Submission:
    """What the rep submitted in the log modal, trimmed."""

    channel: Channel
    outcome: Outcome
    status: int
    priority: int | None
    next_action_date: dt.date | None
    memo: str
    reason_code: str | None
    reason_memo: str
    shown: ShownFields | None
    acted_at: dt.datetime | None


@dataclass(frozen=True)
class _Fields:
    """The four fields as the log leaves them on the lead, before they are checked."""

    # While 4/6 waits for review, the lead "is" its previous status (rule 3).
    status_before: ActionStatus
    status: int
    priority: int | None
    next_action_date: dt.date | None
    next_action_date_untouched: bool
    memo: str
    pending_review_id: int | None
    starts_review: bool


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
    acted_at: dt.datetime | None = None,
    idempotency_key: str | None = None,
    reply_to: str | None = None,
    then: Callable[[UnitOfWork, ActionResult], ActionResult | None] | None = None,
    confirm: bool = True,
    settings: Settings,
    calendar: BusinessCalendar,
) -> ActionResult:
    """Record one touch on a lead and apply the four fields, history and review steps — all
    or nothing. The same `idempotency_key` twice records one action (the second returns
    `duplicate=True`). Queues the rep's confirmation (to `reply_to`) in the same transaction.

    `acted_at` (実施日時) is when a touch logged late happened (`rules.acted_at_problem`:
    not in the future, at most 7 days back); None is now. The counters use it: a touch
    inside the CV window counts there, an older one does not become the last touch.

    Raises InvalidInput (field → Japanese message) or NeedsConfirmation; nothing is saved then.
    `then` is another feature's step in the same transaction, run after the action is
    recorded and before the commit (the FS hand-off of status 5); it may return the result
    with its part added (the confirmation shows it). If it raises, nothing is saved either.
    `confirm=False` queues no confirmation (a one-tap log answers itself).

    Every log queues its owner's Home refresh, and the morning DM's update when the lead is
    one of its items (`live_lists.refresh_after_touch`).
    """
    submission = _Submission(
        channel=channel,
        outcome=outcome,
        status=status,
        priority=priority,
        next_action_date=next_action_date,
        memo=memo.strip(),
        reason_code=(reason_code or "").strip() or None,
        reason_memo=(reason_memo or "").strip(),
        shown=shown,
        acted_at=acted_at,
    )
    targets = settings.targets
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        lead = _locked_lead(session, actor, lead_id)
        earlier = _earlier_action(session, idempotency_key)
        if earlier is not None:
            return _duplicate(session, earlier, lead, targets)

        now = utcnow()
        fields = _resolve_fields(uow, lead, submission)
        _check(lead, submission, fields, settings, today=actor.today(calendar), now=now)
        if not confirmed_incomplete_5c2m:
            _confirm_5c2m(lead, submission.channel, fields, targets)

        # Rule 1's deadline is reported on the first approach only: not on a lead the CRM
        # already had as approached (status 2/3 imported) with no touch logged in isops.
        first_approach = not is_approached(lead.status, lead.first_action_at)
        action = _add_action(session, lead, actor.id, submission, fields, idempotency_key, now)
        apply_action_to_lead(lead, action, targets)
        changed = _apply_fields(uow, lead, actor.id, submission, fields, now)
        try:
            session.flush()
        except IntegrityError:
            # The key's unique index is the last word: a submission of the same view that
            # was not serialized by the lead's row lock (it named another lead) lands here.
            session.rollback()
            earlier = _earlier_action(session, idempotency_key)
            if earlier is None:
                raise
            return _duplicate(session, earlier, session.get_one(Lead, lead_id), targets)

        result = _result(
            action, lead, submission, fields, changed, first_approach, settings, calendar
        ).model_copy(update={"timezone": member_zone(actor.timezone, calendar.tz).key})
        if then is not None:
            result = then(uow, result) or result
        if confirm:
            outbox.enqueue(
                uow,
                kind=ACTION_LOGGED,
                payload=confirmation_payload(result, slack_user_id, reply_to),
            )
        if live_lists.refresh_after_touch(uow, lead_id=lead.id, calendar=calendar, now=now):
            result = result.model_copy(update={"updates_morning_dm": True})
        uow.commit()
        return result


def _locked_lead(session: Session, actor: Actor, lead_id: int) -> Lead:
    """The lead if the actor may log it (else InvalidInput on "lead"), row-locked.

    The lock (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes writers) keeps counters
    and fields from being lost to a concurrent log on the same lead, and makes a duplicate
    submission wait here and then see the first one's action."""
    try:
        lead = visible_lead(session, actor, lead_id)
    except IsopsError as exc:
        raise InvalidInput({"lead": str(exc)}) from None
    session.refresh(lead, with_for_update=True)
    return lead


def _earlier_action(session: Session, idempotency_key: str | None) -> int | None:
    """The action a submission with this key already recorded, if any."""
    if not idempotency_key:
        return None
    return session.scalar(select(Action.id).where(Action.idempotency_key == idempotency_key))


def _resolve_fields(uow: UnitOfWork, lead: Lead, submission: _Submission) -> _Fields:
    """The four fields the log leaves: what the rep left as the modal showed it keeps the
    lead's current value (someone may have changed it meanwhile); a status left as shown
    follows the outcome (`status_after_outcome`)."""
    pending_id = reviews.pending_review_id(uow, lead_id=lead.id)
    # While 4/6 waits for review, the lead "is" its previous status: a new action
    # withdraws the request (DOMAIN.md rule 3) unless the rep asks again.
    if pending_id is not None:
        status_before = uow.session.get_one(NoActionReview, pending_id).previous_status
    else:
        status_before = lead.status
    shown = submission.shown if submission.shown and submission.shown.lead_id == lead.id else None
    status: int = submission.status
    if shown is not None and submission.status == shown.status:
        status = status_after_outcome(status_before, submission.outcome)
    priority = submission.priority
    if shown is not None and priority == shown.priority:
        priority = lead.priority
    date_untouched = shown is not None and submission.next_action_date == shown.next_action_date
    if (
        shown is not None
        and shown.suggested_next_action_date is not None
        and submission.next_action_date == shown.suggested_next_action_date
    ):
        # The suggestion, left as it was: written, unless the lead's date changed meanwhile
        # (then the colleague's date stays, as for any field left as shown).
        date_untouched = lead.next_action_date != shown.next_action_date
    return _Fields(
        status_before=status_before,
        status=status,
        priority=priority,
        next_action_date=lead.next_action_date if date_untouched else submission.next_action_date,
        next_action_date_untouched=date_untouched,
        memo=_resolve_memo(submission.memo, lead.memo, shown),
        pending_review_id=pending_id,
        starts_review=starts_review(
            status=status, current_status=lead.status, review_pending=pending_id is not None
        ),
    )


def _check(
    lead: Lead,
    submission: _Submission,
    fields: _Fields,
    settings: Settings,
    *,
    today: dt.date,
    now: dt.datetime,
) -> None:
    """The log's rules (`rules.log_problems`, `rules.acted_at_problem`): InvalidInput with
    every problem at once."""
    errors = log_problems(
        channel=submission.channel,
        outcome=submission.outcome,
        status=fields.status,
        priority=fields.priority,
        next_action_date=fields.next_action_date,
        next_action_date_untouched=fields.next_action_date_untouched,
        memo=submission.memo,
        current_memo=lead.memo,
        review=fields.starts_review,
        reason_code=submission.reason_code,
        reason_memo=submission.reason_memo,
        reason_codes=settings.reason_codes,
        today=today,
        targets=settings.targets,
    )
    if submission.acted_at is not None:
        late = acted_at_problem(submission.acted_at, now=now)
        if late is not None:
            errors["acted_at"] = late
    if errors:
        raise InvalidInput(errors)


def _confirm_5c2m(lead: Lead, channel: Channel, fields: _Fields, targets: Targets) -> None:
    """NeedsConfirmation when the rep drops the lead (4) with 5C2M incomplete, this touch
    included (rule 4)."""
    progress = progress_after_touch(five_c2m(lead.call_count, lead.mail_count, targets), channel)
    if needs_5c2m_confirmation(
        status=fields.status, review=fields.starts_review, progress=progress
    ):
        raise NeedsConfirmation(progress, lead.cv_at)


def _add_action(
    session: Session,
    lead: Lead,
    member_id: int,
    submission: _Submission,
    fields: _Fields,
    idempotency_key: str | None,
    now: dt.datetime,
) -> Action:
    """The touch itself; its memo is what the rep changed (none when the memo stayed)."""
    action = Action(
        lead_id=lead.id,
        member_id=member_id,
        channel=submission.channel,
        outcome=submission.outcome,
        memo=fields.memo if fields.memo != lead.memo else "",
        acted_at=submission.acted_at or now,
        idempotency_key=idempotency_key,
    )
    session.add(action)
    return action


def _apply_fields(
    uow: UnitOfWork,
    lead: Lead,
    member_id: int,
    submission: _Submission,
    fields: _Fields,
    now: dt.datetime,
) -> tuple[str, ...]:
    """Withdraw a pending review, write the four fields with their history, and start a new
    review when 4/6 is asked for (rule 3). Returns the names of the fields that changed."""
    session = uow.session
    if fields.pending_review_id is not None:
        reviews.withdraw_pending_review(uow, lead_id=lead.id, by_member_id=member_id)
        session.flush()  # the withdrawn review leaves the "one pending per lead" index
    changed: list[str] = []
    for name, old, new in (
        ("status", lead.status, fields.status),
        ("priority", lead.priority, fields.priority),
        ("next_action_date", lead.next_action_date, fields.next_action_date),
        ("memo", lead.memo, fields.memo),
    ):
        if old != new:
            changed.append(name)
            record_change(
                session, lead_id=lead.id, member_id=member_id, field=name, old=old, new=new, at=now
            )
    lead.status = ActionStatus(fields.status)
    lead.priority = None if fields.priority is None else Priority(fields.priority)
    lead.next_action_date = fields.next_action_date
    lead.memo = fields.memo
    if fields.starts_review:
        reviews.request_review(
            uow,
            lead_id=lead.id,
            requested_by_id=member_id,
            requested_status=ActionStatus(fields.status),
            previous_status=fields.status_before,
            reason_code=submission.reason_code or "",
            memo=submission.reason_memo,
        )
    return tuple(changed)


def _result(
    action: Action,
    lead: Lead,
    submission: _Submission,
    fields: _Fields,
    changed: tuple[str, ...],
    first_approach: bool,
    settings: Settings,
    calendar: BusinessCalendar,
) -> ActionResult:
    """What the confirmation shows: the fields, 5C2M and early persistence (rule 4), and on an
    inbound lead's first approach whether it met its deadline (rule 1)."""
    targets = settings.targets
    inbound_deadline = None
    inbound_met = None
    if lead.inbound and first_approach:
        inbound_deadline = calendar.inbound_deadline(lead.cv_at, settings.inbound_cutoff)
        inbound_met = calendar.local_date(action.acted_at) <= inbound_deadline
    in_window = counts_as_early(lead.cv_at, action.acted_at, targets)
    return result_of(
        action,
        lead,
        targets,
        status_before=fields.status_before,
        status_after=fields.status,
        priority=fields.priority,
        next_action_date=fields.next_action_date,
        changed=changed,
        early_actions=lead.early_action_count if in_window else None,
        early_target=targets.early_actions,
        early_window_days=targets.early_window_days,
        inbound_deadline=inbound_deadline,
        inbound_deadline_met=inbound_met,
        review_requested=fields.starts_review,
        review_withdrawn=fields.pending_review_id is not None,
        reason_code=submission.reason_code if fields.starts_review else None,
        focus_max_days=targets.focus_max_days,
        backdated=submission.acted_at is not None,
    )


def _duplicate(session: Session, action_id: int, lead: Lead, targets: Targets) -> ActionResult:
    """The action an earlier submission of the same view recorded, with the lead as it is."""
    return result_of(
        session.get_one(Action, action_id),
        lead,
        targets,
        duplicate=True,
        status_before=lead.status,
        status_after=lead.status,
        priority=lead.priority,
        next_action_date=lead.next_action_date,
    )
