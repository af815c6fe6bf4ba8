"""One-tap logging from the lists (📞 不在, 📞 留守電, ✉️ 送信) and its undo (issue 11).

A one-tap log is a log like any other: it goes through `record_action`, so counters, history,
the withdrawal of a pending review, the Home refresh and the morning DM's update behave exactly
as after the log modal. Its defaults are what a rep would leave in the modal: the status
follows the outcome (a first touch moves 1 → 2), priority and memo stay, and the next action
date stays unless keeping it breaks rule 5 — a focus lead needs a date after today (its date
has come, that is why it is listed), and no open lead keeps a past date — in which case it
gets the log modal's suggested date (`rules.suggest_next_action_date`).

**Idempotent on the click.** Every list item carries the lead's version as it was drawn (the
time of its last touch, `touch_version`), and the action's idempotency key is
`quick:<who clicked>:<lead>:<that version>`. So a click that Slack sends again, a double tap,
and a second tap on another surface still showing the lead as it was (the DM and Home side by
side) are one action; what differs between two real taps — `action_ts`, `trigger_id` — is left
out on purpose. A second touch is logged from a list drawn after the first (every list is
redrawn after a log) or from the modal.

**Undo** (`undo_quick_log`, for `UNDO_WINDOW` after the touch): the action is deleted, the
counters are recomputed from the remaining actions, the fields the log changed go back to the
values its history rows recorded, and the undo is itself recorded in `lead_history`. Refused
when the lead changed since (a later action, any other history row) or when the log withdrew a
pending review (the review would have to be asked again). Both are authorized like a log: the
lead's owner, or a manager of the owner's team, read from the database by who clicked.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from isops import messages
from isops.calendar import BusinessCalendar
from isops.clock import utcnow
from isops.date_labels import time_label
from isops.enums import ActionStatus, Channel, Outcome, Priority
from isops.errors import Conflict, NotAllowed, NotFound
from isops.models import Action, Lead, LeadHistory, NoActionReview
from isops.projection import from_attributes
from isops.rules import (
    FiveC2M,
    Targets,
    five_c2m,
    progress_after_touch,
    status_after_outcome,
    suggest_next_action_date,
)
from isops.services import live_lists, reviews
from isops.services.actions import ShownFields, memo_digest, record_action
from isops.services.counters import recompute_counters
from isops.services.history import record_change
from isops.services.lead_access import load_actor
from isops.services.leads import visible_lead
from isops.services.live_lists import OpenList
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

QUICK_KEY_PREFIX = "quick:"
UNDO_WINDOW = dt.timedelta(minutes=10)
UNDO_NOTE = "1 タップ記録の取り消し"
# The fields a log writes history for (`record_action`), which an undo puts back.
LOGGED_FIELDS = ("status", "priority", "next_action_date", "memo")


class QuickChoice(enum.StrEnum):
    """The touches a list item logs at once."""

    ABSENT = "absent"  # 📞 不在
    VOICEMAIL = "voicemail"  # 📞 留守電
    MAIL_SENT = "mail"  # ✉️ 送信

    @property
    def touch(self) -> tuple[Channel, Outcome]:
        return QUICK_TOUCHES[self]


QUICK_TOUCHES: dict[QuickChoice, tuple[Channel, Outcome]] = {
    QuickChoice.ABSENT: (Channel.CALL, Outcome.ABSENT),
    QuickChoice.VOICEMAIL: (Channel.CALL, Outcome.VOICEMAIL),
    QuickChoice.MAIL_SENT: (Channel.MAIL, Outcome.SENT),
}


def touch_version(last_action_at: dt.datetime | None) -> str:
    """A lead's version as a list item carries it: its last touch, in microseconds."""
    if last_action_at is None:
        return "0"
    return str(int(last_action_at.timestamp() * 1_000_000))


def quick_key(slack_user_id: str, lead_id: int, version: str) -> str:
    """The idempotency key of a one-tap log (see the module docstring)."""
    return f"{QUICK_KEY_PREFIX}{slack_user_id}:{lead_id}:{version}"


def next_date_after_touch(
    *,
    current: dt.date | None,
    status: ActionStatus,
    priority: int | None,
    progress: FiveC2M,
    today: dt.date,
    channel: Channel,
    outcome: Outcome,
    calendar: BusinessCalendar,
    targets: Targets,
) -> dt.date | None:
    """The next action date a one-tap log leaves: the current one, unless rule 5 wants
    another (a focus lead: a date after today and within its window; any lead: not past) —
    then the log modal's suggestion for the state the touch leaves the lead in
    (`rules.suggest_next_action_date`), so both paths give the same date. `status` and
    `progress` are the lead's before the touch."""
    if priority == Priority.FOCUS:
        limit = today + dt.timedelta(days=targets.focus_max_days)
        keep = current is not None and today < current <= limit
    else:
        keep = current is None or current >= today
    if keep:
        return current
    return suggest_next_action_date(
        status=status_after_outcome(status, outcome),
        priority=priority,
        progress=progress_after_touch(progress, channel),
        today=today,
        calendar=calendar,
        targets=targets,
    )


@dataclass(frozen=True)
class Touch:
    """One logged touch on a lead, as a list item or a confirmation names it."""

    lead_id: int
    company: str
    contact_name: str | None
    channel: Channel
    outcome: Outcome
    acted_at: dt.datetime


@dataclass(frozen=True)
class QuickLogResult(Touch):
    """What a one-tap log recorded (or, `duplicate`, found recorded by the same click)."""

    action_id: int
    duplicate: bool
    status_before: int
    status_after: int
    next_action_date: dt.date | None
    progress: FiveC2M
    updates_morning_dm: bool

    @property
    def undo_until(self) -> dt.datetime:
        return self.acted_at + UNDO_WINDOW


def quick_log(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    lead_id: int,
    choice: QuickChoice,
    version: str,
    settings: Settings,
    calendar: BusinessCalendar,
    open_list: OpenList | None = None,
) -> QuickLogResult:
    """Log `choice` on the lead at once (see the module docstring). Raises NotFound or
    NotAllowed for a lead the clicker may not log; nothing is saved then. `open_list`: the
    list modal it was logged from, updated in the same transaction's outbox."""
    channel, outcome = choice.touch
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        lead = visible_lead(session, actor, lead_id)
        today = actor.today(calendar)
        shown = ShownFields(
            lead_id=lead.id,
            status=_status_shown(uow, lead),
            priority=lead.priority,
            next_action_date=lead.next_action_date,
            memo_digest=memo_digest(lead.memo.strip()),
        )
        memo = lead.memo
        next_date = next_date_after_touch(
            current=lead.next_action_date,
            status=lead.status,
            priority=lead.priority,
            progress=five_c2m(lead.call_count, lead.mail_count, settings.targets),
            today=today,
            channel=channel,
            outcome=outcome,
            calendar=calendar,
            targets=settings.targets,
        )
    assert shown.status is not None
    result = record_action(
        uow,
        slack_user_id=slack_user_id,
        lead_id=lead_id,
        channel=channel,
        outcome=outcome,
        status=shown.status,
        priority=shown.priority,
        next_action_date=next_date,
        memo=memo,
        shown=shown,
        idempotency_key=quick_key(slack_user_id, lead_id, version),
        confirm=False,  # the list it was logged from answers (updated, or an ephemeral)
        then=_refreshing(open_list),
        settings=settings,
        calendar=calendar,
    )
    return from_attributes(QuickLogResult, result, progress=result.five_c2m)


def _refreshing(open_list: OpenList | None) -> Callable[[UnitOfWork, Any], None] | None:
    if open_list is None:
        return None
    return lambda uow, _result: live_lists.refresh_list_view(uow, view=open_list, now=utcnow())


def _status_shown(uow: UnitOfWork, lead: Lead) -> int:
    """The status the modal would show: while 4/6 waits for review, the one before it."""
    pending_id = reviews.pending_review_id(uow, lead_id=lead.id)
    if pending_id is None:
        return int(lead.status)
    return int(uow.session.get_one(NoActionReview, pending_id).previous_status)


# -- undo ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class UndoResult(Touch):
    """The touch that was removed, and the lead as the undo left it."""

    status: int
    next_action_date: dt.date | None
    updates_morning_dm: bool


def undo_quick_log(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    action_id: int,
    settings: Settings,
    calendar: BusinessCalendar,
    open_list: OpenList | None = None,
) -> UndoResult:
    """Remove a one-tap log within UNDO_WINDOW and put the lead back as it was (see the
    module docstring). Raises NotFound, NotAllowed or Conflict with the reason; nothing
    changes then."""
    now = utcnow()
    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        action = session.get(Action, action_id)
        if action is None:
            raise NotFound(messages.UNDO_NOT_FOUND)
        lead = visible_lead(session, actor, action.lead_id)
        # The lead's row lock (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers): a
        # log of the same lead waits, and a second undo finds the action gone.
        session.refresh(lead, with_for_update=True)
        if session.get(Action, action_id) is None:
            raise NotFound(messages.UNDO_NOT_FOUND)
        if not (action.idempotency_key or "").startswith(QUICK_KEY_PREFIX):
            raise NotAllowed(messages.UNDO_ONLY_QUICK)
        if now > action.acted_at + UNDO_WINDOW:
            logged_at = time_label(action.acted_at.astimezone(calendar.tz))
            raise Conflict(messages.undo_too_late(_minutes(UNDO_WINDOW), logged_at))
        later = session.scalar(
            select(func.count())
            .select_from(Action)
            .where(Action.lead_id == lead.id, Action.id > action.id)
        )
        if later:
            raise Conflict(messages.UNDO_LATER_ACTION)
        restore = _fields_to_restore(session, action)
        for name, value in restore.items():
            record_change(
                session,
                lead_id=lead.id,
                member_id=actor.id,
                field=name,
                old=getattr(lead, name),
                new=value,
                note=UNDO_NOTE,
                at=now,
            )
            setattr(lead, name, value)
        record_change(
            session,
            lead_id=lead.id,
            member_id=actor.id,
            field="action",
            old=f"{action.channel.label} {action.outcome.value}",
            new=None,
            note=UNDO_NOTE,
            at=now,
        )
        undone = from_attributes(
            UndoResult,
            action,
            company=lead.company,
            contact_name=lead.contact_name,
            status=int(lead.status),
            next_action_date=lead.next_action_date,
            updates_morning_dm=False,
        )
        session.flush()
        session.execute(delete(Action).where(Action.id == action.id))
        recompute_counters(session, lead_ids=[lead.id], targets=settings.targets)
        updates_dm = live_lists.refresh_after_touch(
            uow, lead_id=lead.id, calendar=calendar, now=now
        )
        if open_list is not None:
            live_lists.refresh_list_view(uow, view=open_list, now=now)
        uow.commit()
    return replace(undone, updates_morning_dm=updates_dm)


def _minutes(window: dt.timedelta) -> int:
    return int(window.total_seconds() // 60)


def _fields_to_restore(session: Session, action: Action) -> dict[str, Any]:
    """The values the log's history rows replaced; Conflict when anything else was written
    to the lead's history since (another change, or the withdrawal of a review)."""
    rows = session.execute(
        select(
            LeadHistory.member_id,
            LeadHistory.field,
            LeadHistory.old_value,
            LeadHistory.changed_at,
        )
        .where(LeadHistory.lead_id == action.lead_id, LeadHistory.changed_at >= action.acted_at)
        .order_by(LeadHistory.id)
    ).all()
    restore: dict[str, Any] = {}
    for row in rows:
        own = (
            row.field in LOGGED_FIELDS
            and row.member_id == action.member_id
            and row.changed_at == action.acted_at
            and row.field not in restore
        )
        if own:
            restore[row.field] = _field_value(row.field, row.old_value)
        elif row.field == "review" and row.member_id == action.member_id:
            raise Conflict(messages.UNDO_WITHDREW_REVIEW)
        else:
            raise Conflict(messages.UNDO_LEAD_CHANGED)
    return restore


def _field_value(name: str, stored: str | None) -> Any:
    """A history row's text back as the lead's field value."""
    if name == "status":
        return ActionStatus(int(stored)) if stored is not None else ActionStatus.UNTOUCHED
    if name == "priority":
        return Priority(int(stored)) if stored else None
    if name == "next_action_date":
        return dt.date.fromisoformat(stored) if stored else None
    return stored or ""
