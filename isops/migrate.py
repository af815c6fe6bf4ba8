"""Schema migrations through Alembic (the only way the schema changes)."""

from __future__ import annotations

import os
from importlib.resources import files
from pathlib import Path

from alembic import command
from alembic.config import Config

from isops.db import normalize_url

MIGRATIONS_PACKAGE = "migrations"
MIGRATIONS_DIR_ENV = "ISOPS_MIGRATIONS_DIR"


def migrations_dir() -> Path:
    """The directory Alembic runs from: `ISOPS_MIGRATIONS_DIR` if set, else the installed
    `migrations` package (from a checkout or a wheel alike).

    Alembic loads env.py and the revisions by file path, so the package must be plain files
    on disk (a wheel installed by pip is; a zipped import is not)."""
    override = os.environ.get(MIGRATIONS_DIR_ENV)
    if override:
        return Path(override)
    location = files(MIGRATIONS_PACKAGE)
    if not isinstance(location, Path):
        raise RuntimeError(
            f"the {MIGRATIONS_PACKAGE!r} package is not a directory on disk ({location!r}); "
            f"set {MIGRATIONS_DIR_ENV} to a copy of it"
        )
    return location


def alembic_config(database_url: str) -> Config:
    """Alembic's config for `database_url`, without needing alembic.ini on disk."""
    config = Config()
    config.set_main_option("script_location", str(migrations_dir()))
    # `%` would be read as interpolation by configparser (e.g. in passwords).
    config.set_main_option("sqlalchemy.url", normalize_url(database_url).replace("%", "%%"))
    config.attributes["configure_logger"] = False
    return config


def upgrade(database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str, revision: str = "base") -> None:
    command.downgrade(alembic_config(database_url), revision)
