"""One-tap logging from every list (the ⋯ menu of an item, the new-lead DM's buttons), its
取り消す, and 「一覧を開く」 / 「すべて表示」 (the list in a modal).

The answer is the surface itself where it is kept live — the morning DM's item is marked done
(`chat.update`), App Home and an open list modal are redrawn, all through the outbox — and an
ephemeral message with 取り消す anywhere else (an old DM, `/isops today`, the new-lead DM).
Who may log or undo is read from the database by who clicked; a lead id that is not theirs
gets an ephemeral refusal (`reports_errors`) and nothing changes.
"""

from __future__ import annotations

import re
from typing import Any, Literal

from pydantic import BaseModel, Field, ValidationError
from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot import ids
from bot.blocks.lead_lines import OPEN_CONNECTED, OPEN_DETAIL
from bot.blocks.lead_list import SECTION_ORDER
from bot.blocks.quick_log import build_quick_confirmation, build_undo_done
from bot.blocks.today_list import build_list_modal
from bot.deps import Deps
from bot.forms.payload_ids import DbId, PayloadRefused, db_id
from bot.listeners.actions.log_button import open_log_modal
from bot.listeners.errors import reports_errors
from isops.clock import utcnow
from isops.enums import Outcome
from isops.messages import LEAD_NOT_FOUND, UNDO_NOT_FOUND
from isops.services.live_lists import OpenList
from isops.services.quick_log import QuickChoice, quick_log, undo_quick_log
from isops.services.reminders import digest_for_member

QUICK_LOG_PATTERN = re.compile(rf"^{re.escape(ids.QUICK_LOG_MENU)}(:\w+)?$")
ALL_SECTIONS = "all"


class QuickClick(BaseModel):
    """A menu choice or button: `<lead id>:<choice>:<version>`."""

    lead_id: DbId
    choice: Literal["absent", "voicemail", "mail", "connected", "detail"]
    version: str = Field(pattern=r"^[0-9]{1,20}$")

    @classmethod
    def from_action(cls, action: dict[str, Any]) -> QuickClick:
        value = (action.get("selected_option") or {}).get("value") or action.get("value")
        lead_id, _, rest = str(value or "").partition(":")
        choice, _, version = rest.partition(":")
        try:
            return cls.model_validate({"lead_id": lead_id, "choice": choice, "version": version})
        except ValidationError:
            raise PayloadRefused(LEAD_NOT_FOUND) from None


def open_list_of(body: dict[str, Any]) -> OpenList | None:
    """The list modal a click came from, if it came from one."""
    view = body.get("view") or {}
    if (
        view.get("type") != "modal"
        or view.get("callback_id") != ids.LIST_VIEW
        or not view.get("id")
    ):
        return None
    section = str(view.get("private_metadata") or "") or None
    return OpenList(
        slack_user_id=body["user"]["id"],
        view_id=str(view["id"]),
        section=section if section in SECTION_ORDER else None,
    )


def _in_place(body: dict[str, Any], action: dict[str, Any], updates_morning_dm: bool) -> bool:
    """Whether the surface clicked shows the touch itself: App Home and a list modal are
    redrawn, and the morning DM's 今日まず item is marked done."""
    if body.get("view") is not None:
        return True
    from_first_item = str(action.get("block_id", "")).startswith(f"{ids.FIRST_ITEM_BLOCK}:")
    return from_first_item and updates_morning_dm


@reports_errors
def handle_quick_log(
    ack: Ack,
    body: dict[str, Any],
    action: dict[str, Any],
    respond: Respond,
    client: WebClient,
    deps: Deps,
) -> None:
    """📞 不在 / 📞 留守電 / ✉️ 送信: log at once; 📞 接続… / 📝 詳しく記録…: the log modal
    with the lead (and the outcome) filled."""
    ack()
    click = QuickClick.from_action(action)
    if click.choice in (OPEN_CONNECTED, OPEN_DETAIL):
        connected = click.choice == OPEN_CONNECTED
        open_log_modal(
            deps,
            client,
            body,
            lead_id=click.lead_id,
            outcome=Outcome.CONNECTED if connected else None,
            mode="call" if connected else "any",
        )
        return
    result = quick_log(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        lead_id=click.lead_id,
        choice=QuickChoice(click.choice),
        version=click.version,
        settings=deps.settings,
        calendar=deps.calendar,
        open_list=open_list_of(body),
    )
    deps.wake_outbox()  # the DM's item, Home and an open list follow through the outbox
    if not _in_place(body, action, result.updates_morning_dm):
        respond(**build_quick_confirmation(result, tz=deps.settings.tz))


@reports_errors
def handle_undo(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, deps: Deps
) -> None:
    """取り消す: remove a one-tap log within its window and put the lead back."""
    ack()
    undone = undo_quick_log(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        action_id=db_id(action.get("value"), refusal=UNDO_NOT_FOUND),
        settings=deps.settings,
        calendar=deps.calendar,
        open_list=open_list_of(body),
    )
    deps.wake_outbox()
    # The ephemeral confirmation is replaced; the DM, Home and a list are redrawn instead.
    if body.get("view") is None and (body.get("container") or {}).get("is_ephemeral"):
        respond(**build_undo_done(undone, tz=deps.settings.tz))


@reports_errors
def handle_open_list(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, deps: Deps
) -> None:
    """「一覧を開く」 (every section) / 「すべて表示」 (one section in full): a modal of the
    list as of now, pushed when clicked inside a modal."""
    ack()
    value = str(action.get("value") or ALL_SECTIONS)
    section = value if value in SECTION_ORDER else None
    digest = digest_for_member(
        deps.uow(),
        slack_user_id=body["user"]["id"],
        now=utcnow(),
        settings=deps.settings,
        calendar=deps.calendar,
        limit=None,
        own_lists_only=True,
    )
    view = build_list_modal(digest, section)
    if (body.get("view") or {}).get("type") == "modal":
        client.views_push(trigger_id=body["trigger_id"], view=view)
    else:
        client.views_open(trigger_id=body["trigger_id"], view=view)
