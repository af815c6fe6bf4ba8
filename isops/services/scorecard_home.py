"""What App Home shows a manager or a rep (issue 13 point 4), as plain values: a manager's
per-rep table (the morning DM's rows, as of now), this week's scorecard figures so far and the
reviews they may decide; a rep their own figures this week beside the team median."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isops.calendar import BusinessCalendar
from isops.enums import Role
from isops.services.lookup import member_by_slack_id
from isops.services.reminders import RepToday, digest_for_member
from isops.services.reviews import PendingReviews, ReviewConfig, pending_reviews_for
from isops.services.scorecard import ManagerScorecard, RepScorecard, compute_scorecards
from isops.services.scorecard_weeks import Week
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory

HOME_REVIEWS = 5


@dataclass(frozen=True)
class HomeOverview:
    role: Role
    week: Week
    reps: tuple[RepToday, ...] = ()
    team_card: ManagerScorecard | None = None
    own_card: RepScorecard | None = None
    pending: PendingReviews | None = None


def home_overview(
    uow_factory: UnitOfWorkFactory,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
) -> HomeOverview | None:
    """The member's Home figures, or None for someone not registered or inactive."""
    with uow_factory() as uow:
        member = member_by_slack_id(uow.session, slack_user_id)
        if member is None or not member.active:
            return None
        member_id, role = member.id, member.role
    week = Week.of(calendar.local_date(now))
    cards = compute_scorecards(
        uow_factory,
        week=week,
        now=now,
        settings=settings,
        calendar=calendar,
        member_ids={member_id},
        weeks_back=2,
    )
    if role is Role.REP:
        return HomeOverview(role, week, own_card=cards.reps[0] if cards.reps else None)
    if role not in (Role.MANAGER, Role.ADMIN):
        return HomeOverview(role, week)
    digest = digest_for_member(
        uow_factory(), slack_user_id=slack_user_id, now=now, settings=settings, calendar=calendar
    )
    pending = pending_reviews_for(
        uow_factory(),
        slack_user_id=slack_user_id,
        config=ReviewConfig.from_settings(settings),
        limit=HOME_REVIEWS,
    )
    return HomeOverview(
        role,
        week,
        reps=digest.manager.reps if digest.manager else (),
        team_card=cards.managers[0] if cards.managers else None,
        pending=pending,
    )
