"""`isops` in its own OS process, as an operator runs it (for tests and benchmarks)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

# What an `isops` process must not inherit from the shell that runs the tests.
SLACK_SETTINGS = ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "SLACK_API_URL")


def start_isops(
    *args: str,
    cwd: Path | str,
    log_level: str = "WARNING",
    stdout: int | None = subprocess.PIPE,
    **settings: str | None,
) -> subprocess.Popen[str]:
    """`isops <args>` (`python -m bot`) started in `cwd`: this process's environment without
    its Slack settings, then `settings` (None removes one, e.g. DATABASE_URL=None)."""
    env = {name: value for name, value in os.environ.items() if name not in SLACK_SETTINGS}
    env["ISOPS_LOG_LEVEL"] = log_level
    for name, value in settings.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.Popen(
        [sys.executable, "-m", "bot", *args],
        cwd=cwd,
        env=env,
        stdout=stdout,
        stderr=subprocess.PIPE,
        text=True,
    )
