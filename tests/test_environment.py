"""The suite ignores the bot's settings in the developer's shell (tests/environment.py)."""

from __future__ import annotations

import os

from isops.settings import Settings
from tests import factories
from tests.environment import drop_settings, settings_variables


def test_every_variable_settings_reads_is_dropped_in_any_case() -> None:
    environ = {
        "ISOPS_TIMEZONE": "America/New_York",
        "isops_remind_at": "10:30",
        "DATABASE_URL": "postgresql://elsewhere/db",
        "SLACK_BOT_TOKEN": "xoxb-real",
        "ISOPS_TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "PATH": "/usr/bin",
    }
    dropped = drop_settings(environ)
    assert sorted(dropped) == [
        "DATABASE_URL",
        "ISOPS_TIMEZONE",
        "SLACK_BOT_TOKEN",
        "isops_remind_at",
    ]
    assert environ == {
        "ISOPS_TEST_DATABASE_URL": "postgresql://postgres@127.0.0.1:5432/test",
        "PATH": "/usr/bin",
    }


def test_the_names_are_the_ones_settings_reads() -> None:
    names = settings_variables()
    assert {"ISOPS_TIMEZONE", "ISOPS_REMIND_AT", "DATABASE_URL", "SLACK_SIGNING_SECRET"} <= names
    assert "ISOPS_TEST_DATABASE_URL" not in names


def test_the_suite_runs_on_the_defaults() -> None:
    """conftest dropped them before factories built its Settings."""
    assert not settings_variables() & {name.upper() for name in os.environ}
    assert Settings(_env_file=None) == factories.SETTINGS  # type: ignore[call-arg]
    assert factories.SETTINGS.timezone == "Asia/Tokyo"
