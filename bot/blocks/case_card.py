"""A case as reps read it: the one-line hint next to a lead, the card (detail modal, channel
post, saved view) and the small formats every case surface shares. Pure builders.

The story reads the same everywhere: 課題 → 機能 → 便益, problem and benefit in bold, the
benefit with its numbers. User text is escaped (bot.blocks.mrkdwn.escape)."""

from __future__ import annotations

import datetime as dt
import urllib.parse
from collections.abc import Sequence
from typing import Any

from bot import ids, texts
from bot.blocks.mrkdwn import MAX_SECTION_TEXT, context, escape, plain, section, truncate
from bot.texts import jp_date
from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.services.cases import CaseDetail, ChainView
from isops.services.cases_matching import CaseMatch
from isops.services.cases_outcomes import CaseOutcome

Block = dict[str, Any]

ARROW = " → "
DETAIL = "詳細"
EDIT = f"{texts.EDIT_MARK} 編集"
CLOSE = "閉じる"
DETAIL_TITLE = "事例"
HINT_MARK = texts.CASE_HINT_MARK
LINK_TEXT = "資料を開く"
NO_PART = "—"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
TITLE_CHARS = 150  # a header block's plain_text limit
LINE_CHARS = 400  # one chain line in a list (a case's parts are short; this is a cap)
STORY_PART_CHARS = 100  # a hint's problem, benefit and figures each (tags are short)
ITEM_LINK_CHARS = 500  # a list item links the material only up to this length


def industry_phrase(industry: str) -> str:
    """`製造業界`: 業界 added unless the name already ends with it (製造業 → 製造業界)."""
    if industry.endswith("業界"):
        return industry
    if industry.endswith("業"):
        return industry + "界"
    return industry + "業界"


def audience(industry: str, role_level: RoleLevel | None) -> str:
    """Who a case is for, escaped: `製造業界・マネージャー向け`."""
    who = industry_phrase(industry)
    if role_level is not None:
        who += f"・{role_level.value}"
    return escape(who) + "向け"


def facts(case: CaseDetail) -> str:
    """`製造業 A社 · 製造 · マネージャー · 300〜999名` (escaped; unknown parts left out)."""
    parts = [case.customer, case.industry]
    parts.append(case.role_level.value if case.role_level else None)
    parts.append(case.company_size.label if case.company_size else None)
    return " · ".join(escape(p) for p in parts if p)


def size_label(size: CompanySize | None) -> str:
    return size.label if size else "規模指定なし"


def circled(index: int) -> str:
    return CIRCLED[index] if index < len(CIRCLED) else f"({index + 1})"


def benefit_text(benefit: str | None, figures: str | None) -> str:
    """`*受注率の向上* 18% → 24% (6か月)`: the benefit in bold, its numbers after it."""
    if benefit and figures:
        return f"*{escape(benefit)}* {escape(figures)}"
    if benefit:
        return f"*{escape(benefit)}*"
    return escape(figures) if figures else NO_PART


def chain_line(chain: ChainView, index: int | None = None) -> str:
    """`① 受注率が低い → 商談の録画・分析 → *受注率の向上* 18%→24%` (escaped)."""
    mark = f"{circled(index)} " if index is not None else ""
    line = mark + escape(chain.problem)
    line += ARROW + (escape(chain.feature) if chain.feature else NO_PART)
    line += ARROW + benefit_text(chain.benefit, chain.figures)
    return truncate(line, LINE_CHARS)


def outcome_text(outcome: CaseOutcome) -> str:
    """What works (issue 14 point 6), on the card: `FS への引き継ぎ 5 件・有効商談 3 件`, or
    `FS への引き継ぎ まだなし`."""
    if not outcome.handoffs:
        return "FS への引き継ぎ まだなし"
    return f"FS への引き継ぎ {outcome.handoffs} 件・有効商談 {outcome.valid} 件"


def outcome_short(outcome: CaseOutcome) -> str:
    """The same in a list line: `引き継ぎ 5 · 有効 3`."""
    return f"引き継ぎ {outcome.handoffs} · 有効 {outcome.valid}"


def outcome_context(case: CaseDetail) -> list[str]:
    """`case_card_blocks(extra_context=…)` for a case whose outcome was looked up."""
    return [outcome_text(case.outcome)] if case.outcome is not None else []


def detail_button(case_id: int, *, distinct: bool = False) -> Block:
    """The 詳細 button (opens the whole case; pushed over a modal)."""
    action_id = f"{ids.CASE_DETAIL_BUTTON}:{case_id}" if distinct else ids.CASE_DETAIL_BUTTON
    return {
        "type": "button",
        "action_id": action_id,
        "text": plain(DETAIL),
        "value": str(case_id),
    }


def edit_button(case_id: int) -> Block:
    return {
        "type": "button",
        "action_id": ids.CASE_EDIT_BUTTON,
        "text": plain(EDIT),
        "value": str(case_id),
    }


# -- the hint next to a lead (log modal now; list items of the morning DM and App Home) -----------


def case_story(match: CaseMatch) -> str:
    """`💡 製造業界・マネージャー向け: 受注率が低い → *受注率の向上* 18%→24%` (escaped)."""
    # Parts are cut before escaping, so a long tag never ends in half an entity (`&am…`);
    # bounded so (an industry is at most 100 characters), the line needs no cut after.
    problem, benefit, figures = (
        truncate(part, STORY_PART_CHARS) if part else part
        for part in (match.problem, match.benefit, match.figures)
    )
    story = escape(problem) if problem else ""
    if benefit or figures:
        story += ARROW + benefit_text(benefit, figures)
    return f"{HINT_MARK} {audience(match.industry, match.role_level)}: {story}"


def case_hint_text(match: CaseMatch) -> str:
    """The story and why this case (`… · 業種・役職が一致`): the log modal's hint."""
    return f"{case_story(match)} · {match.explanation}"


def case_item_line(match: CaseMatch) -> str:
    """A list item's last line (morning DM, App Home, `/isops today`): the story only — its
    audience already says what matched, and a phone shows it in two lines — with the case's
    material linked when it has one. The whole case and why it was chosen are one tap away
    in the log modal (⋯ → 詳しく記録…), whose hint has 詳細: an item's menu has no room for a
    sixth choice."""
    line = case_story(match)
    url = _safe_url(match.link) if match.link else ""
    # A very long address stays on the card: cut inside `<…>`, the item would lose its link.
    if url and len(url) <= ITEM_LINK_CHARS:
        line += f" · <{url}|{LINK_TEXT}>"
    return line


def build_case_hint(match: CaseMatch) -> Block:
    """The hint as one block with a 詳細 button that opens the whole case."""
    return section(case_hint_text(match), accessory=detail_button(match.case_id))


# -- the card --------------------------------------------------------------------------------------


def _safe_url(url: str) -> str:
    # `<`, `>` and `|` end Slack's link syntax: percent-encoded they stay part of the URL.
    return urllib.parse.quote(url, safe=":/?#[]@!$&'()*+,;=%-._~")


def chain_blocks(case: CaseDetail) -> list[Block]:
    """One section per chain: the problem, then 機能 / 接続 / 便益 under it."""
    blocks: list[Block] = []
    for index, chain in enumerate(case.chains):
        lines = [f"*{circled(index)} {escape(chain.problem)}*"]
        lines.append(f"　→ 機能: {escape(chain.feature) if chain.feature else NO_PART}")
        if chain.connection:
            lines.append(f"　→ 接続: {escape(chain.connection)}")
        lines.append(f"　→ 便益: {benefit_text(chain.benefit, chain.figures)}")
        blocks.append(section("\n".join(lines)))
    return blocks


def case_card_blocks(
    case: CaseDetail,
    *,
    tz: dt.tzinfo,
    extra_context: Sequence[str] = (),
    with_header: bool = True,
    with_footer: bool = True,
) -> list[Block]:
    """The whole case. `extra_context` adds lines under it (mrkdwn, already escaped): where
    the hand-off counts of issue 14 point 6 ("FS への引き継ぎ 5 件・有効商談 3 件") will go."""
    blocks: list[Block] = []
    if with_header:
        blocks.append({"type": "header", "text": plain(case.title, TITLE_CHARS)})
    lead = f"*{audience(case.industry, case.role_level)}*"
    if case.company_size:
        lead += f" · {case.company_size.label}"
    if case.customer:
        lead += f"\n顧客: {escape(case.customer)}"
    if case.archived:
        lead += f"\n{texts.ARCHIVED_MARK} アーカイブ済み (検索・提案・共有の対象外)"
    blocks.append(section(lead))
    if case.situation:
        blocks.append(section(truncate(f"*現状*\n{escape(case.situation)}", MAX_SECTION_TEXT)))
    blocks.append({"type": "divider"})
    blocks.extend(chain_blocks(case))
    if case.link:
        blocks.append(section(f"{texts.LINK_MARK} <{_safe_url(case.link)}|{LINK_TEXT}>"))
    notes = []
    if with_footer:
        who = case.updated_by or case.created_by
        if who:
            notes.append(f"更新: {escape(who)} {jp_date(case.updated_at.astimezone(tz).date())}")
        notes.append(f"外部ID {escape(case.external_id)}")
    if notes or extra_context:
        blocks.append(context(*([" · ".join(notes)] if notes else []), *extra_context))
    return blocks


def build_case_detail_modal(
    case: CaseDetail, *, tz: dt.tzinfo, notice: str | None = None
) -> dict[str, Any]:
    """The 詳細 modal (also what a saved case shows); 編集 for managers and admins."""
    blocks: list[Block] = []
    if notice:
        blocks.append(section(notice))
    blocks += case_card_blocks(case, tz=tz, extra_context=outcome_context(case))
    if case.may_edit:
        blocks.append({"type": "actions", "elements": [edit_button(case.id)]})
    return {
        "type": "modal",
        "callback_id": ids.CASE_DETAIL_VIEW,
        "title": plain(DETAIL_TITLE),
        "close": plain(CLOSE),
        "blocks": blocks,
    }
