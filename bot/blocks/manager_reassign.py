"""担当を振り替える (issue 13 point 3): the modal that moves an away rep's urgent leads, the
result shown in its place, and the new owner's DM."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids, texts
from bot.blocks.log_button import build_log_button
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, context, escape, plain, section, truncate
from isops.services.reassign import ReassignChoice, Reassigned, UrgentLead

Block = dict[str, Any]

# Slack's checkboxes take at most 10 options.
MAX_CHECKBOXES = 10
MAX_SELECT_OPTIONS = 100
TITLE = "担当を振り替える"


def _lead_label(lead: UrgentLead) -> str:
    mark = texts.INBOUND_MARK if lead.inbound else texts.NEXT_ACTION_MARK
    contact = f" {lead.contact_name} 様" if lead.contact_name else ""
    when = (
        f" (次回 {texts.jp_date(lead.next_action_date)})"
        if lead.next_action_date and not lead.inbound
        else ""
    )
    return truncate(f"{mark} {lead.company}{contact}{when}", MAX_OPTION_TEXT)


def build_reassign_modal(choice: ReassignChoice, *, private_metadata: str) -> dict[str, Any]:
    """Tick the urgent leads (all ticked), pick a rep of the team who is in today."""
    options = [
        {"text": plain(_lead_label(lead), MAX_OPTION_TEXT), "value": str(lead.lead_id)}
        for lead in choice.leads[:MAX_CHECKBOXES]
    ]
    reps = [
        {
            "text": plain(truncate(c.name, MAX_OPTION_TEXT), MAX_OPTION_TEXT),
            "value": str(c.member_id),
        }
        for c in choice.candidates[:MAX_SELECT_OPTIONS]
    ]
    blocks: list[Block] = [
        section(
            f"{texts.AWAY_MARK} *{escape(choice.from_name)} さん*の急ぎの案件を、今日出社している"
            "チームの担当者に振り替えます。新しい担当者には DM で知らせ、履歴に残します。"
        ),
        {
            "type": "input",
            "block_id": ids.REASSIGN_LEADS_BLOCK,
            "label": plain("振り替えるリード"),
            "element": {
                "type": "checkboxes",
                "action_id": ids.REASSIGN_LEADS_BLOCK,
                "options": options,
                "initial_options": options,
            },
        },
        {
            "type": "input",
            "block_id": ids.REASSIGN_TO_BLOCK,
            "label": plain("新しい担当者"),
            "element": {
                "type": "static_select",
                "action_id": ids.REASSIGN_TO_BLOCK,
                "placeholder": plain("担当者を選ぶ"),
                "options": reps,
            },
        },
    ]
    hidden = len(choice.leads) - len(options)
    if hidden > 0:
        blocks.append(
            context(f"ほかに {hidden} 件あります。振り替えた後にもう一度開くと続きを選べます")
        )
    return {
        "type": "modal",
        "callback_id": ids.REASSIGN_VIEW,
        "private_metadata": private_metadata,
        "title": plain(TITLE),
        "submit": plain("振り替える"),
        "close": plain(texts.CANCEL),
        "blocks": blocks,
    }


def build_reassign_notice(message: str) -> dict[str, Any]:
    """A modal that only says something (nothing to move, refused, done)."""
    return {
        "type": "modal",
        "title": plain(TITLE),
        "close": plain(texts.CLOSE),
        "blocks": [section(escape(message))],
    }


def build_reassign_done(result: Reassigned) -> dict[str, Any]:
    if not result.moved:
        return build_reassign_notice("振り替えたリードはありません (すでに振り替え済みです)")
    return build_reassign_notice(
        f"{texts.DONE_MARK} {len(result.moved)} 件を {result.to_name} さんに振り替えました。"
        f"{result.to_name} さんに DM で知らせます。"
    )


def nothing_to_reassign(choice: ReassignChoice) -> str | None:
    """Why the modal would be empty, or None."""
    if not choice.leads:
        return f"{choice.from_name} さんの急ぎの案件はもうありません"
    if not choice.candidates:
        return "今日出社しているチームの担当者がいません (休暇中でない担当者に振り替えられます)"
    return None


def build_reassigned_dm(payload: dict[str, Any], *, tz: ZoneInfo) -> dict[str, Any]:
    """The new owner's DM: which lead, from whom and why, with the 記録 button."""
    company = escape(truncate(str(payload["company"]), 60))
    contact = payload.get("contact_name")
    who = f"*{company}*" + (f" {escape(str(contact))} 様" if contact else "")
    cv = dt.datetime.fromisoformat(str(payload["cv_at"])).astimezone(tz)
    details = [f"CV {texts.jp_date(cv.date())}"]
    if payload.get("inbound"):
        details.insert(0, f"{texts.INBOUND_MARK} {texts.INBOUND_LABEL}")
    if payload.get("next_action_date"):
        day = dt.date.fromisoformat(str(payload["next_action_date"]))
        details.append(f"{texts.NEXT_ACTION_DATE_FIELD} {texts.jp_date(day)}")
    by = escape(str(payload.get("by_name") or ""))
    source = escape(str(payload.get("from_name") or ""))
    text = (
        f"{texts.REASSIGN_MARK} {by} さんが、休暇中の {source} さんのリードをあなたに振り替えました\n"
        f"{who} — " + " · ".join(details)
    )
    return {
        "text": f"{texts.REASSIGN_MARK} {company} があなたの担当になりました",
        "blocks": [section(text, accessory=build_log_button(int(payload["lead_id"])))],
        "unfurl_links": False,
        "unfurl_media": False,
    }
