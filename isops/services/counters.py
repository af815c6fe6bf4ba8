"""Keeps a lead's action counters in step with its actions (same transaction)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Interval, func, literal, select, update
from sqlalchemy.orm import Session

from isops.enums import Channel
from isops.models import Action, Lead
from isops.rules import Targets, counts_as_early

# Lead ids per statement (SQLite allows 32,766 bound parameters per statement).
RECOMPUTE_CHUNK = 5000


def apply_action_to_lead(lead: Lead, action: Action, targets: Targets) -> None:
    """Update the denormalised counters of `lead` for a newly added `action`."""
    if action.channel == Channel.CALL:
        lead.call_count += 1
    elif action.channel == Channel.MAIL:
        lead.mail_count += 1
    if counts_as_early(lead.cv_at, action.acted_at, targets):
        lead.early_action_count += 1
    if lead.first_action_at is None or action.acted_at < lead.first_action_at:
        lead.first_action_at = action.acted_at
    if lead.last_action_at is None or action.acted_at >= lead.last_action_at:
        lead.last_action_at = action.acted_at
        lead.last_outcome = action.outcome


def recompute_counters(session: Session, *, lead_ids: Iterable[int], targets: Targets) -> int:
    """Recompute every counter of these leads from all their actions, in SQL.

    For actions added out of order (history imported from a CRM may be older than touches
    logged in isops): one UPDATE per RECOMPUTE_CHUNK leads, each counter a correlated
    aggregate over the lead's actions (index `ix_actions_lead_acted_at`) — never a loop per
    action. The same results as `apply_action_to_lead` one action at a time, ties included:
    the last outcome is that of the latest action, the later-recorded one on equal times.

    The leads are locked first (PostgreSQL; SQLite's BEGIN IMMEDIATE already serializes
    writers), so the UPDATE's snapshot includes a touch a rep committed meanwhile, and a rep
    logging now waits and then counts from these values. Returns the number of leads."""
    ids = sorted(set(lead_ids))
    dialect = session.get_bind().dialect.name
    early_end = _plus_days(Lead.cv_at, targets.early_window_days, dialect)

    def of_lead(*where: ColumnElement[bool]) -> Any:
        return select(func.count()).select_from(Action).where(Action.lead_id == Lead.id, *where)

    values: dict[str, Any] = {
        "call_count": of_lead(Action.channel == Channel.CALL).scalar_subquery(),
        "mail_count": of_lead(Action.channel == Channel.MAIL).scalar_subquery(),
        "early_action_count": of_lead(
            Action.acted_at >= Lead.cv_at, Action.acted_at <= early_end
        ).scalar_subquery(),
        "first_action_at": select(func.min(Action.acted_at))
        .where(Action.lead_id == Lead.id)
        .scalar_subquery(),
        "last_action_at": select(func.max(Action.acted_at))
        .where(Action.lead_id == Lead.id)
        .scalar_subquery(),
        "last_outcome": select(Action.outcome)
        .where(Action.lead_id == Lead.id)
        .order_by(Action.acted_at.desc(), Action.id.desc())
        .limit(1)
        .scalar_subquery(),
    }
    for start in range(0, len(ids), RECOMPUTE_CHUNK):
        chunk = ids[start : start + RECOMPUTE_CHUNK]
        session.execute(
            select(Lead.id).where(Lead.id.in_(chunk)).order_by(Lead.id).with_for_update()
        )
        session.execute(
            update(Lead).where(Lead.id.in_(chunk)).values(values),
            execution_options={"synchronize_session": False},
        )
    return len(ids)


def _plus_days(moment: Any, days: int, dialect: str) -> Any:
    """`moment + days` in SQL, exact to the microsecond on both databases.

    SQLite keeps datetimes as text `YYYY-MM-DD HH:MM:SS.ffffff`: the days are added to the
    first 19 characters and the fraction put back, so the result compares as text with the
    stored values exactly as Python's `cv_at + timedelta(days)` does."""
    if dialect == "sqlite":
        return func.datetime(func.substr(moment, 1, 19), f"+{int(days)} days").concat(
            func.substr(moment, 20)
        )
    return moment + literal(dt.timedelta(days=days), Interval())
