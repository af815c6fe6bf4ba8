"""One in-memory APScheduler per process; jobs come from `bot.jobs`."""

from __future__ import annotations

import logging

from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs import JobSpec

log = logging.getLogger(__name__)


def build_scheduler(jobs: list[JobSpec], *, timezone: object) -> BackgroundScheduler:
    """A scheduler in `timezone` holding `jobs` (not started)."""
    scheduler = BackgroundScheduler(
        timezone=timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for job in jobs:
        scheduler.add_job(job.func, trigger=job.trigger, id=job.id, name=job.id)
    return scheduler


def run_start_up_jobs(jobs: list[JobSpec]) -> None:
    """Jobs that catch up at start-up (each is idempotent, so this is always safe)."""
    for job in jobs:
        if job.run_at_start:
            try:
                job.func()
            except Exception:
                log.exception("start-up run of %s failed", job.id)
