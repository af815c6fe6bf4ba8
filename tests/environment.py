"""The tests' environment: none of the bot's settings from the developer's shell.

Settings come from the environment (pydantic-settings), so an exported `.env` — say
`ISOPS_TIMEZONE=America/New_York` — would change what the tests compute (a date that is past
in New York is not in Tokyo) and make a green suite red on one laptop. conftest drops every
variable `Settings` reads before any test builds one; a test that needs one sets it itself
(`monkeypatch.setenv`). ISOPS_TEST_DATABASE_URL is the tests' own and stays."""

from __future__ import annotations

import os
from collections.abc import MutableMapping

from isops.settings import Settings


def settings_variables() -> frozenset[str]:
    """The environment variables `Settings` reads, upper-cased (it reads them in any case)."""
    return frozenset((f.alias or name).upper() for name, f in Settings.model_fields.items())


def drop_settings(environ: MutableMapping[str, str] = os.environ) -> list[str]:
    """Remove the variables `Settings` reads from `environ`; the names removed."""
    names = settings_variables()
    dropped = [name for name in environ if name.upper() in names]
    for name in dropped:
        del environ[name]
    return dropped
