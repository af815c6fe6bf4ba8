"""One in-memory APScheduler per process; jobs come from `bot.jobs`."""

from __future__ import annotations

from apscheduler.schedulers.background import BackgroundScheduler

from bot.jobs import JobSpec


def build_scheduler(jobs: list[JobSpec], *, timezone: object) -> BackgroundScheduler:
    """A scheduler in `timezone` holding `jobs` (not started)."""
    scheduler = BackgroundScheduler(
        timezone=timezone,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 3600},
    )
    for job in jobs:
        scheduler.add_job(job.func, trigger=job.trigger, id=job.id, name=job.id)
    return scheduler


def schedule_start_up_runs(scheduler: BackgroundScheduler, jobs: list[JobSpec]) -> None:
    """Jobs that catch up at start-up (each is idempotent, so this is always safe) run once
    now on the scheduler's threads, so serving requests does not wait for them."""
    for job in jobs:
        if job.run_at_start:
            scheduler.add_job(job.func, trigger="date", id=f"{job.id}.start-up", name=job.id)
