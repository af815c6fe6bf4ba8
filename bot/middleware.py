"""Global middleware: a unit of work per request, and Events API retries de-duplicated."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltContext, BoltResponse

from bot.deps import Deps
from isops.services.idempotency import claim_key

log = logging.getLogger(__name__)


def register(app: App, deps: Deps) -> None:
    """Install the middleware on `app`."""

    @app.middleware
    def provide_unit_of_work(context: BoltContext, next: Callable[[], Any]) -> Any:
        # Listeners run after ack on Bolt's thread pool, so each gets an unopened unit of
        # work and opens/commits it inside its one service call.
        context["deps"] = deps
        context["uow"] = deps.uow()
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
