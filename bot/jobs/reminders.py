"""The morning DM job (DOMAIN.md "Calendar": 09:00 on business days, in each member's zone).

The job runs every 15 minutes from ISOPS_REMIND_AT's minute, in every process; each run sends
to the members whose local business-day morning has come (until ISOPS_REMIND_CATCHUP_UNTIL) and
whose message is not settled yet. Each DM is an outbox notification with the unique key
`morning:<member id>:<date>` (isops.services.morning_delivery): the run queues them, then sends
each one itself through the outbox's claim, so there is one delivery path with one set of
guarantees (one message per member and business day across runs, restarts, processes,
crashes and rate limits). A DM that fails is retried by the outbox until it expires at the
cut-off. The same runner does `isops remind` by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.morning_dm import build_morning_dm, first_lead_ids
from bot.deps import Deps
from bot.notifications import morning
from bot.outbox import DeliveryTally, job_outbox
from isops.clock import utcnow
from isops.services import reminders
from isops.services.morning_delivery import MorningMessage, enqueue_morning
from isops.services.reminders import MorningDigest

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)

JOB_ID = "reminders.morning"
RUN_EVERY_MINUTES = 15


@dataclass
class MorningRun(DeliveryTally):
    """What one run did, by Slack user id (`empty`: nothing to send today)."""

    empty: list[str] = field(default_factory=list)
    # Dry runs: each digest with the message it would send (None: no DM).
    previews: list[tuple[MorningDigest, dict[str, Any] | None]] = field(default_factory=list)


class MorningReminders:
    """Computes due digests, queues each member's DM once and sends it through the outbox;
    `client` (the outbox's client) may be None for dry runs."""

    def __init__(self, deps: Deps, client: WebClient | None) -> None:
        self._deps = deps
        self._client = client
        self._outbox = job_outbox(deps, client, morning.register)
        # Members whose Slack time zone this process already asked for (found or not).
        self._zones_asked: set[str] = set()

    def run(self, *, on: dt.date | None = None, dry_run: bool = False) -> MorningRun:
        """Send what is due now (`on`: that business date for everyone, as `isops remind`)."""
        deps, settings = self._deps, self._deps.settings
        outcome = MorningRun()
        if self._client is not None and not dry_run:
            self.fill_time_zones(self._client)
        now = utcnow()
        recipients = reminders.due_recipients(
            deps.uow(),
            now=now,
            settings=settings,
            calendar=deps.calendar,
            on=on,
            include_settled=dry_run,
        )
        if not recipients:
            return outcome
        digests = reminders.compute_digests(
            deps.uow(), recipients=recipients, now=now, settings=settings, calendar=deps.calendar
        )
        messages: list[MorningMessage] = []
        for digest in digests:
            try:  # one member's bug must not stop the others
                message = None if digest.is_empty else build_morning_dm(digest)
            except Exception:
                log.exception("morning DM for %s could not be built", digest.slack_user_id)
                outcome.failed.append(digest.slack_user_id)
                continue
            if dry_run:
                outcome.previews.append((digest, message))
                continue
            messages.append(
                MorningMessage(
                    digest.member_id,
                    digest.slack_user_id,
                    digest.business_date,
                    message,
                    first_lead_ids=first_lead_ids(digest),
                )
            )
        if dry_run:
            return outcome
        stored = enqueue_morning(
            deps.uow(),
            messages=messages,
            now=now,
            settings=settings,
            calendar=deps.calendar,
            by_hand=on is not None,
        )
        for item in messages:
            try:
                self._deliver(item, item.key in stored, outcome)
            except Exception:  # a DB hiccup for one member must not stop the others
                log.exception("morning DM for %s failed", item.slack_user_id)
                outcome.failed.append(item.slack_user_id)
        if outcome.sent or outcome.failed:
            log.info(
                "morning reminders: %d sent, %d empty, %d failed, %d handled elsewhere",
                len(outcome.sent),
                len(outcome.empty),
                len(outcome.failed),
                len(outcome.elsewhere),
            )
        return outcome

    def _deliver(self, item: MorningMessage, stored: bool, outcome: MorningRun) -> None:
        """Settle an empty day, or send one member's DM through the outbox now."""
        if item.message is None:
            (outcome.empty if stored else outcome.elsewhere).append(item.slack_user_id)
            return
        assert self._outbox is not None
        outcome.record(self._outbox.deliver(key=item.key), item.slack_user_id)

    def fill_time_zones(self, client: WebClient) -> int:
        """Members without a time zone get Slack's `tz` (users.info), asked once per process."""
        missing = [
            user
            for user in reminders.members_without_timezone(self._deps.uow())
            if user not in self._zones_asked
        ]
        zones: dict[str, str] = {}
        for user in missing:
            self._zones_asked.add(user)
            try:
                answer = client.users_info(user=user)
            except (SlackApiError, OSError) as exc:
                log.info("no time zone for %s from Slack: %s", user, exc)
                continue
            zone = (answer.get("user") or {}).get("tz")
            if isinstance(zone, str) and zone:
                zones[user] = zone
        return reminders.record_timezones(self._deps.uow(), zones=zones) if zones else 0


def trigger(deps: Deps) -> CronTrigger:
    """Every 15 minutes from ISOPS_REMIND_AT's minute, in ISOPS_TIMEZONE. Not Mon–Fri only:
    a member eight hours behind Tokyo has Friday's 09:00 on Tokyo's Saturday; each run checks
    business days in each member's own zone."""
    minute = deps.settings.remind_at.minute % RUN_EVERY_MINUTES
    return CronTrigger(minute=f"{minute}-59/{RUN_EVERY_MINUTES}", timezone=deps.settings.tz)


def jobs(deps: Deps, client: WebClient) -> list[JobSpec]:
    from bot.jobs import JobSpec

    runner = MorningReminders(deps, client)
    # run_at_start: a process started after 09:00 sends that morning's DMs at once.
    return [JobSpec(id=JOB_ID, func=runner.run, trigger=trigger(deps), run_at_start=True)]
