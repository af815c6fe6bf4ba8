"""Verdict requests to the FS (issue 12): queued once per due moment, through the outbox.

The job (every 15 minutes, and at start-up) and `isops handoffs remind` call
`queue_due_requests`: for each undecided hand-off whose next request is due it inserts one
outbox notification with the unique key `handoff-verdict:<hand-off id>:<version>:<n>` (n = 1..3,
isops.services.handoff_schedule), `INSERT … ON CONFLICT DO NOTHING` as the morning DMs do. The
run or process that inserts it owns that request; the others find it taken, so restarts,
several processes and the command after the scheduled run send it once. In the same
transaction the hand-off's counter moves on, conditionally (`verdict IS NULL`, same version):
a verdict or a reschedule that committed meanwhile rolls the request back. A reschedule bumps
the version, so its requests have new keys and the old version's are not sent (the sender
checks the version too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select, update

from isops.calendar import BusinessCalendar
from isops.db import affected_rows
from isops.models import Handoff, Lead, Member, Notification
from isops.projection import from_attributes
from isops.services import outbox
from isops.services.handoff_schedule import MAX_REQUESTS, VerdictSchedule
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory

HANDOFF_VERDICT_REQUEST = "handoff_verdict_request"  # outbox kind: the FS's verdict request DM
# A request queued by hand (`--at` in the past) is still worth sending for at least this long.
BY_HAND_WINDOW = dt.timedelta(hours=1)


def request_key(handoff_id: int, version: int, number: int) -> str:
    """The delivery key of verdict request `number` of a hand-off's `version`."""
    return f"handoff-verdict:{handoff_id}:{version}:{number}"


def request_keys(handoff_id: int, version: int) -> list[str]:
    """Every key a hand-off's requests may have had, up to its current version."""
    return [
        request_key(handoff_id, v, n)
        for v in range(1, version + 1)
        for n in range(1, MAX_REQUESTS + 1)
    ]


@dataclass(frozen=True)
class DueRequest:
    """One verdict request due at the run's moment."""

    handoff_id: int
    version: int
    number: int
    fs_slack_user_id: str
    fs_name: str
    company: str
    meeting_at: dt.datetime

    @property
    def key(self) -> str:
        return request_key(self.handoff_id, self.version, self.number)


def due_requests(
    uow_factory: UnitOfWorkFactory,
    *,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
) -> list[DueRequest]:
    """Undecided hand-offs whose next verdict request is due at `now` (index
    `ix_handoffs_verdict_next`), each with the latest request due (1..3)."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(
                Handoff.id,
                Handoff.version,
                Handoff.verdict_due_at,
                Handoff.verdict_requests,
                Handoff.meeting_at,
                Member.slack_user_id,
                Member.name,
                Member.timezone,
                Lead.company,
            )
            .join(Member, Member.id == Handoff.fs_member_id)
            .join(Lead, Lead.id == Handoff.lead_id)
            .where(
                Handoff.verdict.is_(None),
                Handoff.next_request_at <= now,
                Handoff.verdict_requests < MAX_REQUESTS,
            )
            .order_by(Handoff.next_request_at, Handoff.id)
        ).all()
    due: list[DueRequest] = []
    for row in rows:
        schedule = VerdictSchedule.of(settings, calendar, row.timezone)
        number = schedule.due_request(row.verdict_due_at, now)
        if number > row.verdict_requests:
            due.append(
                from_attributes(
                    DueRequest,
                    row,
                    handoff_id=row.id,
                    number=number,
                    fs_slack_user_id=row.slack_user_id,
                    fs_name=row.name,
                )
            )
    return due


def queue_request(
    uow_factory: UnitOfWorkFactory,
    *,
    request: DueRequest,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    by_hand: bool = False,
) -> bool:
    """Store verdict request `request` unless its key is taken; True when this call stored
    it. One transaction: the notification and the hand-off's counter, or neither. `now` is
    the clock's (a run by hand for another moment still queues the message for now)."""
    with uow_factory() as uow:
        session = uow.session
        row = session.execute(
            select(Handoff.verdict_due_at, Member.timezone)
            .join(Member, Member.id == Handoff.fs_member_id)
            .where(Handoff.id == request.handoff_id)
        ).one_or_none()
        if row is None:
            return False
        schedule = VerdictSchedule.of(settings, calendar, row.timezone)
        following = schedule.request_at(row.verdict_due_at, request.number + 1)
        # Not worth sending once the next one is due (or, after the third, the manager sees it).
        expires_at = max(following, now + BY_HAND_WINDOW) if by_hand else following
        stored = outbox.enqueue_once(
            uow,
            kind=HANDOFF_VERDICT_REQUEST,
            key=request.key,
            payload={
                "handoff_id": request.handoff_id,
                "version": request.version,
                "number": request.number,
            },
            now=now,
            expires_at=expires_at,
        )
        if not stored:
            return False
        moved = session.execute(
            update(Handoff)
            .where(
                Handoff.id == request.handoff_id,
                Handoff.verdict.is_(None),
                Handoff.version == request.version,
                Handoff.verdict_requests < request.number,
            )
            .values(verdict_requests=request.number, next_request_at=following)
            .execution_options(synchronize_session=False)
        )
        if affected_rows(moved) != 1:
            return False  # decided or rescheduled meanwhile: the request is rolled back
        uow.commit()
        return True


@dataclass(frozen=True)
class SentRequest:
    """A verdict request delivered to the FS: where it lives, and which one it was."""

    channel: str
    ts: str
    version: int
    number: int


def sent_request_messages(
    uow_factory: UnitOfWorkFactory, *, handoff_id: int, version: int
) -> list[SentRequest]:
    """Where the hand-off's verdict requests were delivered, so their buttons can be replaced
    once decided or rescheduled (looked up by their exact keys: the unique index)."""
    keys = request_keys(handoff_id, version)
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(Notification.sent_channel, Notification.sent_ts, Notification.delivery_key)
            .where(Notification.delivery_key.in_(keys), Notification.sent_ts.is_not(None))
            .order_by(Notification.id)
        ).all()
    found: list[SentRequest] = []
    for channel, ts, key in rows:
        _kind, _id, key_version, number = str(key).split(":")
        if channel and ts:
            found.append(SentRequest(str(channel), str(ts), int(key_version), int(number)))
    return found
