"""Slack's HTTP requests checked before anything acts on them: the signature first, then
the body's shape.

Bolt verifies signatures too, but in a middleware: the body is parsed before it (a
non-JSON `payload=` raised out of the adapter as a 500), and an exception inside its check
(`int("abc")` of a timestamp) went to the app's error handler *with the unverified body*,
which then answered to the request's `response_url`. So the HTTP layer refuses first: 401
for anything whose signature is not proven (the body is only read, never parsed, before
that), 400 for a signed body Bolt could not parse. Bolt keeps its own check as a second line.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from slack_bolt.request import BoltRequest
from slack_sdk.signature import SignatureVerifier

# Slack sends whole seconds; anything else (signs, spaces, other digits, 5,000 digits that
# `int()` refuses) is not Slack's and never reaches `int()`.
_TIMESTAMP = re.compile(r"[0-9]{1,12}", re.ASCII)
# `v0=` + a hex SHA-256; non-ASCII text would make `hmac.compare_digest` raise TypeError.
_SIGNATURE = re.compile(r"v0=[0-9a-f]{64}", re.ASCII)
# Slack's payloads nest about 15 levels (a view's rich text); far deeper JSON is an attack
# on the recursion limit of whatever walks it next.
MAX_JSON_DEPTH = 64


class SlackRequestGate:
    """Decides whether a request to /slack/events may reach Bolt."""

    def __init__(self, signing_secret: str) -> None:
        self._verifier = SignatureVerifier(signing_secret)

    def is_signed(self, body: bytes, *, timestamp: str | None, signature: str | None) -> bool:
        """Whether `body` carries Slack's signature, made in the last five minutes."""
        if timestamp is None or signature is None:
            return False
        if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
            return False
        try:
            return self._verifier.is_valid(body=body, timestamp=timestamp, signature=signature)
        except (ValueError, TypeError):  # e.g. a body that is not UTF-8 (Slack's always is)
            return False

    @staticmethod
    def parses(body: bytes, headers: Mapping[str, Any]) -> bool:
        """Whether Bolt can parse this (signed) body: the very parse Bolt will run, then a
        bound on how deep the result nests."""
        try:
            request = BoltRequest(body=body.decode("utf-8"), headers=dict(headers))
        except Exception:  # whatever Bolt's parser raises, the request is malformed
            return False
        return isinstance(request.body, dict) and _depth_within(request.body, MAX_JSON_DEPTH)


def _depth_within(value: Any, limit: int) -> bool:
    """Whether `value` nests at most `limit` levels (walked without recursion)."""
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True
