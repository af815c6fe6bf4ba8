"""Rows of `lead_history`, the append-only record of what changed on a lead and who changed it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from isops.clock import utcnow
from isops.models import LeadHistory


def history_text(value: Any) -> str | None:
    """A field value as history stores it: dates in ISO form, None kept, the rest `str()`."""
    if value is None:
        return None
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def record_change(
    session: Session,
    *,
    lead_id: int,
    member_id: int | None,
    field: str,
    old: Any,
    new: Any,
    note: str | None = None,
    at: dt.datetime | None = None,
) -> None:
    """Add one history row (caller commits); `member_id` None means the system did it."""
    session.add(
        LeadHistory(
            lead_id=lead_id,
            member_id=member_id,
            field=field,
            old_value=history_text(old),
            new_value=history_text(new),
            note=note,
            changed_at=at if at is not None else utcnow(),
        )
    )
