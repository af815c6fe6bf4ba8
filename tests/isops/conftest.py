"""Fixtures shared by the service tests: default settings and the business calendar."""

from __future__ import annotations

import pytest

from isops.calendar import BusinessCalendar
from isops.settings import Settings


@pytest.fixture
def settings() -> Settings:
    """The defaults, with no developer .env read."""
    return Settings(_env_file=None)


@pytest.fixture
def calendar(settings: Settings) -> BusinessCalendar:
    return BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)
