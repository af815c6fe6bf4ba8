"""Global middleware: what listeners need in the context, and Events API retries
de-duplicated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.deps import DEPS, Deps
from isops.services.idempotency import claim_key

log = logging.getLogger(__name__)

# Set by our first middleware. Bolt runs it only after its own signature check (HTTP mode)
# or for Socket Mode traffic, which Slack authenticates; the error handler acts on a
# request's body (its response_url, its user) only when this is set.
AUTHENTIC = "isops_authentic_request"


def register(app: App, deps: Deps) -> None:
    """Install the middleware on `app`."""

    @app.middleware
    def provide_deps(context: BoltContext, next: Callable[[], Any]) -> Any:
        # Listeners take `deps` from the context and open a unit of work per service call
        # (they run after ack on Bolt's thread pool, so nothing is opened here).
        context[AUTHENTIC] = True
        context[DEPS] = deps
        return next()

    @app.middleware
    def drop_repeated_events(body: dict[str, Any], next: Callable[[], Any]) -> Any:
        # Slack re-sends an event (X-Slack-Retry-Num) when our 3 s ack was late; Bolt does
        # not de-duplicate, so the first delivery of an event_id claims it in the database.
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not claim_key(deps.uow(), scope="slack_event", key=str(event_id)):
            log.info("duplicate event %s ignored", event_id)
            return BoltResponse(status=200, body="")
        return next()
