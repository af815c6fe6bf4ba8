from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from isops.db import make_engine
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests.harness import BotHarness, running_bot
from tests.processes import SLACK_SETTINGS


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    """The bot over HTTP against a fake Slack, on this test's database."""
    with running_bot(database_url) as harness:
        yield harness


@pytest.fixture
def no_slack(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The `isops` command run in tmp_path (no developer .env), with no Slack setting and no
    DATABASE_URL from the shell."""
    monkeypatch.chdir(tmp_path)
    for name in (*SLACK_SETTINGS, "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def cli_db(
    no_slack: None, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> Iterator[UnitOfWorkFactory]:
    """The `isops` command on this test's database, and units of work on it for the test."""
    monkeypatch.setenv("DATABASE_URL", database_url)
    engine = make_engine(database_url)
    yield make_uow_factory(engine)
    engine.dispose()
