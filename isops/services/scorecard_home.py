"""What App Home shows a manager or a rep (issue 13 point 4), as plain values: a manager's
per-rep table (the morning DM's rows, as of now), this week's scorecard figures so far and the
reviews they may decide; a rep their own figures this week beside the team median."""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass

from isops.calendar import BusinessCalendar
from isops.enums import Role
from isops.services.lookup import member_by_slack_id
from isops.services.reminders import RepToday, digest_for_member
from isops.services.reviews import PendingReviews, ReviewConfig, pending_reviews_for
from isops.services.scorecard import (
    ManagerScorecard,
    RepScorecard,
    Scorecards,
    compute_scorecards,
)
from isops.services.scorecard_values import RATE_FIGURES
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


# Scorecards App Home has computed, by (member id, the week's Monday): the caller's store
# (bot.home_view keeps them a few minutes), or None to compute every time.
ScorecardStore = MutableMapping[tuple[int, dt.date], Scorecards]


def home_overview(
    uow_factory: UnitOfWorkFactory,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    store: ScorecardStore | None = None,
) -> HomeOverview | None:
    """The member's Home figures, or None for someone not registered or inactive. The week's
    habit figures come from `store` when it has them (the team's medians cost a read of the
    whole team; the list and the pending reviews are always read now)."""
    with uow_factory() as uow:
        member = member_by_slack_id(uow.session, slack_user_id)
        if member is None or not member.active:
            return None
        member_id, role = member.id, member.role
    week = Week.of(calendar.local_date(now))
    key = (member_id, week.monday)
    cards = store.get(key) if store is not None else None
    if cards is None:
        cards = compute_scorecards(
            uow_factory,
            week=week,
            now=now,
            settings=settings,
            calendar=calendar,
            member_ids={member_id},
            weeks_back=2,
            only=RATE_FIGURES,  # what Home shows: the habits' rates, this week so far
        )
        if store is not None:
            store[key] = cards
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
