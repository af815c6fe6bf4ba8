"""Clicks in the case surfaces: 詳細, 編集, 追加, one more chain, the search filters, and the
target list's case / rep selects, 注力にする and 送る. Who may do what is read from the
database by who clicked (isops.services.cases*)."""

from __future__ import annotations

import re
from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot import ids
from bot.blocks.case_card import build_case_detail_modal
from bot.blocks.case_modal import build_case_modal
from bot.blocks.case_search import build_case_search_modal
from bot.blocks.case_targets import build_targets_message
from bot.deps import Deps
from bot.forms.cases import CaseEditMeta, draft_from_view, filters_from_view
from bot.forms.payload_ids import PayloadRefused, db_id
from bot.forms.state import block_ids
from bot.listeners.errors import reports_errors
from isops.errors import NotAllowed
from isops.messages import LEAD_NOT_FOUND
from isops.services.case_drafts import MAX_CHAINS
from isops.services.cases import (
    CASE_NOT_FOUND,
    MAY_NOT_ADD,
    case_access,
    case_detail,
    case_for_edit,
)
from isops.services.cases_search import search_cases
from isops.services.cases_targets import focus_lead, send_targets, targets_view

DETAIL_PATTERN = re.compile(rf"^{re.escape(ids.CASE_DETAIL_BUTTON)}(:\d+)?$")
SEARCH_PATTERN = re.compile(
    "^("
    + "|".join(
        re.escape(a)
        for a in (
            ids.CASE_SEARCH_KEYWORD,
            ids.CASE_SEARCH_PROBLEM,
            ids.CASE_SEARCH_INDUSTRY,
            ids.CASE_SEARCH_ROLE,
            ids.CASE_SEARCH_SIZE,
            ids.CASE_SEARCH_ARCHIVED,
        )
    )
    + ")$"
)
TARGETS_PICK_PATTERN = re.compile(
    rf"^({re.escape(ids.CASE_TARGETS_PICK)}|{re.escape(ids.CASE_TARGETS_REP)})$"
)
SENT = "📨 {name} さんに DM で送りました。"
SENT_ALREADY = "{name} さんには今日この事例のリストを送っています (同じ日は 1 回です)。"


def _ids(value: Any, count: int, refusal: str) -> list[int]:
    """`"12:34"` → [12, 34] (each checked as a database id; 0 means "none")."""
    parts = str(value or "").split(":")
    if len(parts) != count:
        raise PayloadRefused(refusal)
    return [0 if part == "0" else db_id(part, refusal=refusal) for part in parts]


def _show(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    """Push over the modal the click came from, else open a new one."""
    if body.get("view") is not None:
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)


def _update(client: WebClient, body: dict[str, Any], view: dict[str, Any]) -> None:
    current = body.get("view") or {}
    try:
        client.views_update(view_id=current["id"], hash=current.get("hash"), view=view)
    except SlackApiError as exc:
        # The modal changed meanwhile (another click, a submission): the newer state wins.
        if exc.response.get("error") != "hash_conflict":
            raise


@reports_errors
def handle_case_detail(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """The whole case, for anyone on the team (pushed over a modal, opened from a message)."""
    ack()
    case = case_detail(
        deps.uow(),
        case_id=db_id(action.get("value"), refusal=CASE_NOT_FOUND),
        slack_user_id=body["user"]["id"],
    )
    _show(client, body, build_case_detail_modal(case, tz=deps.settings.tz))


@reports_errors
def handle_case_edit(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """The edit modal of a case, for managers and admins (refused to anyone else)."""
    ack()
    case = case_for_edit(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        case_id=db_id(action.get("value"), refusal=CASE_NOT_FOUND),
    )
    meta = CaseEditMeta(
        case_id=case.id,
        revision=case.revision,
        chains=max(1, len(case.chains)),
        pushed=body.get("view") is not None,
    )
    _show(client, body, build_case_modal(case.draft(), meta=meta, may_archive=True))


@reports_errors
def handle_case_add(ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps) -> None:
    """＋ 事例を追加 in the search modal: the add modal pushed over it."""
    ack()
    if not case_access(deps.uow(), slack_user_id=body["user"]["id"]).may_add:
        raise NotAllowed(MAY_NOT_ADD)
    meta = CaseEditMeta(pushed=body.get("view") is not None)
    _show(client, body, build_case_modal(None, meta=meta))


@reports_errors
def handle_case_add_chain(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    """One more 課題 → 機能 → 便益 group, keeping what was typed (no database needed)."""
    ack()
    view = body.get("view") or {}
    meta = CaseEditMeta.load(view.get("private_metadata"))
    draft = draft_from_view(view, meta.chains).draft
    grown = meta.model_copy(update={"chains": min(MAX_CHAINS, meta.chains + 1)})
    may_archive = ids.CASE_ARCHIVED_BLOCK in block_ids(view)
    _update(client, body, build_case_modal(draft, meta=grown, may_archive=may_archive))


@reports_errors
def handle_case_search_refine(
    ack: Ack, body: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """A filter changed (or Enter in a keyword): the hits again, in place."""
    ack()
    view = body.get("view") or {}
    search = search_cases(
        deps.uow(), slack_user_id=body["user"]["id"], filters=filters_from_view(view)
    )
    _update(client, body, build_case_search_modal(search))


def _replace(respond: Respond, message: dict[str, Any]) -> None:
    message = {k: v for k, v in message.items() if k != "response_type"}
    respond(**message, replace_original=True)


@reports_errors
def handle_targets_pick(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """A case or a rep picked: the list again (the option's value carries both)."""
    ack()
    option = action.get("selected_option") or {}
    case_id, rep_id = _ids(option.get("value"), 2, CASE_NOT_FOUND)
    view = targets_view(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        case_id=case_id or None,
        rep_member_id=rep_id or None,
    )
    _replace(respond, build_targets_message(view, tz=deps.settings.tz))


@reports_errors
def handle_targets_focus(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """注力にする: the lead becomes a focus lead dated inside rule 5's window; the list is
    shown again with what was done."""
    ack()
    case_id, lead_id, rep_id = _ids(action.get("value"), 3, LEAD_NOT_FOUND)
    view = focus_lead(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        lead_id=lead_id,
        case_id=case_id,
        rep_member_id=rep_id or None,
        calendar=deps.calendar,
        focus_max_days=deps.settings.focus_max_days,
    )
    _replace(respond, build_targets_message(view, tz=deps.settings.tz))


@reports_errors
def handle_targets_send(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """A manager sends the list to the rep (a DM through the outbox, once a day)."""
    ack()
    case_id, rep_id = _ids(action.get("value"), 2, CASE_NOT_FOUND)
    result = send_targets(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        case_id=case_id,
        rep_member_id=rep_id,
        calendar=deps.calendar,
    )
    if not result.already_sent:
        deps.wake_outbox()
    text = (SENT_ALREADY if result.already_sent else SENT).format(name=result.rep_name)
    respond(response_type="ephemeral", replace_original=False, text=text)
