"""App Home's content: the member's live list (the morning DM's sections as of now, the same
leads as `/isops today`) and their latest touch, to confirm it and offer its undo.

Home is drawn in parts so that other features add theirs (a manager's team view, issue 13)
next to the rep's list: `HomeContent` carries each part's data, the builder lays them out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.errors import NotAllowed, NotFound
from isops.models import Member
from isops.services.morning_progress import DoneTouch, latest_touch_on_own_leads
from isops.services.reminders import MorningDigest
from isops.services.reminders.compute import member_digest
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class HomeContent:
    """What a member's Home shows. `refusal`: why there is no list (not registered,
    deactivated) — the Home then explains how to get registered."""

    digest: MorningDigest | None = None
    recent: DoneTouch | None = None
    refusal: str | None = None


def home_content(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None,
) -> HomeContent:
    """The member's list as of now (`limit` lines per section, None: every line) and their
    latest touch of the last minutes."""
    with uow:
        try:
            digest = member_digest(
                uow.session,
                slack_user_id=slack_user_id,
                now=now,
                settings=settings,
                calendar=calendar,
                limit=limit,
                own_lists_only=True,
            )
        except (NotFound, NotAllowed) as exc:
            return HomeContent(refusal=str(exc))
        recent = latest_touch_on_own_leads(
            uow, member_id=digest.member_id, now=now, calendar=calendar
        )
    return HomeContent(digest=digest, recent=recent)


def member_slack_id(uow: UnitOfWork, *, member_id: int) -> str | None:
    """The Slack id of an active member (None: gone or deactivated)."""
    with uow:
        return uow.session.scalar(
            select(Member.slack_user_id).where(Member.id == member_id, Member.active.is_(True))
        )
