"""Ids read back from Slack payloads — button values, selected options, private_metadata,
view ids — checked before they reach a query or a column.

Slack echoes what our blocks carried, but a payload is still input: a 20-digit "lead id"
overflows PostgreSQL's bigint (and SQLite's integer), a 300-character view id overflows the
idempotency key. Out of range is refused with the domain's own message, never a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field, StringConstraints, TypeAdapter, ValidationError

from bot import texts
from isops.errors import IsopsError

MAX_DB_ID = 2**63 - 1  # a signed 64-bit primary key, as both databases store it

DbId = Annotated[int, Field(ge=1, le=MAX_DB_ID)]
# Slack's user, channel and view ids: a few upper-case letters and digits.
SlackId = Annotated[str, StringConstraints(pattern=r"^[A-Z0-9]{1,32}$")]

_DB_ID: TypeAdapter[int] = TypeAdapter(DbId)
_SLACK_ID: TypeAdapter[str] = TypeAdapter(SlackId)


class PayloadRefused(IsopsError):
    """A value in a Slack payload that cannot be one of ours; `str()` says so in Japanese."""


def db_id(value: Any, *, refusal: str) -> int:
    """`value` (a button value, an option value) as a database id, or `PayloadRefused`
    with `refusal`, the message for a missing thing (e.g. "リードが見つかりません")."""
    if isinstance(value, str) and len(value) > len(str(MAX_DB_ID)):
        raise PayloadRefused(refusal)  # before int(): Python refuses 4,300+ digits itself
    try:
        return _DB_ID.validate_python(value)
    except ValidationError:
        raise PayloadRefused(refusal) from None


def clicked_action(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """The action of a block_actions payload (Slack sends one), or an empty one."""
    action: Mapping[str, Any] = (body.get("actions") or [{}])[0]
    return action


def view_id(view: Mapping[str, Any]) -> str:
    """The id of a submitted view (an idempotency key), or `PayloadRefused`."""
    try:
        return _SLACK_ID.validate_python(view.get("id"))
    except ValidationError:
        raise PayloadRefused(texts.UNREADABLE_VIEW) from None
