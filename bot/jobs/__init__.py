"""Scheduled jobs. Each opens its own units of work and is idempotent in the database,
because every bot process runs its own in-memory scheduler (APScheduler 3 cannot share
a job store between processes)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient

from bot.deps import Deps
from bot.jobs import cases, handoffs, housekeeping, reminders, scorecard


@dataclass(frozen=True)
class JobSpec:
    id: str
    func: Callable[[], Any]
    trigger: Any  # an APScheduler trigger, always built with an explicit time zone
    # Run once at start-up too (e.g. a morning run the process missed while it was down).
    run_at_start: bool = False


def scheduled_jobs(deps: Deps, client: WebClient) -> list[JobSpec]:
    """Every job of every feature."""
    return [
        *housekeeping.jobs(deps),
        *reminders.jobs(deps, client),
        *cases.jobs(deps, client),
        *handoffs.jobs(deps, client),
        *scorecard.jobs(deps, client),
    ]
