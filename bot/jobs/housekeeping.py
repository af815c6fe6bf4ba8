"""Nightly clean-up of bookkeeping rows that only matter for a short time."""

from __future__ import annotations

import datetime as dt
import logging
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger

from bot.deps import Deps
from isops.clock import utcnow
from isops.services.idempotency import purge_keys

if TYPE_CHECKING:
    from bot.jobs import JobSpec

log = logging.getLogger(__name__)
EVENT_KEY_RETENTION = dt.timedelta(days=7)


def purge_event_keys(deps: Deps) -> int:
    """Forget Events API ids older than a week (Slack retries within minutes)."""
    removed = purge_keys(deps.uow(), scope="slack_event", older_than=utcnow() - EVENT_KEY_RETENTION)
    log.info("purged %d old event ids", removed)
    return removed


def jobs(deps: Deps) -> list[JobSpec]:
    from bot.jobs import JobSpec

    return [
        JobSpec(
            id="housekeeping.purge_event_keys",
            func=lambda: purge_event_keys(deps),
            trigger=CronTrigger(hour=3, minute=17, timezone=deps.settings.tz),
        )
    ]
