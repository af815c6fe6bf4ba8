"""The Bolt app factory (no module-level App: tests and processes build their own)."""

from __future__ import annotations

from slack_bolt import App
from slack_sdk import WebClient

from bot import middleware
from bot.deps import Deps
from bot.listeners import register_all


def build_app(
    deps: Deps, client: WebClient, *, token_verification: bool = True, socket_mode: bool = False
) -> App:
    """A Bolt app on `client` with the unit-of-work middleware and every listener."""
    secret = deps.settings.slack_signing_secret
    app = App(
        client=client,
        signing_secret=secret.get_secret_value() if secret else None,
        # Socket Mode has no HTTP requests to sign; HTTP mode always verifies.
        request_verification_enabled=not socket_mode,
        token_verification_enabled=token_verification,
        # Our error handler answers the user; Bolt's default 500 would make Slack retry.
        raise_error_for_unhandled_request=False,
    )
    middleware.register(app, deps)
    register_all(app, deps)
    return app
