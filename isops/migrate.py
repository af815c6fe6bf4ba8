"""Schema migrations through Alembic (the only way the schema changes)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config

from isops.db import normalize_url

_REPO_ROOT = Path(__file__).resolve().parents[1]


def alembic_config(database_url: str) -> Config:
    """Alembic's config for `database_url`, without needing alembic.ini on disk."""
    script_location = os.environ.get("ISOPS_MIGRATIONS_DIR", str(_REPO_ROOT / "migrations"))
    config = Config()
    config.set_main_option("script_location", script_location)
    # `%` would be read as interpolation by configparser (e.g. in passwords).
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
