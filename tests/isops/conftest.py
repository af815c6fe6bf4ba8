"""Fixtures shared by the service tests: default settings, the business calendar and the
usual team."""

from __future__ import annotations

import pytest

from isops.calendar import BusinessCalendar
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
