"""Answers to `/isops away` (休暇), shown only to the member."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot import texts
from bot.blocks.mrkdwn import context, section
from bot.texts import jp_date
from isops.services.away import AwayView

AWAY_USAGE = (
    "休暇の登録は `/isops away 12/1-12/5` 、今後の休暇の取り消しは `/isops away cancel` です"
)


def _span(start: dt.date, end: dt.date) -> str:
    return jp_date(start) if start == end else f"{jp_date(start)}〜{jp_date(end)}"


def build_away_saved(period: AwayView) -> dict[str, Any]:
    """The period as stored (overlapping periods are merged into it)."""
    text = (
        f"{texts.AWAY_MARK} 休暇を登録しました: *{_span(period.start_date, period.end_date)}*\n"
        "この期間は朝の DM を止め、急ぎの案件 (インバウンド未対応・期日の来た注力リード) は"
        "マネージャーの朝の DM に載せます。"
    )
    return {
        "text": text,
        "blocks": [section(text), context(AWAY_USAGE)],
        "response_type": "ephemeral",
    }


def build_away_list(periods: Sequence[AwayView]) -> dict[str, Any]:
    """The member's current and upcoming away periods."""
    if not periods:
        text = "予定されている休暇はありません"
    else:
        text = f"{texts.AWAY_MARK} 予定している休暇:\n" + "\n".join(
            f"• {_span(p.start_date, p.end_date)}" for p in periods
        )
    return {
        "text": text,
        "blocks": [section(text), context(AWAY_USAGE)],
        "response_type": "ephemeral",
    }


def build_away_cancelled(count: int) -> dict[str, Any]:
    text = (
        f"休暇 {count} 件を取り消しました。朝の DM は次の営業日から届きます"
        if count
        else "取り消す休暇はありません"
    )
    return {"text": text, "blocks": [section(text)], "response_type": "ephemeral"}
