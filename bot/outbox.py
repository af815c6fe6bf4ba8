"""Sends the outbox: each notification kind has a sender that makes the Slack call(s).

The database side (claims, fencing tokens, leases, `maybe_posted`) is isops.services.outbox;
this module makes the Slack calls under those rules. A sender gets a `Delivery` for the one
notification it sends:

- `delivery.post_message(...)` is the only way a sender posts. It renews the claim first (a
  sender that lost its claim raises `LostClaim` and never posts), marks the row
  `maybe_posted`, and sends the notification's delivery key as message metadata
  (`isops_delivery`). When an earlier try may have posted, it first looks for that key in the
  channel's recent history and returns the message found instead of posting again.
- `delivery.post_ephemeral(...)` renews, then posts. Ephemeral messages cannot be looked up,
  so one whose answer was lost may be shown twice: at least once, not exactly once.
- `delivery.client` for calls that are safe to repeat (chat.update, reads).

A sender may make several calls; each must be safe to repeat after a crash between them
(a review message: post, record where it is, update — the post is found by its key the
second time, the record and the update are idempotent).
"""

from __future__ import annotations

import datetime as dt
import enum
import http.client
import logging
import socket
import threading
import urllib.error
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from bot.slack_client import retry_after_seconds
from isops.clock import utcnow
from isops.services import outbox
from isops.services.outbox import Claim

log = logging.getLogger(__name__)

# Message metadata on every post of the outbox: {"event_type": ..., "event_payload": {"key": …}}.
DELIVERY_EVENT_TYPE = "isops_delivery"
# Errors that will not go away by retrying the same call.
PERMANENT_ERRORS = frozenset(
    {
        "channel_not_found",
        "user_not_found",
        "not_in_channel",
        "invalid_blocks",
        "is_archived",
        "account_inactive",
        "invalid_arguments",
        "msg_too_long",
        "no_text",
    }
)
# Answers after which the call may have been carried out (Slack's docs: "it's possible some
# aspect of the operation succeeded before the error was raised").
MAYBE_CARRIED_OUT = frozenset(
    {"fatal_error", "internal_error", "service_unavailable", "request_timeout"}
)
# History that cannot be read: the key cannot be checked, so the message is posted again
# (at least once) and the log says which scope is missing.
HISTORY_UNREADABLE = frozenset(
    {"missing_scope", "not_in_channel", "channel_not_found", "not_allowed_token_type"}
)
# The history is read from the notification's creation, minus this for clock differences.
HISTORY_MARGIN_SECONDS = 600.0
HISTORY_PAGE = 200
HISTORY_PAGES = 10

# sender(deps, delivery, payload) -> None; raises SlackApiError (or an OSError) on failure.
Sender = Callable[[Deps, "Delivery", dict[str, Any]], None]


class LostClaim(Exception):
    """The notification was claimed by another sender (this one's lease ran out): stop."""


class NotPosting(Exception):
    """Expired or out of attempts, and not posted before: nothing may be posted any more."""


class Outcome(enum.Enum):
    SENT = "sent"  # delivered (or found delivered by an earlier try)
    RETRYING = "retrying"  # back in the queue for a later try
    FAILED = "failed"  # given up
    LOST = "lost"  # another sender holds it now


@dataclass
class DeliveryTally:
    """Whom a job's sends reached, by Slack user id."""

    sent: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Settled, or being sent by another run/process meanwhile (or taken over): left alone.
    elsewhere: list[str] = field(default_factory=list)

    def record(self, result: Outcome | None, slack_user_id: str) -> None:
        """Count one `OutboxDispatcher.deliver` result."""
        if result is Outcome.SENT:
            self.sent.append(slack_user_id)
        elif result in (Outcome.RETRYING, Outcome.FAILED):
            self.failed.append(slack_user_id)
        else:
            self.elsewhere.append(slack_user_id)


@dataclass(frozen=True)
class PostedMessage:
    channel: str
    ts: str


class Delivery:
    """One claimed notification being sent: its key, a client, and the fenced Slack calls."""

    def __init__(
        self, deps: Deps, client: WebClient, claim: Claim, *, may_post: bool = True
    ) -> None:
        self.client = client
        self.claim = claim
        self.key = claim.key
        self.maybe_posted = claim.maybe_posted
        self.posted: PostedMessage | None = None
        self._deps = deps
        self._may_post = may_post

    @property
    def metadata(self) -> dict[str, Any]:
        return {"event_type": DELIVERY_EVENT_TYPE, "event_payload": {"key": self.key}}

    def renew(self, *, posting: bool = False) -> None:
        """Extend the claim before a Slack call; raises LostClaim when it is not ours."""
        if not outbox.renew(self._deps.uow(), claim=self.claim, now=utcnow(), posting=posting):
            raise LostClaim(self.key)

    def post_message(self, *, channel: str, **message: Any) -> PostedMessage:
        """chat.postMessage exactly once for this notification (see the module docstring)."""
        if self.posted is not None or "metadata" in message:
            raise ValueError(f"{self.key}: one post per notification, metadata set here")
        if self.maybe_posted:
            found = self.find_posted(channel)
            if found is not None:
                log.info(
                    "%s: already posted in %s at %s, not sending again",
                    self.key,
                    found.channel,
                    found.ts,
                )
                self.posted = found
                return found
            self.maybe_posted = False  # looked up: the earlier try did not arrive
        if not self._may_post:
            raise NotPosting(self.key)
        self.renew(posting=True)
        self.maybe_posted = True
        try:
            answer = self.client.chat_postMessage(
                channel=channel, metadata=self.metadata, **message
            )
        except SlackApiError as exc:
            self.maybe_posted = _maybe_carried_out(exc)
            raise
        except (OSError, http.client.HTTPException) as exc:
            self.maybe_posted = not _never_sent(exc)
            raise
        self.posted = PostedMessage(str(answer["channel"]), str(answer["ts"]))
        return self.posted

    def post_ephemeral(self, *, channel: str, user: str, **message: Any) -> None:
        """chat.postEphemeral after renewing the claim (at least once: see the docstring)."""
        self.renew()
        self.client.chat_postEphemeral(channel=channel, user=user, **message)

    def find_posted(self, channel: str) -> PostedMessage | None:
        """This notification's message in `channel` (a user id: the bot's DM with them), found
        by its metadata key in the history since the notification was created."""
        conversation = channel
        if channel[:1] in ("U", "W"):
            self.renew()
            opened = self.client.conversations_open(users=channel)
            conversation = str(opened["channel"]["id"])
        oldest = self.claim.created_at.timestamp() - HISTORY_MARGIN_SECONDS
        cursor: str | None = None
        for _ in range(HISTORY_PAGES):
            self.renew()
            try:
                page = self.client.conversations_history(
                    channel=conversation,
                    oldest=f"{oldest:.6f}",
                    include_all_metadata=True,
                    limit=HISTORY_PAGE,
                    cursor=cursor,
                )
            except SlackApiError as exc:
                error = _error(exc)
                if error not in HISTORY_UNREADABLE:
                    raise
                log.warning(
                    "%s: cannot read the history of %s (%s; the DM check needs the im:history"
                    " scope): sending again, so it may arrive twice",
                    self.key,
                    conversation,
                    error,
                )
                return None
            for found in page.get("messages") or []:
                metadata = found.get("metadata") or {}
                if (
                    metadata.get("event_type") == DELIVERY_EVENT_TYPE
                    and (metadata.get("event_payload") or {}).get("key") == self.key
                ):
                    return PostedMessage(conversation, str(found["ts"]))
            cursor = (page.get("response_metadata") or {}).get("next_cursor") or None
            if not page.get("has_more") or cursor is None:
                return None
        log.warning(
            "%s: more than %d messages in %s since it was queued; sending again",
            self.key,
            HISTORY_PAGE * HISTORY_PAGES,
            conversation,
        )
        return None


def _error(exc: SlackApiError) -> str:
    data = exc.response.data
    return str(data.get("error", "unknown")) if isinstance(data, dict) else "unknown"


def _maybe_carried_out(exc: SlackApiError) -> bool:
    """Slack answered, yet may have posted: a 5xx or an "it's possible some aspect succeeded"."""
    return exc.response.status_code >= 500 or _error(exc) in MAYBE_CARRIED_OUT


def _never_sent(exc: BaseException) -> bool:
    """The request never left: the connection was refused or the name did not resolve.
    Anything else (timeouts, resets, a connection closed before the answer) may have."""
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    return isinstance(reason, ConnectionRefusedError | socket.gaierror)


def job_outbox(
    deps: Deps, client: WebClient | None, register: Callable[[OutboxDispatcher], None]
) -> OutboxDispatcher | None:
    """A job's own dispatcher with the senders `register` adds; None without a client (a job
    built for dry runs only)."""
    if client is None:
        return None
    dispatcher = OutboxDispatcher(deps, client)
    register(dispatcher)
    return dispatcher


class OutboxDispatcher:
    """Claims due notifications one at a time and sends them; failures are retried later,
    never lost, and nothing is sent twice (see isops.services.outbox)."""

    def __init__(self, deps: Deps, client: WebClient) -> None:
        self._deps = deps
        self.client = client
        self._senders: dict[str, Sender] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(self._senders)

    def start(self, *, poll_seconds: float = 15.0) -> None:
        """Send in a background thread: at once when woken, when the next retry is due, else
        every `poll_seconds`."""
        self._stop.clear()
        self._thread = threading.Thread(
            target=self._loop, args=(poll_seconds,), name="isops-outbox", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._deps.wake_outbox()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self, poll_seconds: float) -> None:
        wakeup = self._deps.outbox_wakeup
        wait = poll_seconds
        while not self._stop.is_set():
            wakeup.wait(wait)
            wakeup.clear()
            if self._stop.is_set():
                return
            wait = poll_seconds
            try:
                while self.run_once() > 0:
                    pass
                due = outbox.next_due_at(self._deps.uow(), kinds=self.kinds)
                if due is not None:
                    wait = min(poll_seconds, max(0.05, (due - utcnow()).total_seconds()))
            except Exception:  # a database hiccup must not kill the sender thread
                log.exception("outbox run failed; will try again")

    def run_once(self, *, limit: int = 50) -> int:
        """Send what is due now, claiming one notification at a time; returns how many were
        delivered."""
        sent = 0
        for notification_id in outbox.due_ids(
            self._deps.uow(), kinds=self.kinds, now=utcnow(), limit=limit
        ):
            claim = outbox.claim(self._deps.uow(), notification_id=notification_id, now=utcnow())
            if claim is not None and self.send(claim) is Outcome.SENT:
                sent += 1
        return sent

    def deliver(self, *, key: str) -> Outcome | None:
        """Claim the notification `key` and send it now; None when it may not be claimed
        now (delivered, settled, another sender has it, or its retry is not due yet)."""
        claim = outbox.claim(self._deps.uow(), key=key, now=utcnow())
        return None if claim is None else self.send(claim)

    def send(self, claim: Claim) -> Outcome:
        """Send one claimed notification and record what happened, fenced by its token."""
        deps, now = self._deps, utcnow()
        sender = self._senders.get(claim.kind)
        if sender is None:
            return self._failed(claim, f"no sender for {claim.kind}", maybe_posted=False)
        reason = (
            "expired"
            if claim.expired(now)
            else ("too many attempts" if claim.attempts >= outbox.MAX_ATTEMPTS else None)
        )
        if reason is not None and not claim.maybe_posted:
            return self._failed(claim, reason, maybe_posted=False)
        # Expired or out of attempts but maybe posted: the sender runs only to look it up.
        delivery = Delivery(deps, self.client, claim, may_post=reason is None)
        try:
            sender(deps, delivery, claim.payload)
        except LostClaim:
            log.warning("notification %d (%s): claimed by another sender", claim.id, claim.key)
            return Outcome.LOST
        except NotPosting:
            return self._failed(claim, reason or "expired", maybe_posted=False)
        except SlackApiError as exc:
            error = _error(exc)
            log.warning("notification %d (%s) failed: %s", claim.id, claim.key, error)
            if exc.response.status_code == 429:
                delay = retry_after_seconds(exc.response.headers) or 1.0
                return self._retry(claim, delivery, error, delay=delay, count_attempt=False)
            if error in PERMANENT_ERRORS:
                return self._failed(claim, error, maybe_posted=delivery.maybe_posted)
            return self._retry(claim, delivery, error)
        except Exception as exc:  # connection errors, and a sender's own bug or DB hiccup
            log.warning("notification %d (%s) failed: %r", claim.id, claim.key, exc)
            return self._retry(claim, delivery, repr(exc))
        posted = delivery.posted
        recorded = outbox.mark_sent(
            deps.uow(),
            claim=claim,
            now=utcnow(),
            channel=posted.channel if posted else None,
            ts=posted.ts if posted else None,
        )
        if not recorded:
            # Only when a call outlived the lease; the new holder finds the post by its key.
            log.error(
                "notification %d (%s): sent, but the claim had passed on", claim.id, claim.key
            )
            return Outcome.LOST
        return Outcome.SENT

    def _retry(
        self,
        claim: Claim,
        delivery: Delivery,
        error: str,
        *,
        delay: float | None = None,
        count_attempt: bool = True,
    ) -> Outcome:
        again = outbox.retry_later(
            self._deps.uow(),
            claim=claim,
            now=utcnow(),
            error=error,
            maybe_posted=delivery.maybe_posted,
            delay=None if delay is None else dt.timedelta(seconds=delay),
            count_attempt=count_attempt,
        )
        if again:
            return Outcome.RETRYING
        used = claim.attempts + (1 if count_attempt else 0)
        return Outcome.FAILED if used >= outbox.MAX_ATTEMPTS else Outcome.LOST

    def _failed(self, claim: Claim, error: str, *, maybe_posted: bool) -> Outcome:
        log.warning("notification %d (%s) given up: %s", claim.id, claim.key, error)
        recorded = outbox.mark_failed(
            self._deps.uow(), claim=claim, now=utcnow(), error=error, maybe_posted=maybe_posted
        )
        return Outcome.FAILED if recorded else Outcome.LOST
