"""Fixtures shared by the service tests: default settings, the business calendar, the
usual team and logging an action."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from isops.calendar import BusinessCalendar
from isops.enums import Channel, Outcome
from isops.services.action_results import ActionResult
from isops.services.actions import record_action
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories


@pytest.fixture
def settings() -> Settings:
    """The defaults, with no developer .env read."""
    return Settings(_env_file=None)


@pytest.fixture
def calendar(settings: Settings) -> BusinessCalendar:
    return BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """M1 manages reps R1 and R2; M2 is another manager. A module that needs other people
    defines its own `team`."""
    factories.two_managers(uow_factory)
    return uow_factory


@pytest.fixture
def log(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> Callable[..., ActionResult]:
    """record_action with the defaults of a plain call by R1 that changes nothing else; a
    keyword given changes that one."""

    def call(lead_id: int, **kw: Any) -> ActionResult:
        args: dict[str, Any] = {
            "slack_user_id": "R1",
            "lead_id": lead_id,
            "channel": Channel.CALL,
            "outcome": Outcome.ABSENT,
            "status": 1,
            "priority": None,
            "next_action_date": None,
            "memo": "",
            "settings": settings,
            "calendar": calendar,
        }
        args.update(kw)
        return record_action(team(), **args)

    return call
