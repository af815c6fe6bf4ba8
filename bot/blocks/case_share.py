"""The weekly case post in ISOPS_CASE_CHANNEL (issue 14 point 5): one case in the
課題 → 機能 → 便益 form, so the whole team learns one story a week."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import texts
from bot.blocks.case_card import case_card_blocks, outcome_context
from bot.blocks.mrkdwn import context, escape, section, truncate
from isops.services.cases import CaseDetail

HEADER = (
    f"{texts.CASE_SHARE_MARK} *今週の事例* — 誰の・どんな課題を・どう解決し・どんな便益が出たか"
)
FOOTER = "`/case` で事例を検索 · `/case map` で課題 → 機能 → 便益 の全体像 · `/isops targets` でこの事例に合うリード"


def build_case_share_post(case: CaseDetail, *, tz: dt.tzinfo) -> dict[str, Any]:
    """The channel message: the whole case card, and where to go next."""
    blocks: list[dict[str, Any]] = [section(HEADER)]
    blocks += case_card_blocks(case, tz=tz, extra_context=outcome_context(case), with_footer=False)
    blocks.append(context(FOOTER))
    problems = " / ".join(escape(c.problem) for c in case.chains)
    text = truncate(f"今週の事例: {escape(case.title)} ({problems})", 3000)
    return {"text": text, "blocks": blocks, "unfurl_links": False, "unfurl_media": False}
