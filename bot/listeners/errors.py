"""Errors in listeners, handled in one place.

Domain errors (`isops.errors`) are the user's business: their Japanese message goes back to
the person who acted. Listeners that have already acked report them with `tell_user` instead
of raising: when a listener raises right after `ack()`, Bolt 1.30's thread runner sets
`ack.response` back to None (thread_runner.py, "if ack.response is not None: response = None"
… "ack.response = response"); if that happens before its 10 ms poll saw the ack, the HTTP
request waits 3 s and answers 404, and Slack shows "dispatch_failed" on top of our message.
Anything else reaching Bolt's error handler is a bug: logged, and a generic message shown.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltResponse, Respond
from slack_sdk import WebClient

from bot import texts
from bot.blocks.mrkdwn import escape
from bot.deps import Deps
from isops.errors import IsopsError

log = logging.getLogger(__name__)


def tell_user(
    error: IsopsError | str, *, body: dict[str, Any], respond: Respond, client: WebClient
) -> None:
    """The error's message to the person who acted: ephemeral via response_url, else a DM.

    Escaped, because domain messages may quote user input or names."""
    message = escape(str(error))
    user_id = (body.get("user") or {}).get("id") or body.get("user_id")
    if body.get("response_url") or body.get("response_urls"):
        respond(text=message, response_type="ephemeral", replace_original=False)
    elif user_id:
        client.chat_postMessage(channel=str(user_id), text=message)
    else:  # pragma: no cover - Slack always says who acted
        log.warning("cannot tell anyone: %s", message)


def register(app: App, deps: Deps) -> None:
    @app.error
    def handle_error(
        error: Exception, body: dict[str, Any], respond: Respond, client: WebClient
    ) -> BoltResponse | None:
        """Tell the user what went wrong in their words; never leak a traceback to Slack."""
        if not isinstance(error, IsopsError):
            log.exception("unhandled error in listener", exc_info=error)
        try:
            tell_user(
                error if isinstance(error, IsopsError) else texts.GENERIC_ERROR,
                body=body,
                respond=respond,
                client=client,
            )
        except Exception:  # the error report itself failing must not raise again
            log.exception("could not report an error to the user")
        return None
