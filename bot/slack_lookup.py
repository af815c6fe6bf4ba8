"""Slack user look-ups shared by the lead webhook and the CSV import (owners by e-mail)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)

EmailLookup = Callable[[str], str | None]


def email_lookup(client: WebClient, *, tolerant: bool = False) -> EmailLookup:
    """`users.lookupByEmail` as a function: e-mail → Slack user id, None when Slack knows no
    such (active, human) user. `tolerant` also answers None when Slack cannot be reached,
    for callers that must not fail on an outage (the webhook assigns by rule instead)."""

    def lookup(email: str) -> str | None:
        try:
            response = client.users_lookupByEmail(email=email)
        except SlackApiError as exc:
            error = exc.response.get("error")
            if error == "users_not_found":
                return None
            if not tolerant:
                raise
            log.warning("users.lookupByEmail failed: %s", error)
            return None
        except OSError as exc:
            if not tolerant:
                raise
            log.warning("users.lookupByEmail failed: %s", type(exc).__name__)
            return None
        user = response.get("user") or {}
        if user.get("deleted") or user.get("is_bot"):
            return None
        user_id = user.get("id")
        return str(user_id) if user_id else None

    return lookup
