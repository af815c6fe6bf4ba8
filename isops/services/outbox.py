"""Outbox: Slack messages stored with the change that caused them, delivered exactly once.

A notification is written in the same transaction as the domain change, so a Slack outage
never loses it. Delivering it once, even with several processes, crashes and a slow or
rate-limiting Slack, rests on five rules (the bot side is `bot.outbox`):

* **A key per message.** `delivery_key` is unique (the morning DM's is
  `morning:<member id>:<date>`, others get `<kind>:<uuid>` here) and is sent to Slack with the
  message as metadata, so whether a message reached Slack can be looked up later.
* **Claim one row, right before sending it.** `claim` is one conditional UPDATE of one row:
  pending and due, or "sending" with an expired lease. It sets `lease_until` and bumps
  `claim_token`, and the claimer reads the new token back (RETURNING). Two claimers: on
  PostgreSQL (READ COMMITTED) the second blocks on the row lock, then re-checks its WHERE
  against the committed row, which no longer matches (0 rows); on SQLite, BEGIN IMMEDIATE
  serialises the two. One wins and knows its token. Nobody holds rows it is not working on,
  so no row waits in a batch until it looks abandoned.
* **Fencing.** Every later write of the holder — renewing the lease before each Slack call,
  recording the result — is conditional on (id, claim_token, state "sending"). A holder whose
  lease ran out and whose row was claimed again gets 0 rows and stops: it neither sends nor
  records over the new holder.
* **Uncertain sends are looked up, not repeated.** The renewal before a chat.postMessage sets
  `maybe_posted`; it is cleared only when Slack answered that nothing was posted. A claimer that
  finds it set (a holder died mid-send, or the connection dropped after the request went out)
  looks for the key in the channel's history before posting.
* **No waiting while holding a claim.** LEASE is many times longer than one Slack call can
  take (the client's timeout and its few, short retries), so a live holder never loses its
  claim between renewing and sending. Longer waits (a 429's Retry-After, back-off after
  errors) are spent with the row back in "pending" and `next_attempt_at` ahead.

What remains is a holder frozen for longer than LEASE between renewing and its request
reaching Slack (a stopped VM, not a slow network), and clocks of the hosts disagreeing by
more than that: the lease compares each host's clock.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, not_, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from isops.clock import utcnow
from isops.db import affected_rows
from isops.enums import DeliveryState
from isops.models import Notification
from isops.projection import from_attributes
from isops.unit_of_work import UnitOfWork

MAX_ATTEMPTS = 12
# A claim's life without renewal: far longer than one Slack call with its retries (10 s
# timeout × 3 tries + 2 short waits, see bot.slack_client), far shorter than a person waits.
LEASE = dt.timedelta(minutes=2)
# A 429's Retry-After is honoured up to this; beyond it Slack is asking for something odd.
RETRY_AFTER_CAP = dt.timedelta(minutes=15)
# Keys per `IN (...)` list (SQLite allows 32,766 bound parameters per statement).
KEY_CHUNK = 5000


@dataclass(frozen=True)
class Claim:
    """The right to send one notification, until `claim_token` changes."""

    id: int
    kind: str
    key: str
    payload: dict[str, Any]
    token: int
    attempts: int
    maybe_posted: bool
    created_at: dt.datetime
    expires_at: dt.datetime | None

    def expired(self, now: dt.datetime) -> bool:
        return self.expires_at is not None and self.expires_at <= now


def new_key(kind: str) -> str:
    """A delivery key for a message without a natural one."""
    return f"{kind}:{uuid.uuid4().hex}"


def enqueue(
    uow: UnitOfWork,
    *,
    kind: str,
    payload: dict[str, Any],
    key: str | None = None,
    expires_at: dt.datetime | None = None,
) -> None:
    """Add a notification to the caller's open unit of work (the caller commits)."""
    uow.session.add(
        Notification(
            kind=kind,
            delivery_key=key or new_key(kind),
            payload=payload,
            state=DeliveryState.PENDING,
            next_attempt_at=utcnow(),
            expires_at=expires_at,
        )
    )


def enqueue_once(
    uow: UnitOfWork,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: dt.datetime,
    expires_at: dt.datetime | None = None,
    settled: bool = False,
) -> bool:
    """Add the notification `key` unless it exists; True when this call added it.

    In the caller's open unit of work (the caller commits). `INSERT … ON CONFLICT DO NOTHING`
    on both databases: a duplicate is not an error, so the caller's transaction goes on (an
    IntegrityError would abort it on PostgreSQL). A concurrent insert of the same key waits
    for the other transaction and then does nothing. `settled` stores it as already dealt with
    (state "skipped": nothing to send, but the key is taken).
    """
    values = {
        "kind": kind,
        "delivery_key": key,
        "payload": payload,
        "state": DeliveryState.SKIPPED if settled else DeliveryState.PENDING,
        "next_attempt_at": now,
        "expires_at": expires_at,
        "created_at": now,
    }
    insert = postgresql.insert if _dialect(uow.session) == "postgresql" else sqlite.insert
    stmt = (
        insert(Notification)
        .values(values)
        .on_conflict_do_nothing(index_elements=[Notification.delivery_key])
        .returning(Notification.id)
    )
    return uow.session.execute(stmt).first() is not None


def enqueue_coalesced(
    uow: UnitOfWork,
    *,
    kind: str,
    key: str,
    payload: dict[str, Any],
    now: dt.datetime,
    settle: dt.timedelta = dt.timedelta(0),
) -> None:
    """Queue a message that is built when it is sent (a Home publish, a list's refresh), at
    most one waiting per `key`: changes made while one waits are all shown by it.

    In the caller's open unit of work. `INSERT … ON CONFLICT DO UPDATE` rather than DO
    NOTHING: the update locks a waiting row until the caller commits, so a sender that claims
    it meanwhile (and frees the key with `release_key` before reading the database) waits for
    this change and then shows it; a row already released no longer holds the key, and a new
    one is queued. On SQLite, BEGIN IMMEDIATE serialises the two anyway.

    `settle`: sent that long after the first change, so a burst of changes (a rep logging
    lead after lead) is one message, built off the requests' path."""
    values = {
        "kind": kind,
        "delivery_key": key,
        "payload": payload,
        "state": DeliveryState.PENDING,
        "next_attempt_at": now + settle,
        "created_at": now,
    }
    insert = postgresql.insert if _dialect(uow.session) == "postgresql" else sqlite.insert
    stmt = insert(Notification).values(values)
    uow.session.execute(
        stmt.on_conflict_do_update(
            index_elements=[Notification.delivery_key],
            set_={"payload": stmt.excluded.payload},
        )
    )


def release_key(uow: UnitOfWork, *, claim: Claim) -> bool:
    """Give a claimed coalescing notification (`enqueue_coalesced`) a key of its own, so a
    change committed from now on queues the next one; False when the claim was lost.

    Its sender calls this before it reads what it will show: whatever committed before is in
    what it reads, whatever commits after gets a message of its own."""
    return _fenced_update(uow, claim, {"delivery_key": f"{claim.key}@{uuid.uuid4().hex}"})


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def _claimable(now: dt.datetime) -> ColumnElement[bool]:
    return or_(
        and_(Notification.state == DeliveryState.PENDING, Notification.next_attempt_at <= now),
        and_(Notification.state == DeliveryState.SENDING, Notification.lease_until <= now),
    )


def due_ids(
    uow: UnitOfWork, *, kinds: Collection[str], now: dt.datetime, limit: int = 50
) -> list[int]:
    """Notifications of `kinds` that may be claimed now, oldest due first. Only candidates:
    `claim` takes them one at a time, and one may be gone by then."""
    if not kinds:
        return []
    with uow:
        return list(
            uow.session.scalars(
                select(Notification.id)
                .where(Notification.kind.in_(sorted(kinds)), _claimable(now))
                .order_by(Notification.next_attempt_at, Notification.id)
                .limit(limit)
            )
        )


def next_due_at(uow: UnitOfWork, *, kinds: Collection[str]) -> dt.datetime | None:
    """When the next notification of `kinds` becomes claimable (a retry or an expiring
    lease), so a dispatcher can wake up then; None when nothing is waiting."""
    if not kinds:
        return None
    with uow:
        row = uow.session.execute(
            select(
                func.min(
                    case(
                        (Notification.state == DeliveryState.PENDING, Notification.next_attempt_at),
                        else_=Notification.lease_until,
                    )
                )
            ).where(
                Notification.kind.in_(sorted(kinds)),
                Notification.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)),
            )
        ).scalar()
    return row


def claim(
    uow: UnitOfWork,
    *,
    now: dt.datetime,
    notification_id: int | None = None,
    key: str | None = None,
) -> Claim | None:
    """Claim one notification (by id or by key) if it may be claimed now; None otherwise.

    One UPDATE with RETURNING: the compare-and-set and the new token in one statement. A row
    taken over from a holder whose lease ran out counts as one more attempt, so a message
    that kills every process that tries it does not go round for ever.
    """
    if (notification_id is None) == (key is None):
        raise ValueError("claim by id or by key")
    target = (
        Notification.id == notification_id
        if notification_id is not None
        else Notification.delivery_key == key
    )
    with uow:
        row = uow.session.execute(
            update(Notification)
            .where(target, _claimable(now))
            .values(
                state=DeliveryState.SENDING,
                claim_token=Notification.claim_token + 1,
                lease_until=now + LEASE,
                attempts=Notification.attempts
                + case((Notification.state == DeliveryState.SENDING, 1), else_=0),
            )
            .returning(
                Notification.id,
                Notification.kind,
                Notification.delivery_key,
                Notification.payload,
                Notification.claim_token,
                Notification.attempts,
                Notification.maybe_posted,
                Notification.created_at,
                Notification.expires_at,
            )
            .execution_options(synchronize_session=False)
        ).one_or_none()
        uow.commit()
    if row is None:
        return None
    return from_attributes(
        Claim, row, key=row.delivery_key, payload=dict(row.payload), token=row.claim_token
    )


def _held(claim: Claim) -> ColumnElement[bool]:
    """The fencing condition: the row is still this claimer's."""
    return and_(
        Notification.id == claim.id,
        Notification.claim_token == claim.token,
        Notification.state == DeliveryState.SENDING,
    )


def _fenced_update(uow: UnitOfWork, claim: Claim, values: dict[str, Any]) -> bool:
    with uow:
        result = uow.session.execute(
            update(Notification)
            .where(_held(claim))
            .values(values)
            .execution_options(synchronize_session=False)
        )
        uow.commit()
        return affected_rows(result) == 1


def renew(uow: UnitOfWork, *, claim: Claim, now: dt.datetime, posting: bool = False) -> bool:
    """Extend the lease before a Slack call; False when the claim is lost (do not call).

    `posting`: the call is a chat.postMessage, which may reach Slack even if its answer never
    reaches us, so the row says so before the request leaves."""
    values: dict[str, Any] = {"lease_until": now + LEASE}
    if posting:
        values["maybe_posted"] = True
    return _fenced_update(uow, claim, values)


def mark_sent(
    uow: UnitOfWork,
    *,
    claim: Claim,
    now: dt.datetime,
    channel: str | None = None,
    ts: str | None = None,
) -> bool:
    """Record the delivery (and where the message lives); False when the claim was lost."""
    return _fenced_update(
        uow,
        claim,
        {
            "state": DeliveryState.SENT,
            "sent_at": now,
            "sent_channel": channel,
            "sent_ts": ts,
            "lease_until": None,
            "last_error": None,
        },
    )


def backoff(attempts: int) -> dt.timedelta:
    """Wait before the next try after `attempts` failed ones: 1, 2, 4 … minutes, at most 1 h."""
    return dt.timedelta(seconds=min(3600, 30 * 2**attempts))


def retry_later(
    uow: UnitOfWork,
    *,
    claim: Claim,
    now: dt.datetime,
    error: str,
    maybe_posted: bool,
    delay: dt.timedelta | None = None,
    count_attempt: bool = True,
) -> bool:
    """Give the row back for a later try: after `delay` (a 429's Retry-After, capped), else
    with back-off. A 429 does not count as an attempt (Slack asked us to pace, nothing
    failed). After MAX_ATTEMPTS counted ones it is failed for good. Returns whether another
    try will be made (False also when the claim was lost)."""
    attempts = claim.attempts + (1 if count_attempt else 0)
    if attempts >= MAX_ATTEMPTS:
        mark_failed(uow, claim=claim, now=now, error=error, maybe_posted=maybe_posted)
        return False
    wait = min(delay, RETRY_AFTER_CAP) if delay is not None else backoff(attempts)
    return _fenced_update(
        uow,
        claim,
        {
            "state": DeliveryState.PENDING,
            "attempts": attempts,
            "next_attempt_at": now + wait,
            "lease_until": None,
            "maybe_posted": maybe_posted,
            "last_error": error[:1000],
        },
    )


def mark_failed(
    uow: UnitOfWork, *, claim: Claim, now: dt.datetime, error: str, maybe_posted: bool = False
) -> bool:
    """Give up on the notification (an error retrying cannot fix, expiry, too many tries)."""
    return _fenced_update(
        uow,
        claim,
        {
            "state": DeliveryState.FAILED,
            "attempts": claim.attempts + 1,
            "lease_until": None,
            "maybe_posted": maybe_posted,
            "last_error": error[:1000],
        },
    )


def busy_keys(session: Session, *, keys: Iterable[str], now: dt.datetime) -> set[str]:
    """Of `keys`, those whose notification exists and may not be claimed now: delivered,
    settled or given up, being sent under a live lease, or waiting for its retry time."""
    wanted = sorted(set(keys))
    found: set[str] = set()
    for start in range(0, len(wanted), KEY_CHUNK):
        found.update(
            session.scalars(
                select(Notification.delivery_key).where(
                    Notification.delivery_key.in_(wanted[start : start + KEY_CHUNK]),
                    not_(_claimable(now)),
                )
            )
        )
    return found
