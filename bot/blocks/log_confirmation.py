"""The rep's confirmation after logging: what was saved, and what to do next (coaching)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot import texts
from bot.blocks.handoff_messages import MODE_ICONS, when
from bot.blocks.lead_picker import lead_name, status_label
from bot.blocks.mrkdwn import MAX_FALLBACK_TEXT, context, escape, section, truncate
from bot.texts import jp_date
from isops.enums import MeetingMode, Priority
from isops.services.action_results import ActionResult

# Spaces around the code spans: Slack formats `…` only next to whitespace or ASCII punctuation.
NEXT_LOG_HINT = "次の記録: `/log-call` ・ `/log-mail`"


def _zone(result: ActionResult) -> dt.tzinfo:
    try:
        return ZoneInfo(result.timezone) if result.timezone else dt.UTC
    except (ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def _five_c2m_line(result: ActionResult) -> str | None:
    """Rule 4: progress and the channel that is behind, while the person is not reached."""
    if not result.chases_5c2m:
        return None
    progress = result.five_c2m
    if progress.complete:
        return f"{texts.CELEBRATE_MARK} 5C2M 達成 {texts.five_c2m_label(progress)}"
    channel = progress.next_channel()
    hint = ""
    if channel is not None:
        hint = f" — 次は {texts.CHANNEL_MARKS[channel]} *{channel.label}* がおすすめです"
        if result.channel == channel:
            hint += " (続けて同じチャネルで)"
        else:
            hint += " (片方のチャネルだけで終わらせない)"
    return f"5C2M {texts.five_c2m_label(progress)}{hint}"


def _status_lines(result: ActionResult) -> list[str]:
    lines: list[str] = []
    if result.review_requested:
        reason = f" (理由: {escape(result.reason_code)})" if result.reason_code else ""
        lines.append(
            f"{texts.PENDING_MARK} *{status_label(result.status_after)}*{reason}"
            " をマネージャーに申請しました。"
            "承認されるまでリストに残ります。"
        )
    elif result.status_after != result.status_before:
        lines.append(
            f"{texts.STATUS_FIELD}: {status_label(result.status_before)}"
            f" → *{status_label(result.status_after)}*"
        )
    if result.review_withdrawn:
        lines.append(f"{texts.WITHDRAWN_MARK} 承認待ちだった対応不要の申請は取り下げました。")
    return lines


def _acted_at_line(result: ActionResult) -> str | None:
    """A touch logged late: when it happened (the counters use that time)."""
    if not result.backdated:
        return None
    return f"実施日時: {when(result.acted_at, _zone(result))} (あとから記録)"


def _handoff_line(result: ActionResult) -> str | None:
    """Status 5: the hand-off to FS saved with this log (issue 12)."""
    handoff = result.handoff
    if handoff is None:
        return None
    mode = MeetingMode(handoff.meeting_mode)
    return (
        f"{texts.HANDOFF_MARK} FS の {escape(handoff.fs_name)} さんに引き継ぎました:"
        f" *{when(handoff.meeting_at, _zone(result))}* {MODE_ICONS[mode]} {mode.label}。"
        "FS が受け取ると DM でお知らせします"
    )


def _date_line(result: ActionResult) -> str | None:
    """Rule 5: a next action date for every open lead, within N days for a focus lead."""
    focus = result.priority == Priority.FOCUS
    tag = " (注力)" if focus else ""
    if result.next_action_date is not None:
        return (
            f"{texts.NEXT_ACTION_MARK} {texts.NEXT_ACTION_DATE_FIELD}:"
            f" *{jp_date(result.next_action_date)}*{tag}"
        )
    if result.status_after in (1, 2, 3):
        return (
            f"{texts.NEXT_ACTION_MARK} 次回活動予定日が未設定です。次に動く日を決めておきましょう。"
        )
    return None


def _inbound_line(result: ActionResult) -> str | None:
    """Rule 1: the inbound lead's first approach, on its same-day deadline or late."""
    if result.inbound_deadline is None:
        return None
    deadline = jp_date(result.inbound_deadline)
    if result.inbound_deadline_met:
        return (
            f"{texts.INBOUND_MARK} インバウンド初回対応: 期限 {deadline} に間に合いました"
            f" {texts.DONE_MARK}"
        )
    return (
        f"{texts.WARNING_MARK} インバウンド初回対応の期限 {deadline} を過ぎていました。"
        "次は当日中の初回対応を。"
    )


def _early_line(result: ActionResult) -> str | None:
    """Rule 4: at least N actions within the first days after CV."""
    if result.early_actions is None:
        return None
    done = f" {texts.DONE_MARK}" if result.early_actions >= result.early_target else ""
    return (
        f"CV から {result.early_window_days} 日以内の活動: "
        f"{result.early_actions}/{result.early_target}{done}"
    )


def build_log_confirmation(result: ActionResult) -> dict[str, Any]:
    """`text` + `blocks` for chat.postEphemeral / chat.postMessage (user text escaped)."""
    name = escape(lead_name(result.company, result.contact_name))
    icon = texts.CHANNEL_MARKS[result.channel]
    headline = (
        f"{texts.DONE_MARK} *{name}* に{icon}{result.channel.label}"
        f" ({result.outcome.value}) を記録しました"
    )
    lines = [headline]
    lines += [line for line in (_acted_at_line(result), _handoff_line(result)) if line]
    lines += _status_lines(result)
    lines += [
        line
        for line in (
            _five_c2m_line(result),
            _inbound_line(result),
            _early_line(result),
            _date_line(result),
        )
        if line
    ]
    # The top-level text is mrkdwn too (notifications, screen readers): escaped as well.
    fallback = f"{name} に{result.channel.label} ({result.outcome.value}) を記録しました"
    return {
        "text": truncate(fallback, MAX_FALLBACK_TEXT),
        "blocks": [
            section("\n".join(lines)),
            context(NEXT_LOG_HINT),
        ],
    }
