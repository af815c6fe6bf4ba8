"""The rep's list as Block Kit: one lead per item (who, why listed, how to reach them, the last
touch, the memo, the case to talk from, the one-tap menu) in the morning digest's sections
(📥 インバウンド, 📅 注力, 🔁 5C2M, ↩️ 差し戻し, 🧹 整備), fitted to a block budget.

Pure builders from `isops.services.reminders` values. App Home (bot.blocks.home), `/isops
today` and the list modal (bot.blocks.today_list) lay out these lists; the morning DM
(bot.blocks.morning_dm) lists its most urgent items with them. A list never exceeds Slack's
limits: lines are taken back from the least urgent sections first and counted instead
(「他 N 件」 with 「すべて表示」).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import case_item_line
from bot.blocks.lead_lines import (
    build_quick_menu,
    contacts,
    five_c2m_reason,
    focus_reason,
    history_line,
    hygiene_reason,
    inbound_reason,
    returned_reason,
    version_of,
    who,
)
from bot.ids import RESCHEDULE_OVERDUE_BUTTON
from bot.texts import jp_date
from isops.services.cases_matching import CaseMatch
from isops.services.reminders import (
    LastTouch,
    LeadLine,
    LeadList,
    MorningDigest,
    ReturnedDecision,
)
from isops.services.reschedule import overdue_per_day

Block = dict[str, Any]


# The most lines each section shows in `/isops today` and App Home (fewer when full), and
# the lines per section their digest reads.
LIST_CAPS = {"inbound": 10, "focus": 10, "5c2m": 15, "returned": 5, "hygiene": 5}
LIST_LINES = max(LIST_CAPS.values())
# Blocks of a list around its sections: `/isops today`'s header and footer. App Home lists
# within the same budget, so both show the same leads.
LIST_FRAME_BLOCKS = 3
LIST_BUDGET = mrkdwn.MAX_MESSAGE_BLOCKS - LIST_FRAME_BLOCKS
# This many overdue focus leads or more get the 振り分け button on their section.
OVERDUE_GROUP_AT = 5

SECTION_ORDER = ("inbound", "focus", "5c2m", "returned", "hygiene")
# `/isops today <key>`: each section's key and its Japanese aliases.
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "inbound": (texts.INBOUND_LABEL, texts.INBOUND_MARK),
    "focus": (texts.FOCUS_LABEL, texts.NEXT_ACTION_MARK),
    "5c2m": (texts.FIVE_C2M_LABEL, texts.FIVE_C2M_MARK),
    "returned": (texts.RETURNED_LABEL, texts.RETURNED_MARK),
    "hygiene": (texts.HYGIENE_LABEL, texts.HYGIENE_MARK),
}
SECTION_TITLES = {
    "inbound": f"{texts.INBOUND_MARK} インバウンド初回対応",
    "focus": f"{texts.NEXT_ACTION_MARK} 注力 (次回が来たもの)",
    "5c2m": f"{texts.FIVE_C2M_MARK} 5C2M 未完了",
    "returned": f"{texts.RETURNED_MARK} 差し戻し",
    "hygiene": f"{texts.HYGIENE_MARK} 注力の予定日整備",
}
# One line per section in the morning DM's summary.
SECTION_SHORT = {
    "inbound": f"{texts.INBOUND_MARK} {texts.INBOUND_LABEL}",
    "focus": f"{texts.NEXT_ACTION_MARK} {texts.FOCUS_LABEL}",
    "5c2m": f"{texts.FIVE_C2M_MARK} {texts.FIVE_C2M_LABEL}",
    "returned": f"{texts.RETURNED_MARK} {texts.RETURNED_LABEL}",
    "hygiene": f"{texts.HYGIENE_MARK} {texts.HYGIENE_LABEL}",
}
NOTHING_TODAY = f"今日のやることはありません {texts.CELEBRATE_MARK}"
SHOW_ALL = "すべて表示"
MENU_HINT = "⋯ から 1 タップで記録できます (10 分以内なら取り消せます)"


# -- items -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ListItem:
    """One lead of one section, ready to draw: who, why listed, how to reach them."""

    key: str
    lead_id: int
    company: str
    contact_name: str | None
    reason: str  # mrkdwn
    phone: str | None
    email: str | None
    last_touch: LastTouch | None
    memo_head: str
    case: CaseMatch | None = None  # the case to talk from (issue 14)

    @property
    def version(self) -> str:
        return version_of(self.last_touch)


def list_item(
    digest: MorningDigest, key: str, line: LeadLine | ReturnedDecision, reason: str
) -> ListItem:
    return ListItem(
        key=key,
        lead_id=line.lead_id,
        company=line.company,
        contact_name=line.contact_name,
        reason=reason,
        phone=line.phone,
        email=line.email,
        last_touch=line.last_touch,
        memo_head=line.memo_head,
        case=digest.cases.get(line.lead_id),
    )


def section_items(digest: MorningDigest, key: str) -> tuple[list[ListItem], int]:
    """Every line the digest carries for one section, most urgent first, and its total."""
    rep, today = digest.rep, digest.business_date
    if key == "inbound":
        items = [list_item(digest, key, x, inbound_reason(x, today)) for x in rep.inbound.items]
        return items, rep.inbound.total
    if key == "focus":
        # Overdue first: their date passed, so they come before today's.
        lines = [*rep.overdue.items, *rep.focus_due.items]
        items = [list_item(digest, key, x, focus_reason(x, today)) for x in lines]
        return items, rep.overdue.total + rep.focus_due.total
    if key == "5c2m":
        return [
            list_item(digest, key, x, five_c2m_reason(x)) for x in rep.five_c2m.items
        ], rep.five_c2m.total
    if key == "returned":
        return [list_item(digest, key, x, returned_reason(x)) for x in rep.returned], len(
            rep.returned
        )
    return [
        list_item(digest, key, x, hygiene_reason(x, today)) for x in rep.hygiene.items
    ], rep.hygiene.total


def section_totals(digest: MorningDigest) -> dict[str, int]:
    rep = digest.rep
    return {
        "inbound": rep.inbound.total,
        "focus": rep.overdue.total + rep.focus_due.total,
        "5c2m": rep.five_c2m.total,
        "returned": len(rep.returned),
        "hygiene": rep.hygiene.total,
    }


def digest_summary(digest: MorningDigest) -> str:
    """A list's notification text: `12/2(水) 今日のやること: 📥 インバウンド 2 件 · …`."""
    counts = [(SECTION_SHORT[key], n) for key, n in section_totals(digest).items()]
    if digest.manager is not None:
        counts.append((f"{texts.PENDING_MARK} {texts.PENDING_LABEL}", digest.manager.pending.count))
    counts.append((f"{texts.FS_UNRATED_MARK} FS 未評価", len(digest.fs_unrated)))
    listed = " · ".join(f"{label} {n} 件" for label, n in counts if n)
    return mrkdwn.truncate(
        f"{jp_date(digest.business_date)} 今日のやること: {listed or 'なし'}",
        mrkdwn.MAX_FALLBACK_TEXT,
    )


def item_text(item: ListItem, today: dt.date) -> str:
    """A list item: who, why, how to reach, the last touch and the memo, then the case to
    talk from when there is one."""
    lines = [
        who(item.company, item.contact_name),
        item.reason,
        contacts(item.phone, item.email),
        history_line(item.last_touch, item.memo_head, today),
    ]
    if item.case is not None:
        lines.append(case_item_line(item.case))
    return mrkdwn.truncate("\n".join(lines), mrkdwn.MAX_SECTION_TEXT)


def build_item(item: ListItem, today: dt.date, *, block: str = ids.LIST_ITEM_BLOCK) -> Block:
    """A list item with its one-tap menu (⋯)."""
    return mrkdwn.section(
        item_text(item, today),
        block_id=f"{block}:{item.lead_id}",
        accessory=build_quick_menu(item.lead_id, item.version),
    )


def build_undo_button(action_id: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ids.UNDO_BUTTON,
        "text": mrkdwn.plain("取り消す"),
        "value": str(action_id),
    }


def build_open_list_button(key: str | None, text: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ids.LIST_OPEN_BUTTON,
        "text": mrkdwn.plain(text),
        "value": key or "all",
    }


# -- assembling within the block budget ------------------------------------------------------------


@dataclass
class Part:
    """A section: blocks always shown, optional lines, and the note for hidden ones."""

    key: str
    head: list[Block]
    lines: list[Block]
    total: int
    cap: int
    more: Callable[[int], Block]
    shown: int = 0
    extra: list[Block] = field(default_factory=list)

    def size(self) -> int:
        hidden = self.total - self.shown
        return len(self.head) + self.shown + (1 if hidden > 0 else 0) + len(self.extra)

    def blocks(self) -> list[Block]:
        hidden = self.total - self.shown
        out = [*self.head, *self.lines[: self.shown]]
        if hidden > 0:
            out.append(self.more(hidden))
        return out + self.extra


def fit_parts(parts: list[Part], budget: int) -> None:
    """Show up to each part's cap, then take lines back from the least urgent parts."""
    for part in parts:
        part.shown = min(len(part.lines), part.cap)
    while sum(p.size() for p in parts) > budget:
        # Keep one line per section as long as possible; the last sections give first.
        candidates = [p for p in parts if p.shown > 1] or [p for p in parts if p.shown > 0]
        if not candidates:
            raise ValueError("the fixed blocks alone exceed the message budget")
        candidates[-1].shown -= 1


def show_all(key: str) -> Callable[[int], Block]:
    return lambda hidden: mrkdwn.section(
        f"…他 {hidden} 件", accessory=build_open_list_button(key, SHOW_ALL)
    )


def no_more(hidden: int) -> Block:
    """The note of a part without lines (fixed blocks only): never called."""
    raise AssertionError(f"{hidden} lines hidden in a part that has none")


def heading(text: str) -> Block:
    return mrkdwn.section(f"*{text}*")


def section_heading(digest: MorningDigest, key: str, total: int) -> Block:
    """A section's title with its count; the focus section's carries the 振り分け button
    once enough of its dates have passed."""
    title = f"*{SECTION_TITLES[key]} {total} 件*"
    overdue = digest.rep.overdue
    if key == "focus" and overdue.total:
        title += f" (期限超過 {overdue.total})"
        if overdue.total >= OVERDUE_GROUP_AT:
            return mrkdwn.section(
                title, accessory=build_reschedule_button(overdue, digest.business_date)
            )
    return mrkdwn.section(title)


def build_reschedule_button(overdue: LeadList, today: dt.date) -> dict[str, Any]:
    """Spreads the overdue focus leads' dates over business days from today (confirmed)."""
    per_day = overdue_per_day(overdue.total)
    return {
        "type": "button",
        "action_id": RESCHEDULE_OVERDUE_BUTTON,
        "text": mrkdwn.plain("振り分ける"),
        "value": today.isoformat(),
        "confirm": {
            "title": mrkdwn.plain("振り分けの確認"),
            "text": mrkdwn.plain(
                f"期限超過 {overdue.total} 件の次回活動予定日を、今日から1日 {per_day} 件ずつ"
                "営業日に振り分けます (古い順)。"
            ),
            "confirm": mrkdwn.plain("振り分ける"),
            "deny": mrkdwn.plain("やめる"),
        },
    }


def list_parts(digest: MorningDigest, caps: dict[str, int]) -> list[Part]:
    today = digest.business_date
    parts: list[Part] = []
    for key in SECTION_ORDER:
        items, total = section_items(digest, key)
        if not total:
            continue
        parts.append(
            Part(
                key,
                # A rule between sections: a phone scans them as blocks, not one long list.
                [{"type": "divider"}, section_heading(digest, key, total)],
                [build_item(item, today) for item in items],
                total,
                caps.get(key, len(items)),
                show_all(key),
            )
        )
    return parts


def build_lead_list(
    digest: MorningDigest, *, budget: int = LIST_BUDGET, caps: dict[str, int] | None = None
) -> list[Block]:
    """The rep's sections with their items, within `budget` blocks (`/isops today`, Home)."""
    parts = list_parts(digest, {**LIST_CAPS, **(caps or {})})
    fit_parts(parts, budget)
    return [b for part in parts for b in part.blocks()]


def listed_lead_ids(blocks: Sequence[Block]) -> list[int]:
    """The leads a list shows as items, in order (tests and the plain-text form)."""
    found = []
    for block in blocks:
        kind, _, lead_id = str(block.get("block_id", "")).partition(":")
        if kind in (ids.LIST_ITEM_BLOCK, ids.FIRST_ITEM_BLOCK) and lead_id.isdigit():
            found.append(int(lead_id))
    return found
