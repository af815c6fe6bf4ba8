"""The verdict-request job (issue 12): every 15 minutes, and once at start-up (catch-up).

Each run finds the undecided hand-offs whose next verdict request is due, queues each request
once (isops.services.handoff_requests: a unique outbox key per hand-off, version and request
number, so runs, restarts and processes never send one twice), then sends what it queued
through the outbox's claim, as the morning job does. A request that fails is retried by the
outbox until the next one is due. `isops handoffs remind` is the same runner, by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient

from bot.deps import Deps
from bot.notifications import handoffs as handoff_senders
from bot.outbox import Outcome, job_outbox
from isops.clock import utcnow
from isops.services.handoff_requests import DueRequest, due_requests, queue_request

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)

JOB_ID = "handoffs.verdict_requests"
RUN_EVERY_MINUTES = 15


@dataclass
class VerdictRun:
    """What one run did (or, dry, would do)."""

    due: list[DueRequest] = field(default_factory=list)
    sent: list[DueRequest] = field(default_factory=list)
    failed: list[DueRequest] = field(default_factory=list)
    # Queued or sent by another run or process meanwhile, or decided in between: left alone.
    elsewhere: list[DueRequest] = field(default_factory=list)


class VerdictRequests:
    """Queues the verdict requests due at a moment and sends them; `client` (the outbox's)
    may be None for dry runs."""

    def __init__(self, deps: Deps, client: WebClient | None) -> None:
        self._deps = deps
        self._outbox = job_outbox(deps, client, handoff_senders.register)

    def run(self, *, at: dt.datetime | None = None, dry_run: bool = False) -> VerdictRun:
        """Send the requests due at `at` (default: now); `at` given is a run by hand."""
        deps = self._deps
        moment = at or utcnow()
        outcome = VerdictRun()
        outcome.due = due_requests(
            deps.uow_factory, now=moment, settings=deps.settings, calendar=deps.calendar
        )
        if dry_run:
            return outcome
        for request in outcome.due:
            try:  # one hand-off's failure must not stop the others
                self._send(request, by_hand=at is not None, outcome=outcome)
            except Exception:
                log.exception("verdict request %s failed", request.key)
                outcome.failed.append(request)
        if outcome.sent or outcome.failed:
            log.info(
                "verdict requests: %d sent, %d failed, %d handled elsewhere",
                len(outcome.sent),
                len(outcome.failed),
                len(outcome.elsewhere),
            )
        return outcome

    def _send(self, request: DueRequest, *, by_hand: bool, outcome: VerdictRun) -> None:
        deps = self._deps
        stored = queue_request(
            deps.uow_factory,
            request=request,
            now=utcnow(),
            settings=deps.settings,
            calendar=deps.calendar,
            by_hand=by_hand,
        )
        if not stored:
            outcome.elsewhere.append(request)
            return
        assert self._outbox is not None
        result = self._outbox.deliver(key=request.key)
        if result is Outcome.SENT:
            outcome.sent.append(request)
        elif result in (Outcome.RETRYING, Outcome.FAILED):
            outcome.failed.append(request)
        else:  # another sender took it: it is delivered from there
            outcome.elsewhere.append(request)


def trigger(deps: Deps) -> CronTrigger:
    """Every 15 minutes from ISOPS_REMIND_AT's minute (so the 09:00 requests go at 09:00)."""
    minute = deps.settings.remind_at.minute % RUN_EVERY_MINUTES
    return CronTrigger(minute=f"{minute}-59/{RUN_EVERY_MINUTES}", timezone=deps.settings.tz)


def jobs(deps: Deps, client: WebClient) -> list[JobSpec]:
    from bot.jobs import JobSpec

    runner = VerdictRequests(deps, client)
    # run_at_start: requests that came due while no process ran are sent at once.
    return [JobSpec(id=JOB_ID, func=runner.run, trigger=trigger(deps), run_at_start=True)]
