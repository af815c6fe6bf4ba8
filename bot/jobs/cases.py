"""The weekly case post (issue 14 point 5): with ISOPS_CASE_CHANNEL set, one case on the first
business morning of each week.

Like the morning DM job it runs every 15 minutes from ISOPS_REMIND_AT's minute, in every
process, and once at start-up; each run on that morning (until ISOPS_REMIND_CATCHUP_UNTIL)
queues the week's post under the unique key `case-share:<ISO week>` (the first insert wins,
isops.services.cases_sharing) and sends it through the outbox, so the channel gets one post
a week whatever the number of runs and processes.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from slack_sdk import WebClient

from bot.deps import Deps
from bot.jobs.reminders import trigger
from bot.notifications import cases as case_notifications
from bot.outbox import OutboxDispatcher, Outcome
from isops.clock import utcnow
from isops.services.cases_sharing import queue_weekly_case

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)

JOB_ID = "cases.weekly_share"


class WeeklyCaseShare:
    """Queues this week's case once and sends it through the outbox."""

    def __init__(self, deps: Deps, client: WebClient) -> None:
        self._deps = deps
        self._outbox = OutboxDispatcher(deps, client)
        case_notifications.register(self._outbox)

    def run(self) -> Outcome | None:
        """The outcome of sending this week's post now (None: nothing to do in this run)."""
        settings = self._deps.settings
        if not settings.case_channel:
            return None
        queued = queue_weekly_case(
            self._deps.uow(),
            channel=settings.case_channel,
            now=utcnow(),
            calendar=self._deps.calendar,
            remind_at=settings.remind_at,
            catchup_until=settings.remind_catchup_until,
        )
        if queued is None:
            return None
        outcome = self._outbox.deliver(key=queued.key)
        if queued.stored:
            log.info("weekly case %s queued: %s", queued.case_id, outcome)
        return outcome


def jobs(deps: Deps, client: WebClient) -> list[JobSpec]:
    from bot.jobs import JobSpec

    if not deps.settings.case_channel:
        return []
    runner = WeeklyCaseShare(deps, client)
    return [JobSpec(id=JOB_ID, func=runner.run, trigger=trigger(deps), run_at_start=True)]
