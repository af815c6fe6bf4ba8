"""The manager's part of the morning DM (issue 13 point 3), and the per-rep table App Home shows.

One row per rep (🔥 overdue inbound · ⏰ overdue focus · 🔁 5C2M behind · ⚖️ 承認待ち), the names of
the previous business day's missed inbound leads, the pending reviews with a button that opens
them, the previous business day's figures, and away reps' urgent leads with 担当を振り替える.

`build_manager_parts` returns the blocks always shown (`head`) and the away reps' blocks
(`lines`, trimmed first when the message is full, then 「他 N 名」): the morning DM builder
(bot.blocks.morning_dm) fits them into its block budget.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot import ids, texts
from bot.blocks.mrkdwn import MAX_SECTION_TEXT, context, escape, plain, section, truncate
from isops.services.reminders import AwayRep, ManagerDigest, RepToday
from isops.services.reminders.digest import MissedLead

Block = dict[str, Any]

COMPANY_CHARS = 40
AWAY_LEADS_SHOWN = 6
MISSED_NAMES_SHOWN = 5


@dataclass(frozen=True)
class ManagerParts:
    head: list[Block]
    lines: list[Block]
    more: Callable[[int], Block]


def _who(company: str, contact: str | None) -> str:
    name = f"*{escape(truncate(company, COMPANY_CHARS))}*"
    if contact:
        name += f" {escape(truncate(contact, 20))} 様"
    return name


def rep_row_text(rep: RepToday) -> str:
    """`*佐藤* 🔥 2 · ⏰ 1 · 🔁 5 · ⚖️ 1` (zeros left out; ✅ when nothing waits)."""
    counts = [
        (texts.INBOUND_MARK, rep.inbound_overdue),
        (texts.NEXT_ACTION_MARK, rep.focus_overdue),
        (texts.FIVE_C2M_MARK, rep.five_c2m_behind),
        (texts.PENDING_MARK, rep.pending_reviews),
    ]
    shown = " · ".join(f"{mark} {n}" for mark, n in counts if n)
    name = f"*{escape(rep.name)}*"
    if rep.away_until is not None:
        name += f" {texts.AWAY_MARK}〜{texts.jp_date(rep.away_until)}"
    return f"{name} {shown or texts.DONE_MARK}"


def rep_table(reps: tuple[RepToday, ...]) -> list[Block]:
    """The per-rep rows with their legend, in sections of at most MAX_SECTION_TEXT."""
    if not reps:
        return []
    legend = (
        f"{texts.INBOUND_MARK} インバウンド期限超過 · {texts.NEXT_ACTION_MARK} 注力の予定日超過 ·"
        f" {texts.FIVE_C2M_MARK} 5C2M 未完了 · {texts.PENDING_MARK} {texts.PENDING_LABEL}"
    )
    blocks: list[Block] = []
    chunk: list[str] = []
    for rep in reps:
        line = rep_row_text(rep)
        if chunk and len("\n".join([*chunk, line])) > MAX_SECTION_TEXT:
            blocks.append(section("\n".join(chunk)))
            chunk = []
        chunk.append(line)
    blocks.append(section("\n".join(chunk)))
    return [*blocks, context(legend)]


def missed_text(missed: tuple[MissedLead, ...], total: int, day_label: str) -> str:
    names = "、".join(
        f"{_who(m.company, m.contact_name)}" + (f" ({escape(m.rep_name)})" if m.rep_name else "")
        for m in missed[:MISSED_NAMES_SHOWN]
    )
    more = f" …他 {total - min(total, MISSED_NAMES_SHOWN)} 件" if total > MISSED_NAMES_SHOWN else ""
    return (
        f"{texts.INBOUND_MARK} *{day_label} のインバウンド対応漏れ {total} 件*: {names}{more}"
        " — 一覧は `/isops report a`"
    )


def open_reviews_button() -> Block:
    return {
        "type": "button",
        "action_id": ids.MANAGER_OPEN_REVIEWS_BUTTON,
        "text": plain(f"{texts.PENDING_MARK} 承認待ちを開く"),
        "value": "open",
    }


def reassign_button(rep: AwayRep, member_id: int) -> Block:
    return {
        "type": "button",
        "action_id": ids.REASSIGN_BUTTON,
        "text": plain(f"{texts.REASSIGN_MARK} 振り替える"),
        "value": str(member_id),
    }


def away_text(rep: AwayRep) -> str:
    lines: list[str] = []
    for line in rep.inbound.items:
        lines.append(
            f"• {texts.INBOUND_MARK} {_who(line.company, line.contact_name)} (インバウンド未対応)"
        )
    for line in (*rep.focus_due.items, *rep.overdue.items):
        day = line.next_action_date
        when = f" (次回 {texts.jp_date(day)})" if day else ""
        lines.append(f"• {texts.NEXT_ACTION_MARK} {_who(line.company, line.contact_name)}{when}")
    total = rep.inbound.total + rep.focus_due.total + rep.overdue.total
    shown = lines[:AWAY_LEADS_SHOWN]
    more = f"\n…他 {total - len(shown)} 件" if total > len(shown) else ""
    text = (
        f"{texts.AWAY_MARK} *{escape(rep.name)} さんは休暇中 (〜{texts.jp_date(rep.until)})*"
        f" — 急ぎの案件 {total} 件\n" + "\n".join(shown) + more
    )
    return truncate(text, MAX_SECTION_TEXT)


def build_manager_parts(manager: ManagerDigest) -> ManagerParts:
    """The manager's blocks for the morning DM (see the module docstring)."""
    head: list[Block] = [
        section(f"*{texts.TEAM_MARK} チーム ({manager.team_size} 名)*"),
        *rep_table(manager.reps),
    ]
    if manager.missed_inbound_total:
        head.append(
            section(
                missed_text(
                    manager.missed_inbound,
                    manager.missed_inbound_total,
                    texts.jp_date(manager.figures.day),
                )
            )
        )
    pending = manager.pending
    if pending.count:
        oldest = ""
        if pending.oldest_company:
            oldest = f" — 最古: {escape(truncate(pending.oldest_company, COMPANY_CHARS))}"
            if pending.oldest_rep:
                oldest += f" ({escape(pending.oldest_rep)} さん)"
        head.append(
            section(
                f"{texts.PENDING_MARK} *対応不要の承認待ち {pending.count} 件*{oldest}",
                accessory=open_reviews_button(),
            )
        )
    figures = manager.figures
    if not figures.is_empty:
        lines = [f"{texts.FIGURES_MARK} *{texts.jp_date(figures.day)} の実績*"]
        if figures.inbound_due:
            lines.append(
                f"• インバウンド期限内の初回対応: {figures.inbound_on_time}/{figures.inbound_due}"
            )
        if figures.early_due:
            lines.append(
                f"• CV から7日以内に5アクション: {figures.early_reached}/{figures.early_due}"
            )
        if figures.most_overdue:
            names = "、".join(f"{escape(o.name)} {o.count} 件" for o in figures.most_overdue)
            lines.append(f"• 期限切れが多い担当: {names}")
        head.append(section("\n".join(lines)))
    by_name = {(r.name, r.slack_user_id): r.member_id for r in manager.reps}
    away_blocks: list[Block] = []
    for rep in manager.away:
        if not rep.has_hot_leads:
            continue
        member_id = by_name.get((rep.name, rep.slack_user_id))
        extra = {"accessory": reassign_button(rep, member_id)} if member_id else {}
        away_blocks.append(section(away_text(rep), **extra))
    return ManagerParts(
        head=head,
        lines=away_blocks,
        more=lambda hidden: context(f"…ほかに休暇中の担当 {hidden} 名にも急ぎの案件があります"),
    )
