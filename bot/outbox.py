"""Sends the outbox: each notification kind has a sender that makes the Slack call(s)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.deps import Deps
from isops.services import outbox

log = logging.getLogger(__name__)

# sender(deps, client, payload) -> None; raises SlackApiError (or an OSError) on failure.
Sender = Callable[[Deps, WebClient, dict[str, Any]], None]

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


class OutboxDispatcher:
    """Claims due notifications and sends them; failures are retried later, never lost."""

    def __init__(self, deps: Deps, client: WebClient) -> None:
        self._deps = deps
        self._client = client
        self._senders: dict[str, Sender] = {}
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def register(self, kind: str, sender: Sender) -> None:
        self._senders[kind] = sender

    def start(self, *, poll_seconds: float = 15.0) -> None:
        """Send in a background thread: at once when woken, else every `poll_seconds`."""
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
        while not self._stop.is_set():
            wakeup.wait(poll_seconds)
            wakeup.clear()
            if self._stop.is_set():
                return
            try:
                while self.run_once() > 0:
                    pass
            except Exception:  # a database hiccup must not kill the sender thread
                log.exception("outbox run failed; will try again")

    def run_once(self, *, limit: int = 50) -> int:
        """Send what is due now; returns how many were sent."""
        sent = 0
        for note in outbox.claim_due(self._deps.uow(), limit=limit):
            sender = self._senders.get(note.kind)
            if sender is None:
                outbox.mark_failed(
                    self._deps.uow(),
                    notification_id=note.id,
                    error=f"no sender for {note.kind}",
                    retry=False,
                )
                continue
            try:
                sender(self._deps, self._client, note.payload)
            except SlackApiError as exc:
                error = str(exc.response.get("error", "unknown"))
                log.warning("notification %d (%s) failed: %s", note.id, note.kind, error)
                outbox.mark_failed(
                    self._deps.uow(),
                    notification_id=note.id,
                    error=error,
                    retry=error not in PERMANENT_ERRORS,
                )
                continue
            except OSError as exc:
                log.warning("notification %d (%s) failed: %s", note.id, note.kind, exc)
                outbox.mark_failed(self._deps.uow(), notification_id=note.id, error=repr(exc))
                continue
            outbox.mark_sent(self._deps.uow(), notification_id=note.id)
            sent += 1
        return sent
