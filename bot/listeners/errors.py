"""One error handler: domain errors become a Japanese message to the user; others are logged."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse, Respond
from slack_sdk import WebClient

from bot import texts
from bot.deps import Deps
from isops.errors import IsopsError

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    @app.error
    def handle_error(
        error: Exception, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> BoltResponse | None:
        """Tell the user what went wrong in their words; never leak a traceback to Slack."""
        message = str(error) if isinstance(error, IsopsError) else texts.GENERIC_ERROR
        if not isinstance(error, IsopsError):
            log.exception("unhandled error in listener", exc_info=error)
        user_id = (body.get("user") or {}).get("id") or body.get("user_id")
        try:
            if body.get("response_url") or body.get("response_urls"):
                respond(text=message, response_type="ephemeral", replace_original=False)
            elif user_id:
                client.chat_postMessage(channel=user_id, text=message)
        except Exception:  # the error report itself failing must not raise again
            log.exception("could not report an error to the user")
        return None
