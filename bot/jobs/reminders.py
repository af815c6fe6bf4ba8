"""The morning DM job (DOMAIN.md "Calendar": 09:00 on business days, in each member's zone).

The job runs every 15 minutes from ISOPS_REMIND_AT's minute, in every process; each run sends
to the members whose local business-day morning has come (until ISOPS_REMIND_CATCHUP_UNTIL) and
whose message is not settled yet. The database claim (`reminder_deliveries`) keeps it to one
message per member and business day across runs, restarts and processes; the same runner does
`isops remind` by hand.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from apscheduler.triggers.cron import CronTrigger
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.reminders import build_morning_dm
from bot.deps import Deps
from bot.outbox import PERMANENT_ERRORS
from isops.clock import utcnow
from isops.services import reminders
from isops.services.reminders import MorningDigest

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)

JOB_ID = "reminders.morning"
RUN_EVERY_MINUTES = 15


@dataclass
class MorningRun:
    """What one run did, by Slack user id."""

    sent: list[str] = field(default_factory=list)
    empty: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    # Settled or being sent by another run/process meanwhile: left alone.
    elsewhere: list[str] = field(default_factory=list)
    # Dry runs: each digest with the message it would send (None: no DM).
    previews: list[tuple[MorningDigest, dict[str, Any] | None]] = field(default_factory=list)


class MorningReminders:
    """Computes due digests and sends each once; `client` may be None for dry runs."""

    def __init__(self, deps: Deps, client: WebClient | None) -> None:
        self._deps = deps
        self._client = client
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
        for digest in digests:
            try:
                self._handle(digest, outcome, dry_run=dry_run)
            except Exception:  # one member's bug or DB hiccup must not stop the others
                log.exception("morning DM for %s failed", digest.slack_user_id)
                outcome.failed.append(digest.slack_user_id)
        if outcome.sent or outcome.failed:
            log.info(
                "morning reminders: %d sent, %d empty, %d failed, %d handled elsewhere",
                len(outcome.sent),
                len(outcome.empty),
                len(outcome.failed),
                len(outcome.elsewhere),
            )
        return outcome

    def _handle(self, digest: MorningDigest, outcome: MorningRun, *, dry_run: bool) -> None:
        """Preview, settle an empty day, or deliver one member's morning DM."""
        message = None if digest.is_empty else build_morning_dm(digest)
        if dry_run:
            outcome.previews.append((digest, message))
        elif message is None:
            settled = reminders.mark_nothing_to_send(
                self._deps.uow(),
                member_id=digest.member_id,
                business_date=digest.business_date,
                now=utcnow(),
            )
            (outcome.empty if settled else outcome.elsewhere).append(digest.slack_user_id)
        else:
            self._deliver(digest, message, outcome)

    def _deliver(self, digest: MorningDigest, message: dict[str, Any], outcome: MorningRun) -> None:
        """Claim, send, record. One member's failure is recorded and the run goes on."""
        deps, client = self._deps, self._client
        assert client is not None
        claim = reminders.claim_delivery(
            deps.uow(), member_id=digest.member_id, business_date=digest.business_date, now=utcnow()
        )
        if claim is None:
            outcome.elsewhere.append(digest.slack_user_id)
            return
        try:
            # A user id as channel posts in the app's DM with that user (no conversations.open).
            client.chat_postMessage(
                channel=digest.slack_user_id,
                text=message["text"],
                blocks=message["blocks"],
                unfurl_links=False,
                unfurl_media=False,
            )
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown"))
            self._failed(claim, digest, error, retry=error not in PERMANENT_ERRORS)
            outcome.failed.append(digest.slack_user_id)
            return
        except OSError as exc:  # the connection failed even after the client's retries
            self._failed(claim, digest, repr(exc), retry=True)
            outcome.failed.append(digest.slack_user_id)
            return
        reminders.mark_sent(deps.uow(), claim=claim, now=utcnow())
        outcome.sent.append(digest.slack_user_id)

    def _failed(
        self, claim: reminders.DeliveryClaim, digest: MorningDigest, error: str, *, retry: bool
    ) -> None:
        again = reminders.mark_failed(self._deps.uow(), claim=claim, error=error, retry=retry)
        log.warning(
            "morning DM to %s (%s) failed on attempt %d: %s; %s",
            digest.slack_user_id,
            digest.business_date,
            claim.attempts,
            error,
            "the next run retries it" if again else "giving up for this day",
        )

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
