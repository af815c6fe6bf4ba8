"""Scheduled jobs: every cron trigger carries the configured time zone explicitly."""

from __future__ import annotations

from apscheduler.triggers.cron import CronTrigger

from tests.harness import BotHarness


def test_cron_triggers_use_the_configured_time_zone(bot: BotHarness) -> None:
    assert bot.runtime.jobs, "no scheduled jobs registered"
    for job in bot.runtime.jobs:
        if isinstance(job.trigger, CronTrigger):
            assert str(job.trigger.timezone) == bot.runtime.deps.settings.timezone, job.id


def test_scheduler_holds_every_job_once(bot: BotHarness) -> None:
    ids = [job.id for job in bot.runtime.jobs]
    assert len(ids) == len(set(ids))
    assert {j.id for j in bot.runtime.scheduler.get_jobs()} == set(ids)


def test_start_up_runs_are_scheduled_not_run_inline(bot: BotHarness) -> None:
    from apscheduler.schedulers.background import BackgroundScheduler

    from bot.scheduler import schedule_start_up_runs

    scheduler = BackgroundScheduler(timezone=bot.runtime.deps.settings.tz)
    schedule_start_up_runs(scheduler, bot.runtime.jobs)
    expected = {f"{j.id}.start-up" for j in bot.runtime.jobs if j.run_at_start}
    assert expected, "the morning reminders catch up at start-up"
    assert {j.id for j in scheduler.get_jobs()} == expected
