"""Plain HTTP endpoints beside Slack's (e.g. the inbound-lead webhook)."""

from __future__ import annotations

from bot.deps import Deps
from bot.server import Route
from bot.webhooks import leads


def routes(deps: Deps) -> dict[str, Route]:
    """Path → WSGI route for every webhook of this process."""
    return {**leads.routes(deps)}
