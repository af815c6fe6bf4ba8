"""Outbox senders of the hand-off to FS (issue 12): the FS's hand-off DM, its verdict
requests, keeping both up to date (acknowledged, rescheduled, decided), and the rep's DMs.

Each message is built from the hand-off as it is when sent, so a retry never shows a stale
state. The bot updates the FS's messages only where the outbox recorded them: the hand-off DM
at the location its sender stored on the hand-off, the verdict requests at their
notifications' `sent_channel`/`sent_ts` — never where a click says it came from."""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.handoff_messages import build_handoff_dm, build_rep_notice, build_verdict_request
from bot.deps import Deps
from bot.outbox import Delivery, OutboxDispatcher
from isops.calendar import member_zone
from isops.services.handoff_details import HandoffDetail, Person, handoff_detail, record_fs_message
from isops.services.handoff_requests import HANDOFF_VERDICT_REQUEST, sent_request_messages
from isops.services.handoffs import HANDOFF_CREATED, HANDOFF_REFRESH, HANDOFF_REP_NOTICE

log = logging.getLogger(__name__)

# chat.update errors meaning the message is gone or frozen: retrying cannot help.
MESSAGE_GONE = frozenset({"message_not_found", "cant_update_message", "edit_window_closed"})
NO_UNFURL = {"unfurl_links": False, "unfurl_media": False}


def register(outbox: OutboxDispatcher) -> None:
    outbox.register(HANDOFF_CREATED, send_handoff_dm)
    outbox.register(HANDOFF_REFRESH, refresh_fs_messages)
    outbox.register(HANDOFF_VERDICT_REQUEST, send_verdict_request)
    outbox.register(HANDOFF_REP_NOTICE, send_rep_notice)


def _tz(deps: Deps, person: Person) -> Any:
    return member_zone(person.timezone, deps.settings.tz)


def _state(detail: HandoffDetail) -> tuple[Any, ...]:
    """What the FS's messages show that can change after they are built."""
    return (detail.acknowledged_at, detail.verdict, detail.changed_at, detail.version)


def send_handoff_dm(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the FS the hand-off and remember where it is (for 受け取りました and later updates).

    Safe to repeat after a crash at any point: a post that went out is found by its delivery
    key, recording it is idempotent, and the update shows what changed meanwhile."""
    detail = handoff_detail(deps.uow(), handoff_id=int(payload["handoff_id"]))
    if detail is None or detail.fs_message_ts is not None:
        return  # gone, or posted and recorded already (a retry)
    posted = delivery.post_message(
        channel=detail.fs.slack_user_id,
        **build_handoff_dm(detail, tz=_tz(deps, detail.fs)),
        **NO_UNFURL,
    )
    recorded = record_fs_message(
        deps.uow(), handoff_id=detail.id, channel=posted.channel, ts=posted.ts
    )
    # Acknowledged, moved or decided while the DM was on its way, before anyone knew where
    # it is: that change's refresh found nothing to update, so show it now.
    if recorded is not None and recorded.stored and _state(recorded.detail) != _state(detail):
        delivery.renew()
        _update(
            delivery.client,
            posted.channel,
            posted.ts,
            build_handoff_dm(recorded.detail, tz=_tz(deps, recorded.detail.fs)),
        )


def refresh_fs_messages(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Show the hand-off as it is now on the FS's hand-off DM and on every verdict request
    delivered (decided or moved: their buttons go)."""
    detail = handoff_detail(deps.uow(), handoff_id=int(payload["handoff_id"]))
    if detail is None:
        return
    tz = _tz(deps, detail.fs)
    if detail.fs_message_channel and detail.fs_message_ts:
        delivery.renew()
        _update(
            delivery.client,
            detail.fs_message_channel,
            detail.fs_message_ts,
            build_handoff_dm(detail, tz=tz),
        )
    for sent in sent_request_messages(
        deps.uow_factory, handoff_id=detail.id, version=detail.version
    ):
        delivery.renew()
        message = build_verdict_request(detail, number=sent.number, version=sent.version, tz=tz)
        _update(delivery.client, sent.channel, sent.ts, message)


def send_verdict_request(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """Ask the FS for the verdict (request `number` of 3) — unless it is no longer wanted: the
    hand-off was decided or rescheduled since the request was queued."""
    detail = handoff_detail(deps.uow(), handoff_id=int(payload["handoff_id"]))
    if detail is None:
        return
    version, number = int(payload["version"]), int(payload["number"])
    tz = _tz(deps, detail.fs)
    channel = detail.fs.slack_user_id
    if detail.decided or detail.version != version:
        # Not wanted any more: post nothing — unless an earlier try posted it unheard; then
        # that message must show what happened instead of live buttons.
        found = delivery.find_posted(channel) if delivery.maybe_posted else None
        if found is not None:
            delivery.posted = found
            delivery.renew()
            _update(
                delivery.client,
                found.channel,
                found.ts,
                build_verdict_request(detail, number=number, version=version, tz=tz),
            )
        return
    posted = delivery.post_message(
        channel=channel,
        **build_verdict_request(detail, number=number, version=version, tz=tz),
        **NO_UNFURL,
    )
    # Decided or moved in the moment it took to post: the refresh that followed did not know
    # this message yet. (A click in the instant before it is recorded still gets the
    # "already decided" answer: the buttons are checked against the database.)
    after = handoff_detail(deps.uow(), handoff_id=detail.id)
    if after is not None and (after.decided or after.version != version):
        delivery.renew()
        _update(
            delivery.client,
            posted.channel,
            posted.ts,
            build_verdict_request(after, number=number, version=version, tz=tz),
        )


def send_rep_notice(deps: Deps, delivery: Delivery, payload: dict[str, Any]) -> None:
    """DM the rep what happened to their hand-off (received, moved, the verdict)."""
    detail = handoff_detail(deps.uow(), handoff_id=int(payload["handoff_id"]))
    if detail is None:
        return
    message = build_rep_notice(detail, payload, tz=_tz(deps, detail.rep))
    if message is None:
        log.warning("hand-off %d: unknown rep notice %r", detail.id, payload.get("event"))
        return
    delivery.post_message(channel=detail.rep.slack_user_id, **message, **NO_UNFURL)


def _update(client: WebClient, channel: str, ts: str, message: dict[str, Any]) -> None:
    try:
        client.chat_update(channel=channel, ts=ts, **message)
    except SlackApiError as exc:
        if exc.response.get("error") in MESSAGE_GONE:
            log.info("hand-off message %s/%s gone (%s)", channel, ts, exc.response.get("error"))
            return
        raise
