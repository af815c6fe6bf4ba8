"""Web API clients: Slack's base URL from settings, with the retries Slack asks clients to do.

Two kinds, because who waits differs:
- `build_web_client` for listeners and commands: retries 429s, 5xx and connection errors with
  short waits. A listener has a person waiting, so a 429 whose Retry-After exceeds
  `retry_after_cap` is not waited out; the call fails and the listener says so.
- `build_outbox_client` for the outbox: only a 429 with a Retry-After of a few seconds is
  retried in place (Slack did nothing, so repeating is safe). Everything else goes back to the
  outbox, which retries later without holding a claim and looks up a message whose post may
  have reached Slack before sending it again — a client that re-posts after a dropped
  connection is exactly how duplicates happen.
"""

from __future__ import annotations

import logging
import random
import socket
import time
import urllib.error
from collections.abc import Callable, Mapping
from typing import Any

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from isops.services.outbox import LEASE

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
RETRIED_SERVER_STATUSES = frozenset({500, 502, 503, 504})
TIMEOUT = 10  # seconds per socket operation of one HTTP attempt
# Listeners have acked and a person is waiting: a longer Retry-After is an error they can retry.
LISTENER_RETRY_AFTER_CAP = 3.0
OUTBOX_RETRY_AFTER_CAP = 2.0
OUTBOX_MAX_RETRIES = 2
# The longest one outbox call can last. The outbox renews its claim before each call; the
# lease must outlast the call by far, or a live sender could lose its claim mid-send.
LONGEST_OUTBOX_CALL = (
    OUTBOX_MAX_RETRIES + 1
) * TIMEOUT + OUTBOX_MAX_RETRIES * OUTBOX_RETRY_AFTER_CAP
assert LEASE.total_seconds() > LONGEST_OUTBOX_CALL * 3


class SlackRetryHandler(RetryHandler):
    """Retries HTTP 429 after its Retry-After, and (`retry_errors`) 5xx and connection errors
    with back-off.

    One handler for the three cases so the retry budget is shared, and `sleep` is a
    parameter so tests can observe the wait without sleeping. A 429 whose Retry-After is
    longer than `retry_after_cap` is not retried: the caller cannot wait that long.
    """

    def __init__(
        self,
        max_retry_count: int = 4,
        *,
        sleep: Sleep = time.sleep,
        base_delay: float = 0.5,
        retry_after_cap: float | None = None,
        retry_errors: bool = True,
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self._base_delay = base_delay
        self._retry_after_cap = retry_after_cap
        self._retry_errors = retry_errors

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None and response.status_code == 429:
            cap = self._retry_after_cap
            return cap is None or self._delay(state.current_attempt, response) <= cap
        if not self._retry_errors:
            return False
        if response is not None:
            return response.status_code in RETRIED_SERVER_STATUSES
        return isinstance(error, urllib.error.URLError | ConnectionError | socket.timeout)

    def prepare_for_next_attempt(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> None:
        state.next_attempt_requested = True
        delay = self._delay(state.current_attempt, response)
        log.warning(
            "Slack API retry %d in %.1fs (%s)",
            state.current_attempt + 1,
            delay,
            response.status_code if response is not None else type(error).__name__,
        )
        self._sleep(delay)
        state.increment_current_attempt()

    def _delay(self, attempt: int, response: HttpResponse | None) -> float:
        if response is not None and response.status_code == 429:
            return retry_after_seconds(response.headers) or 1.0
        # Exponential back-off with jitter, so many processes do not retry in lock-step.
        return float(self._base_delay * (2**attempt) + random.random() * self._base_delay)


def retry_after_seconds(headers: Mapping[str, Any]) -> float | None:
    """A 429's Retry-After in seconds (header values may be a string or a list of them)."""
    for name, values in headers.items():
        if name.lower() == "retry-after" and values:
            value = values[0] if isinstance(values, list | tuple) else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def build_web_client(
    *,
    token: str,
    base_url: str,
    sleep: Sleep = time.sleep,
    timeout: int = TIMEOUT,
    retry_after_cap: float | None = None,
) -> WebClient:
    """A WebClient against `base_url` (Slack, GovSlack or a test server) that retries;
    `retry_after_cap`: the longest Retry-After it waits out (None: any)."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[SlackRetryHandler(sleep=sleep, retry_after_cap=retry_after_cap)],
    )


def build_outbox_client(*, token: str, base_url: str, sleep: Sleep = time.sleep) -> WebClient:
    """The outbox's WebClient: retries only short 429s in place (see the module docstring)."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=TIMEOUT,
        retry_handlers=[
            SlackRetryHandler(
                max_retry_count=OUTBOX_MAX_RETRIES,
                sleep=sleep,
                retry_after_cap=OUTBOX_RETRY_AFTER_CAP,
                retry_errors=False,
            )
        ],
    )
