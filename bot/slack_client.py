"""The Web API client: Slack's base URL from settings, with retries Slack asks clients to do."""

from __future__ import annotations

import logging
import random
import socket
import time
import urllib.error
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.http_retry.handler import RetryHandler
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

log = logging.getLogger(__name__)

Sleep = Callable[[float], None]
RETRIED_SERVER_STATUSES = frozenset({500, 502, 503, 504})


class SlackRetryHandler(RetryHandler):
    """Retries HTTP 429 after its Retry-After, 5xx and connection errors with back-off.

    One handler for the three cases so the retry budget is shared, and `sleep` is a
    parameter so tests can observe the wait without sleeping.
    """

    def __init__(
        self, max_retry_count: int = 4, *, sleep: Sleep = time.sleep, base_delay: float = 0.5
    ) -> None:
        super().__init__(max_retry_count=max_retry_count)
        self._sleep = sleep
        self._base_delay = base_delay

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        if response is not None:
            return response.status_code == 429 or response.status_code in RETRIED_SERVER_STATUSES
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
            for name, values in response.headers.items():
                if name.lower() == "retry-after" and values:
                    try:
                        return float(values[0])
                    except ValueError:
                        break
            return 1.0
        # Exponential back-off with jitter, so many processes do not retry in lock-step.
        return float(self._base_delay * (2**attempt) + random.random() * self._base_delay)


def build_web_client(
    *, token: str, base_url: str, sleep: Sleep = time.sleep, timeout: int = 10
) -> WebClient:
    """A WebClient against `base_url` (Slack, GovSlack or a test server) that retries."""
    return WebClient(
        token=token,
        base_url=base_url,
        timeout=timeout,
        retry_handlers=[SlackRetryHandler(sleep=sleep)],
    )
