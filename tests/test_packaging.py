"""The wheel is what an operator installs: it carries the migrations (every revision file,
env.py and the template) and no tests or benchmarks, and `isops db upgrade` works from it with
the checkout nowhere on sys.path.

The wheel is built offline with this virtualenv's setuptools (a few seconds). `.ci/run` also
builds it the release way (isolated build), installs it into a fresh virtualenv outside the
checkout and runs `isops db upgrade` and `isops demo` from there.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory

from isops.migrate import alembic_config, migrations_dir

REPO = Path(__file__).resolve().parents[1]
# What a source distribution of the project holds; tests/ and bench/ are copied too, so the
# check that they stay out of the wheel means something.
SOURCES = ("pyproject.toml", "README.md", "isops", "bot", "migrations", "tests", "bench")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel of the current sources, built from a copy (setuptools' in-place build/ dir
    could carry files the sources no longer have)."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    source.mkdir()
    for name in SOURCES:
        path = REPO / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(path, source / name)
    dist = work / "dist"
    build = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--quiet",
            "--no-deps",
            "--no-index",
            "--no-build-isolation",
            "--wheel-dir",
            str(dist),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert build.returncode == 0, build.stderr
    (built,) = dist.glob("isops-*.whl")
    return built


def test_the_wheel_ships_every_migration_and_no_tests(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    revisions = {
        f"migrations/versions/{p.name}" for p in (REPO / "migrations/versions").glob("*.py")
    }
    assert len(revisions) >= 3
    assert revisions <= names, revisions - names
    assert {"migrations/__init__.py", "migrations/env.py", "migrations/script.py.mako"} <= names
    assert "isops/py.typed" in names
    assert not [n for n in names if n.split("/")[0] in ("tests", "bench")]


def test_db_upgrade_runs_from_the_unpacked_wheel_outside_the_checkout(
    wheel: Path, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    database = tmp_path / "upgraded.db"
    env = {**os.environ, "PYTHONPATH": str(site), "DATABASE_URL": f"sqlite:///{database}"}
    env.pop("ISOPS_MIGRATIONS_DIR", None)
    # The dependencies come from this virtualenv; isops, bot and migrations must come from the
    # wheel (PYTHONPATH precedes site-packages and the editable install's finder).
    script = (
        "import sys, bot, isops, migrations\n"
        "from isops.migrate import migrations_dir\n"
        f"site = {str(site)!r}\n"
        "for module in (bot, isops, migrations):\n"
        "    assert module.__file__.startswith(site), module.__file__\n"
        "assert str(migrations_dir()).startswith(site), migrations_dir()\n"
        "from bot.cli import main\n"
        "sys.exit(main(['db', 'upgrade']))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=run_dir,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "head" in result.stdout
    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    with sqlite3.connect(database) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [(head,)]


def test_migrations_dir_is_the_migrations_package_unless_overridden(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.delenv("ISOPS_MIGRATIONS_DIR", raising=False)
    assert migrations_dir() == REPO / "migrations"
    assert alembic_config("sqlite://").get_main_option("script_location") == str(
        REPO / "migrations"
    )
    monkeypatch.setenv("ISOPS_MIGRATIONS_DIR", str(tmp_path))
    assert alembic_config("sqlite://").get_main_option("script_location") == str(tmp_path)
