"""Senders that keep the rep's lists live (isops.services.live_lists): App Home re-published,
the morning DM's items marked done in place, an open list modal redrawn.

Each is built when it is sent, from the database as it is then, and each Slack call is safe
to repeat (views.publish, chat.update, views.update), so a retry after a crash shows the
latest state. A coalesced refresh frees its key before it reads (`release_key`): a change
committed after that queues the next one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.blocks.morning_dm import build_morning_progress
from bot.blocks.today_list import build_list_modal
from bot.deps import Deps
from bot.home_view import home_view
from bot.outbox import Delivery, LostClaim, OutboxDispatcher
from isops.clock import utcnow
from isops.errors import NotAllowed, NotFound
from isops.services import outbox
from isops.services.home import member_slack_id
from isops.services.live_lists import KIND_HOME, KIND_LIST_VIEW, KIND_MORNING_PROGRESS
from isops.services.morning_progress import morning_progress
from isops.services.reminders import digest_for_member

# views.update of a modal the rep has closed meanwhile: nothing left to update.
_VIEW_GONE = frozenset({"not_found", "view_not_found"})


def _release(deps: Deps, delivery: Delivery) -> None:
    if not outbox.release_key(deps.uow(), claim=delivery.claim):
        raise LostClaim(delivery.key)


def send_home(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Publish the member's Home as it is now (a member gone or deactivated: nothing)."""
    _release(deps, delivery)
    slack_user_id = member_slack_id(deps.uow(), member_id=int(payload["member_id"]))
    if slack_user_id is None:
        return
    view = home_view(deps, slack_user_id=slack_user_id, now=utcnow())
    delivery.renew()
    delivery.client.views_publish(user_id=slack_user_id, view=view)


def send_morning_progress(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Update the member's morning DM of that date: its touched items marked done."""
    _release(deps, delivery)
    business_date = dt.date.fromisoformat(str(payload["business_date"]))
    progress = morning_progress(
        deps.uow(),
        member_id=int(payload["member_id"]),
        business_date=business_date,
        now=utcnow(),
        calendar=deps.calendar,
    )
    if progress is None:
        return
    message = build_morning_progress(progress, business_date)
    delivery.renew()
    delivery.client.chat_update(channel=progress.channel, ts=progress.ts, **message)


def send_list_view(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Redraw an open list modal (gone, or its member gone: nothing)."""
    section = payload.get("section")
    try:
        digest = digest_for_member(
            deps.uow(),
            slack_user_id=str(payload["slack_user_id"]),
            now=utcnow(),
            settings=deps.settings,
            calendar=deps.calendar,
            limit=None,
            own_lists_only=True,
        )
    except (NotFound, NotAllowed):
        return
    delivery.renew()
    try:
        delivery.client.views_update(
            view_id=str(payload["view_id"]),
            view=build_list_modal(digest, str(section) if section else None),
        )
    except SlackApiError as exc:
        if exc.response.get("error") not in _VIEW_GONE:
            raise


def register(outbox_dispatcher: OutboxDispatcher) -> None:
    outbox_dispatcher.register(KIND_HOME, send_home)
    outbox_dispatcher.register(KIND_MORNING_PROGRESS, send_morning_progress)
    outbox_dispatcher.register(KIND_LIST_VIEW, send_list_view)
