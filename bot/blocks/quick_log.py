"""Answers to a one-tap log and its undo, shown only to who clicked (an ephemeral message
where the click came from; the morning DM and App Home show the touch in place instead)."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from bot.blocks.lead_lines import who
from bot.blocks.lead_list import build_undo_button
from bot.blocks.mrkdwn import MAX_FALLBACK_TEXT, context, escape, section, truncate
from isops.enums import ActionStatus
from isops.services.quick_log import UNDO_WINDOW, QuickLogResult, UndoResult

Block = dict[str, Any]


def _minutes() -> int:
    return int(UNDO_WINDOW.total_seconds() // 60)


def build_quick_confirmation(result: QuickLogResult, *, tz: ZoneInfo) -> Block:
    """`✅ 13:28 株式会社A 山田 様 に 📞 不在 を記録しました` with what follows (status, next
    date, 5C2M) and 取り消す for the undo window."""
    touch = texts.channel_outcome(result.channel, result.outcome.value)
    local = result.acted_at.astimezone(tz)
    headline = (
        f"{texts.DONE_MARK} {texts.jp_time(local)} {who(result.company, result.contact_name)}"
        f" に {touch} を記録しました"
    )
    if result.duplicate:
        headline += " (記録済みです)"
    details = []
    if result.status_after != result.status_before:
        before, after = (ActionStatus(s).label for s in (result.status_before, result.status_after))
        details.append(f"{texts.STATUS_FIELD} {before} → {after}")
    if result.next_action_date is not None:
        day = texts.jp_date(result.next_action_date, today=local.date())
        details.append(f"{texts.NEXT_ACTION_MARK} 次回 {day}")
    if result.status_after in (1, 2):
        details.append(f"{texts.FIVE_C2M_MARK} {texts.five_c2m_label(result.progress)}")
    text = headline + ("\n" + " · ".join(details) if details else "")
    until = texts.jp_time(result.undo_until.astimezone(tz))
    fallback = f"{result.company} に {result.outcome.value} を記録しました"
    if result.duplicate:
        fallback = f"{result.company} の {result.outcome.value} は記録済みです"
    return {
        "text": truncate(escape(fallback), MAX_FALLBACK_TEXT),
        "blocks": [
            section(text, accessory=build_undo_button(result.action_id)),
            context(f"{until} まで ({_minutes()} 分間) 取り消せます"),
        ],
        "response_type": "ephemeral",
        "replace_original": False,
    }


def build_undo_done(undone: UndoResult, *, tz: ZoneInfo) -> Block:
    """The confirmation replaced once undone: what was removed and how the lead is again."""
    touch = texts.channel_outcome(undone.channel, undone.outcome.value)
    local = undone.acted_at.astimezone(tz)
    text = (
        f"{texts.jp_time(local)} の {touch} ({who(undone.company, undone.contact_name)})"
        f" を取り消しました。\n{texts.STATUS_FIELD}は {ActionStatus(undone.status).label}"
    )
    if undone.next_action_date is not None:
        text += f"、次回は {texts.jp_date(undone.next_action_date, today=local.date())}"
    text += " に戻りました。"
    return {
        "text": truncate(escape(f"{undone.company} の記録を取り消しました"), MAX_FALLBACK_TEXT),
        "blocks": [section(text)],
        "response_type": "ephemeral",
        "replace_original": True,
    }
