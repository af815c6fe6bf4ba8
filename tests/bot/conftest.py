from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.harness import BotHarness, running_bot


@pytest.fixture
def bot(database_url: str) -> Iterator[BotHarness]:
    """The bot over HTTP against a fake Slack, on this test's database."""
    with running_bot(database_url) as harness:
        yield harness
