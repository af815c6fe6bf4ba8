"""The weekly habit scorecard job (issue 13 point 2): on the first business morning of each
week, the previous week's scorecard to every manager and rep.

Like the morning DM it runs every 15 minutes from ISOPS_REMIND_AT's minute in every process,
and once at start-up; a run on that morning (team time zone, until ISOPS_REMIND_CATCHUP_UNTIL)
computes the scorecards of the members not queued yet, stores each under its unique key
`scorecard:<member id>:<YYYY-Www>` (isops.services.scorecard_delivery) and sends them through
the outbox — one DM per member and week across runs, restarts and processes, 429s waited out.
`isops scorecard` runs the same by hand, or writes the messages and charts to files.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from slack_sdk import WebClient

from bot import texts
from bot.blocks.scorecard import build_manager_scorecard, build_rep_scorecard
from bot.deps import Deps
from bot.jobs.reminders import trigger
from bot.notifications import scorecard as scorecard_notifications
from bot.outbox import DeliveryTally, job_outbox
from isops.clock import utcnow
from isops.services.scorecard import ManagerScorecard, RepScorecard, compute_scorecards
from isops.services.scorecard_delivery import (
    ScorecardMessage,
    active_member_ids,
    enqueue_scorecards,
    queued_members,
)
from isops.services.scorecard_weeks import Week, first_business_day, week_to_send

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)

JOB_ID = "scorecard.weekly"


def manager_heading(card: ManagerScorecard) -> str:
    return f"チームの8週間の推移 ({texts.jp_date(card.week.sunday)} まで)"


def rep_heading(card: RepScorecard) -> str:
    return f"{card.name} さんの8週間の推移 (点線: チームの中央値)"


def scorecard_messages(
    managers: tuple[ManagerScorecard, ...], reps: tuple[RepScorecard, ...]
) -> list[ScorecardMessage]:
    """Each scorecard as the DM and chart to store (managers first, as they read first)."""
    return [_message(c, build_manager_scorecard(c), manager_heading(c)) for c in managers] + [
        _message(c, build_rep_scorecard(c), rep_heading(c)) for c in reps
    ]


def _message(
    card: ManagerScorecard | RepScorecard, message: dict[str, Any], heading: str
) -> ScorecardMessage:
    return ScorecardMessage(
        card.member_id, card.slack_user_id, card.week, message, card.chart.to_payload(), heading
    )


@dataclass
class ScorecardRun(DeliveryTally):
    """What one run did, by Slack user id (`previews`: dry runs, what would be sent)."""

    week: Week | None = None
    away: list[int] = field(default_factory=list)
    previews: list[ScorecardMessage] = field(default_factory=list)


class WeeklyScorecards:
    """Computes, queues once and sends the week's scorecards; `client` None: dry runs only."""

    def __init__(self, deps: Deps, client: WebClient | None) -> None:
        self._deps = deps
        self._outbox = job_outbox(deps, client, scorecard_notifications.register)

    def run(self, *, week: Week | None = None, dry_run: bool = False) -> ScorecardRun:
        """The scorecards due now (`week`: that week's, at any time, as `isops scorecard`)."""
        deps, settings, now = self._deps, self._deps.settings, utcnow()
        by_hand = week is not None
        if week is None:
            week = week_to_send(now, deps.calendar)
            local = now.astimezone(deps.calendar.tz).time().replace(tzinfo=None)
            if week is None or not settings.remind_at <= local < settings.remind_catchup_until:
                return ScorecardRun()
        outcome = ScorecardRun(week=week)
        members = active_member_ids(deps.uow())
        pending = (
            members
            if dry_run
            else members - queued_members(deps.uow(), member_ids=members, week=week)
        )
        if not pending:
            return outcome
        cards = compute_scorecards(
            deps.uow_factory,
            week=week,
            now=now,
            settings=settings,
            calendar=deps.calendar,
            member_ids=pending,
        )
        messages = scorecard_messages(cards.managers, cards.reps)
        outcome.away = list(cards.away)
        if dry_run:
            outcome.previews = messages
            return outcome
        away = [
            ScorecardMessage(member_id, slack_user_id="", week=week, message=None)
            for member_id in cards.away
        ]
        send_day = first_business_day(week.next(), deps.calendar) or now.date()
        expires_at = dt.datetime.combine(
            send_day, settings.remind_catchup_until, tzinfo=deps.calendar.tz
        ).astimezone(dt.UTC)
        stored = enqueue_scorecards(
            deps.uow(),
            messages=[*messages, *away],
            now=now,
            expires_at=expires_at,
            by_hand=by_hand,
        )
        for item in messages:
            try:
                self._deliver(item, outcome)
            except Exception:  # one member's failure must not stop the others
                log.exception("scorecard for %s failed", item.slack_user_id)
                outcome.failed.append(item.slack_user_id)
        log.info(
            "scorecards %s: %d stored, %d sent, %d failed, %d elsewhere, %d away",
            week.label,
            len(stored),
            len(outcome.sent),
            len(outcome.failed),
            len(outcome.elsewhere),
            len(outcome.away),
        )
        return outcome

    def _deliver(self, item: ScorecardMessage, outcome: ScorecardRun) -> None:
        assert self._outbox is not None
        outcome.record(self._outbox.deliver(key=item.key), item.slack_user_id)


def jobs(deps: Deps, client: WebClient) -> list[JobSpec]:
    from bot.jobs import JobSpec

    runner = WeeklyScorecards(deps, client)
    return [JobSpec(id=JOB_ID, func=runner.run, trigger=trigger(deps), run_at_start=True)]
