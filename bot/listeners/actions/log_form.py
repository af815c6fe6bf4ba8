"""The log modal answering what the rep chooses in it: a status (4/6 show the reasons, 5 the
hand-off, 4 with 5C2M incomplete pushes the confirmation), a quick date, the other channel.

Each is ack → one read of the lead (its context line, case hint, 5C2M) → views.update of the
same modal with what was typed kept (block ids that stay the same keep their state)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from slack_bolt import Ack
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.blocks.lead_picker import selected_lead
from bot.blocks.log_5c2m import ConfirmMetadata, build_5c2m_confirmation
from bot.blocks.log_modal import LogModalOptions, build_log_modal
from bot.deps import Deps
from bot.forms.log import LogMetadata, LogValues, raw_values, values_for
from bot.listeners.errors import reports_errors
from isops.enums import ActionStatus, Channel
from isops.rules import needs_5c2m_confirmation, progress_after_touch, starts_review
from isops.services.handoffs import handoff_choices
from isops.services.leads import LeadSnapshot, LogStart, start_log

QUICK_DATE_PATTERN = re.compile(rf"^{re.escape(ids.LOG_QUICK_DATE)}:\w+$")


def log_modal_view(
    deps: Deps,
    *,
    user_id: str,
    meta: LogMetadata,
    lead_id: int | None,
    values: LogValues | Callable[[LeadSnapshot | None], LogValues],
    notice: str | None = None,
) -> tuple[dict[str, Any], LogStart]:
    """The log modal rebuilt for `lead_id` as the rep sees it now: the lead read again (who
    may log it is checked), `values` (or a function of the lead giving them) as initial
    values."""
    start = read_lead(deps, user_id=user_id, lead_id=lead_id)
    shown = values(start.lead) if callable(values) else values
    return render_log_modal(deps, start, meta=meta, values=shown, notice=notice), start


def read_lead(deps: Deps, *, user_id: str, lead_id: int | None) -> LogStart:
    """The lead as the modal shows it (and the rep's today and quick dates)."""
    return start_log(
        deps.uow(),
        slack_user_id=user_id,
        lead_id=lead_id,
        calendar=deps.calendar,
        targets=deps.settings.targets,
    )


def render_log_modal(
    deps: Deps,
    start: LogStart,
    *,
    meta: LogMetadata,
    values: LogValues,
    notice: str | None = None,
) -> dict[str, Any]:
    """`build_log_modal` with the team's settings, and the FS to hand off to and the cases
    to name when 5 is chosen (read then; the lead's best-matching case first)."""
    choices = (
        handoff_choices(deps.uow(), best=start.lead.case_hint if start.lead else None)
        if values.status == ActionStatus.MEETING
        else None
    )
    return build_log_modal(
        meta=meta,
        selected=selected_lead(start.lead) if start.lead else None,
        values=values,
        options=LogModalOptions(
            reason_codes=deps.settings.reason_codes,
            focus_max_days=deps.settings.focus_max_days,
            today=start.today,
            quick_dates=start.quick_dates or {},
            fs_members=choices.fs_members if choices else None,
            handoff_cases=choices.cases if choices else (),
            best_case_id=choices.best_case_id if choices else None,
        ),
        notice=notice,
    )


def update_log_modal(
    client: WebClient, view_id: str, view: dict[str, Any], hash_: str | None
) -> None:
    """views.update; a modal changed meanwhile (another choice, a submission) wins."""
    try:
        client.views_update(view_id=view_id, hash=hash_, view=view)
    except SlackApiError as exc:
        if exc.response.get("error") not in ("hash_conflict", "not_found"):
            raise


def needs_confirmation(lead: LeadSnapshot, channel: Channel) -> bool:
    """Rule 4: dropping this lead (4) now would leave 5C2M incomplete, this touch counted."""
    return needs_5c2m_confirmation(
        status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
        review=starts_review(
            status=ActionStatus.NO_ACTION_BEFORE_CONNECT,
            current_status=lead.status,
            review_pending=lead.pending_status is not None,
        ),
        progress=progress_after_touch(lead.five_c2m, channel),
    )


def _meta_and_values(body: dict[str, Any]) -> tuple[dict[str, Any], LogMetadata, LogValues]:
    view = body.get("view") or {}
    return view, LogMetadata.load(view.get("private_metadata")), raw_values(view)


def _lead_id(meta: LogMetadata) -> int | None:
    return meta.shown.lead_id if meta.shown else None


def _redraw(
    deps: Deps, client: WebClient, body: dict[str, Any], meta: LogMetadata, values: LogValues
) -> None:
    """The modal clicked in, built again with `meta` and `values` (views.update)."""
    view = body.get("view") or {}
    modal, _ = log_modal_view(
        deps, user_id=body["user"]["id"], meta=meta, lead_id=_lead_id(meta), values=values
    )
    update_log_modal(client, str(view["id"]), modal, view.get("hash"))


@reports_errors
def handle_status_chosen(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """A status chosen: the modal shows what it needs (4/6 reasons, 5 hand-off, nothing
    else for 1–3); 4 with 5C2M incomplete pushes 「あと架電 N 回・メール M 回」 on top."""
    ack()
    view, meta, values = _meta_and_values(body)
    if values.status != ActionStatus.NO_ACTION_BEFORE_CONNECT:
        meta = meta.model_copy(update={"confirm": False})
    modal, start = log_modal_view(
        deps, user_id=body["user"]["id"], meta=meta, lead_id=_lead_id(meta), values=values
    )
    lead = start.lead
    if (
        values.status == ActionStatus.NO_ACTION_BEFORE_CONNECT
        and lead is not None
        and not meta.confirm
        and needs_confirmation(lead, meta.channel)
    ):
        # First, while the click's trigger_id is fresh (3 s).
        client.views_push(
            trigger_id=body["trigger_id"],
            view=build_5c2m_confirmation(
                progress_after_touch(lead.five_c2m, meta.channel),
                days_since_cv=lead.days_since_cv,
                metadata=ConfirmMetadata(parent_view_id=str(view["id"]), log=meta),
            ),
        )
    update_log_modal(client, str(view["id"]), modal, view.get("hash"))


@reports_errors
def handle_quick_date(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """明日 / 3営業日後 / 1週間後 / 1ヶ月後: that date in the picker."""
    ack()
    try:
        day = dt.date.fromisoformat(str(action.get("value") or ""))
    except ValueError:
        return  # not a button of ours
    _, meta, values = _meta_and_values(body)
    # A new block_id for the date: Slack would keep the old date under the same one.
    meta = meta.model_copy(update={"date_picks": meta.date_picks + 1})
    _redraw(deps, client, body, meta, replace(values, next_action_date=day))


@reports_errors
def handle_channel_switch(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """The other channel's outcomes (a call modal becomes a mail modal and back)."""
    ack()
    wanted = action.get("value")
    if wanted not in (Channel.CALL.value, Channel.MAIL.value):
        return
    _, meta, values = _meta_and_values(body)
    meta = meta.model_copy(update={"mode": wanted})
    _redraw(deps, client, body, meta, replace(values, outcome=None))


def lead_values(status: int | None) -> Callable[[LeadSnapshot | None], LogValues]:
    """For a rebuild that cannot see what the rep typed (a pushed view's answer): the lead's
    values, which Slack shows only in blocks that are new (the others keep their state)."""

    def of(lead: LeadSnapshot | None) -> LogValues:
        base = values_for(lead) if lead is not None else LogValues()
        return replace(base, status=status if status is not None else base.status)

    return of
