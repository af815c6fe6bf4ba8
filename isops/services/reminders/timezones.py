"""Members' time zones, learned from Slack: the morning DM goes at ISOPS_REMIND_AT where each
member is (`recipients`), so a zone unknown yet is filled in from `users.info`."""

from __future__ import annotations

from collections.abc import Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select, update

from isops.db import affected_rows
from isops.models import Member
from isops.unit_of_work import UnitOfWork


def members_without_timezone(uow: UnitOfWork) -> list[str]:
    """Slack ids of active members whose time zone is not known yet."""
    with uow:
        return list(
            uow.session.scalars(
                select(Member.slack_user_id)
                .where(Member.active.is_(True), Member.timezone.is_(None))
                .order_by(Member.id)
            )
        )


def record_timezones(uow: UnitOfWork, *, zones: Mapping[str, str]) -> int:
    """Store Slack's `tz` for members that have none yet; unknown zone names are ignored."""
    valid: dict[str, str] = {}
    for slack_user_id, zone in zones.items():
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            continue
        valid[slack_user_id] = zone
    changed = 0
    with uow:
        for slack_user_id, zone in valid.items():
            result = uow.session.execute(
                update(Member)
                .where(Member.slack_user_id == slack_user_id, Member.timezone.is_(None))
                .values(timezone=zone)
            )
            changed += affected_rows(result)
        uow.commit()
    return changed
