"""Buttons on the FS's hand-off messages (issue 12); value = hand-off id (`:change` when an
admin changes a verdict from `/isops handoffs`).

受け取りました and ✅ 有効商談 are recorded at once; ❌ 有効商談ではない, 📅 日程変更 and ↩️ IS に戻す
open a modal, once the clicker may still do it. Who may is read from the database by who
clicked (the hand-off's FS or an admin); anyone else gets an ephemeral refusal through
`reports_errors` and nothing changes. The FS's messages are updated by the outbox at the
locations it recorded, never where a click says it came from; a click in the ephemeral list
gets a receipt through its response_url.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks.handoff_list import status_text
from bot.blocks.handoff_messages import lead_title
from bot.blocks.handoff_modals import (
    build_invalid_modal,
    build_reschedule_modal,
    build_return_modal,
)
from bot.blocks.mrkdwn import section
from bot.deps import Deps
from bot.forms.handoff import HandoffClick, VerdictContext
from bot.listeners.errors import reports_errors
from isops.calendar import member_zone
from isops.clock import utcnow
from isops.enums import HandoffVerdict
from isops.services.handoff_details import HandoffDetail
from isops.services.handoff_verdicts import (
    acknowledge_handoff,
    decide_handoff,
    handoff_for_reschedule,
    handoff_for_verdict,
)
from isops.services.members import find_member


def _zone(deps: Deps, slack_user_id: str) -> Any:
    """The clicker's zone (their own, else the team's), for dates in modals and receipts."""
    member = find_member(deps.uow(), slack_user_id=slack_user_id)
    return member_zone(member.timezone if member else None, deps.settings.tz)


def _receipt(respond: Respond, detail: HandoffDetail, tz: Any) -> None:
    """For a click in the ephemeral `/isops handoffs` list (there is no message to update)."""
    text = f"{lead_title(detail)}\n{status_text(detail, utcnow(), tz)}"
    respond(
        response_type="ephemeral",
        replace_original=False,
        text="記録しました",
        blocks=[section(text)],
    )


def _decidable(deps: Deps, click: HandoffClick) -> HandoffDetail:
    """The hand-off, if the clicker may still decide it (or change its verdict)."""
    return handoff_for_verdict(
        deps.uow(),
        handoff_id=click.handoff_id,
        slack_user_id=click.user_id,
        calendar=deps.calendar,
        change=click.change,
    )


@reports_errors
def handle_handoff_ack(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """受け取りました: recorded once; the FS's DM shows it and the rep is told (outbox)."""
    ack()
    click = HandoffClick.from_body(body)
    result = acknowledge_handoff(
        deps.uow(), handoff_id=click.handoff_id, slack_user_id=click.user_id
    )
    if result.newly:
        deps.wake_outbox()
    elif click.ephemeral:
        _receipt(respond, result.detail, _zone(deps, click.user_id))


@reports_errors
def handle_handoff_valid(ack: Ack, body: dict[str, Any], respond: Respond, deps: Deps) -> None:
    """✅ 有効商談: the first verdict wins; the loser is told who decided (ephemeral)."""
    ack()
    click = HandoffClick.from_body(body)
    detail = decide_handoff(
        deps.uow(),
        handoff_id=click.handoff_id,
        slack_user_id=click.user_id,
        verdict=HandoffVerdict.VALID,
        change=click.change,
        settings=deps.settings,
        calendar=deps.calendar,
    )
    deps.wake_outbox()  # the FS's messages are updated and the rep is told
    if click.ephemeral:
        _receipt(respond, detail, _zone(deps, click.user_id))


@reports_errors
def handle_handoff_invalid(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """❌ 有効商談ではない: the reason modal, if the clicker may still decide."""
    ack()
    click = HandoffClick.from_body(body)
    detail = _decidable(deps, click)
    meta = VerdictContext(handoff_id=detail.id, change=click.change).dump()
    client.views_open(
        trigger_id=click.trigger_id,
        view=build_invalid_modal(
            detail,
            reasons=deps.settings.invalid_reasons,
            metadata=meta,
            tz=_zone(deps, click.user_id),
            change=click.change and detail.decided,
        ),
    )


@reports_errors
def handle_handoff_reschedule(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """📅 日程変更: the new date/time modal, while the meeting has no verdict."""
    ack()
    click = HandoffClick.from_body(body)
    detail = handoff_for_reschedule(
        deps.uow(), handoff_id=click.handoff_id, slack_user_id=click.user_id, calendar=deps.calendar
    )
    client.views_open(
        trigger_id=click.trigger_id,
        view=build_reschedule_modal(
            detail,
            metadata=VerdictContext(handoff_id=detail.id).dump(),
            tz=_zone(deps, click.user_id),
        ),
    )


@reports_errors
def handle_handoff_return(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """↩️ IS に戻す: the comment and next action date modal, if the clicker may decide."""
    ack()
    click = HandoffClick.from_body(body)
    detail = _decidable(deps, click)
    tz = _zone(deps, click.user_id)
    client.views_open(
        trigger_id=click.trigger_id,
        view=build_return_modal(
            detail,
            metadata=VerdictContext(handoff_id=detail.id, change=click.change).dump(),
            tz=tz,
            today=utcnow().astimezone(tz).date(),
            focus_max_days=deps.settings.focus_max_days,
            change=click.change and detail.decided,
        ),
    )
