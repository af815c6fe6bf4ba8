"""The rep's lists: the morning DM, `/isops today`, the list modal (a section in full), and
their plain-text form (dry runs and the demo). App Home lays out the same list (bot.blocks.home).

Pure builders from `isops.services.reminders` values. Every list has the sections of the
morning digest in one order (📥 インバウンド, 📅 注力, 🔁 5C2M, ↩️ 差し戻し, 🧹 整備), and every
lead in them is one item (bot.blocks.lead_lines) with its one-tap menu.

- **The morning DM** fits a phone: 今日まず — the most urgent items (at most FIRST_ITEMS:
  overdue inbound, inbound due today, overdue focus, focus due today, then 5C2M behind in the
  7 days after CV), each with its phone number — then one line per section with its count
  and 「一覧を開く」 (the whole list in a modal; App Home has it too). No primary button: the
  morning's first actions are the phone links and the menus, not a button at the bottom.
  After a touch its items are marked done in place (`build_morning_progress`).
- **`/isops today`** and **App Home** list the same leads: each section's most urgent lines
  (LIST_CAPS), within one message's blocks, the rest counted as 「他 N 件」 with 「すべて表示」.
- A message never exceeds Slack's limits: lines are taken back from the least urgent
  sections first and counted instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import ids, texts
from bot.blocks.case_card import case_item_line
from bot.blocks.handoff_list import unrated_text
from bot.blocks.lead_lines import (
    build_quick_menu,
    contacts,
    five_c2m_reason,
    focus_reason,
    history_line,
    hygiene_reason,
    inbound_reason,
    phone_link,
    returned_reason,
    version_of,
    who,
)
from bot.blocks.manager_digest import build_manager_parts
from bot.blocks.mrkdwn import (
    MAX_FALLBACK_TEXT,
    MAX_MESSAGE_BLOCKS,
    MAX_SECTION_TEXT,
    MAX_VIEW_BLOCKS,
    context,
    escape,
    plain,
    section,
    truncate,
    unescape,
)
from bot.ids import RESCHEDULE_OVERDUE_BUTTON
from bot.texts import jp_date
from isops.services.cases_matching import CaseMatch
from isops.services.morning_progress import DoneTouch, MorningProgress
from isops.services.reminders import (
    AwayRep,
    LastTouch,
    LeadLine,
    LeadList,
    ManagerDigest,
    MorningDigest,
    ReturnedDecision,
)
from isops.services.reschedule import RescheduleResult, overdue_per_day

Block = dict[str, Any]

# The morning DM lists at most this many items one by one (今日まず).
FIRST_ITEMS = 5
# The most lines each section shows in `/isops today` and App Home (fewer when full), and
# the lines per section their digest reads.
LIST_CAPS = {"inbound": 10, "focus": 10, "5c2m": 15, "returned": 5, "hygiene": 5}
LIST_LINES = max(LIST_CAPS.values())
# Blocks of a list around its sections: `/isops today`'s header and footer. App Home lists
# within the same budget, so both show the same leads.
LIST_FRAME_BLOCKS = 3
LIST_BUDGET = MAX_MESSAGE_BLOCKS - LIST_FRAME_BLOCKS
# This many overdue focus leads or more get the 振り分け button on their section.
OVERDUE_GROUP_AT = 5
# Away reps listed in a manager's DM, and hot leads shown per away rep.
AWAY_REPS_SHOWN = 5
AWAY_LEADS_SHOWN = 6
# `/isops today <section>`: items with a menu, then compact text lines.
LIST_BUTTON_LINES = 30
COMPACT_CHUNK_CHARS = 2800

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
FIRST_TITLE = "今日まず"
OPEN_LIST = "一覧を開く"
SHOW_ALL = "すべて表示"
LIST_TITLE = "今日のリスト"
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


def _item(
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
        items = [_item(digest, key, x, inbound_reason(x, today)) for x in rep.inbound.items]
        return items, rep.inbound.total
    if key == "focus":
        # Overdue first: their date passed, so they come before today's.
        lines = [*rep.overdue.items, *rep.focus_due.items]
        items = [_item(digest, key, x, focus_reason(x, today)) for x in lines]
        return items, rep.overdue.total + rep.focus_due.total
    if key == "5c2m":
        return [
            _item(digest, key, x, five_c2m_reason(x)) for x in rep.five_c2m.items
        ], rep.five_c2m.total
    if key == "returned":
        return [_item(digest, key, x, returned_reason(x)) for x in rep.returned], len(rep.returned)
    return [
        _item(digest, key, x, hygiene_reason(x, today)) for x in rep.hygiene.items
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


def today_first(digest: MorningDigest) -> list[ListItem]:
    """今日まず: overdue inbound, inbound due today, overdue focus, focus due today, then 5C2M
    behind in the days after CV — at most FIRST_ITEMS."""
    rep, today = digest.rep, digest.business_date
    inbound = [_item(digest, "inbound", x, inbound_reason(x, today)) for x in rep.inbound.items]
    late = [
        item
        for item, line in zip(inbound, rep.inbound.items, strict=True)
        if line.inbound_deadline is not None and line.inbound_deadline < today
    ]
    due = [item for item in inbound if item not in late]
    focus = [
        _item(digest, "focus", x, focus_reason(x, today))
        for x in (*rep.overdue.items, *rep.focus_due.items)
    ]
    early = [
        _item(digest, "5c2m", x, five_c2m_reason(x)) for x in rep.five_c2m.items if x.early_behind
    ]
    return [*late, *due, *focus, *early][:FIRST_ITEMS]


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
    return truncate("\n".join(lines), MAX_SECTION_TEXT)


def build_item(item: ListItem, today: dt.date, *, block: str = ids.LIST_ITEM_BLOCK) -> Block:
    """A list item with its one-tap menu (⋯)."""
    return section(
        item_text(item, today),
        block_id=f"{block}:{item.lead_id}",
        accessory=build_quick_menu(item.lead_id, item.version),
    )


def build_first_item(item: ListItem) -> Block:
    """A 今日まず item of the morning DM: who, why, the phone — three short lines, and the
    case to talk from when there is one."""
    lines = [who(item.company, item.contact_name), item.reason, phone_link(item.phone)]
    if item.case is not None:
        lines.append(case_item_line(item.case))
    text = "\n".join(lines)
    return section(
        truncate(text, MAX_SECTION_TEXT),
        block_id=f"{ids.FIRST_ITEM_BLOCK}:{item.lead_id}",
        accessory=build_quick_menu(item.lead_id, item.version),
    )


def build_done_item(touch: DoneTouch) -> Block:
    """A 今日まず item once touched: ✅ with the time and the result; 取り消す while the
    one-tap log may be undone."""
    text = (
        f"{texts.DONE_MARK} {who(touch.company, touch.contact_name)}\n"
        f"{texts.jp_time(touch.local)} {texts.channel_outcome(touch.channel, touch.outcome.value)}"
        " を記録しました"
    )
    block = section(text, block_id=f"{ids.FIRST_ITEM_BLOCK}:{touch.lead_id}")
    if touch.undo_action_id is not None:
        block["accessory"] = build_undo_button(touch.undo_action_id)
    return block


def build_undo_button(action_id: int) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ids.UNDO_BUTTON,
        "text": plain("取り消す"),
        "value": str(action_id),
    }


def build_open_list_button(key: str | None, text: str) -> dict[str, Any]:
    return {
        "type": "button",
        "action_id": ids.LIST_OPEN_BUTTON,
        "text": plain(text),
        "value": key or "all",
    }


# -- assembling within the block budget ------------------------------------------------------------


@dataclass
class _Part:
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


def _fit(parts: list[_Part], budget: int) -> None:
    """Show up to each part's cap, then take lines back from the least urgent parts."""
    for part in parts:
        part.shown = min(len(part.lines), part.cap)
    while sum(p.size() for p in parts) > budget:
        # Keep one line per section as long as possible; the last sections give first.
        candidates = [p for p in parts if p.shown > 1] or [p for p in parts if p.shown > 0]
        if not candidates:
            raise ValueError("the fixed blocks alone exceed the message budget")
        candidates[-1].shown -= 1


def _show_all(key: str) -> Callable[[int], Block]:
    return lambda hidden: section(
        f"…他 {hidden} 件", accessory=build_open_list_button(key, SHOW_ALL)
    )


def _no_more(hidden: int) -> Block:
    """The note of a part without lines (fixed blocks only): never called."""
    raise AssertionError(f"{hidden} lines hidden in a part that has none")


def _heading(text: str) -> Block:
    return section(f"*{text}*")


def _section_heading(digest: MorningDigest, key: str, total: int) -> Block:
    """A section's title with its count; the focus section's carries the 振り分け button
    once enough of its dates have passed."""
    title = f"*{SECTION_TITLES[key]} {total} 件*"
    overdue = digest.rep.overdue
    if key == "focus" and overdue.total:
        title += f" (期限超過 {overdue.total})"
        if overdue.total >= OVERDUE_GROUP_AT:
            return section(title, accessory=build_reschedule_button(overdue, digest.business_date))
    return section(title)


def build_reschedule_button(overdue: LeadList, today: dt.date) -> dict[str, Any]:
    """Spreads the overdue focus leads' dates over business days from today (confirmed)."""
    per_day = overdue_per_day(overdue.total)
    return {
        "type": "button",
        "action_id": RESCHEDULE_OVERDUE_BUTTON,
        "text": plain("振り分ける"),
        "value": today.isoformat(),
        "confirm": {
            "title": plain("振り分けの確認"),
            "text": plain(
                f"期限超過 {overdue.total} 件の次回活動予定日を、今日から1日 {per_day} 件ずつ"
                "営業日に振り分けます (古い順)。"
            ),
            "confirm": plain("振り分ける"),
            "deny": plain("やめる"),
        },
    }


def _list_parts(digest: MorningDigest, caps: dict[str, int]) -> list[_Part]:
    today = digest.business_date
    parts: list[_Part] = []
    for key in SECTION_ORDER:
        items, total = section_items(digest, key)
        if not total:
            continue
        parts.append(
            _Part(
                key,
                # A rule between sections: a phone scans them as blocks, not one long list.
                [{"type": "divider"}, _section_heading(digest, key, total)],
                [build_item(item, today) for item in items],
                total,
                caps.get(key, len(items)),
                _show_all(key),
            )
        )
    return parts


def build_lead_list(
    digest: MorningDigest, *, budget: int = LIST_BUDGET, caps: dict[str, int] | None = None
) -> list[Block]:
    """The rep's sections with their items, within `budget` blocks (`/isops today`, Home)."""
    parts = _list_parts(digest, {**LIST_CAPS, **(caps or {})})
    _fit(parts, budget)
    return [b for part in parts for b in part.blocks()]


def listed_lead_ids(blocks: Sequence[Block]) -> list[int]:
    """The leads a list shows as items, in order (tests and the plain-text form)."""
    found = []
    for block in blocks:
        kind, _, lead_id = str(block.get("block_id", "")).partition(":")
        if kind in (ids.LIST_ITEM_BLOCK, ids.FIRST_ITEM_BLOCK) and lead_id.isdigit():
            found.append(int(lead_id))
    return found


# -- the manager's part of the morning DM (unchanged until the managers' issue) --------------------


def _manager_parts(manager: ManagerDigest) -> list[_Part]:
    # Issue 13: the manager's part is built by bot.blocks.manager_digest.
    parts = build_manager_parts(manager)
    return [_Part("team", parts.head, parts.lines, len(parts.lines), AWAY_REPS_SHOWN, parts.more)]


def _away_text(rep: AwayRep) -> str:
    today_lines: list[str] = []
    for line in rep.inbound.items:
        today_lines.append(
            f"• {texts.INBOUND_MARK} {who(line.company, line.contact_name)} (インバウンド未対応)"
        )
    for line in (*rep.focus_due.items, *rep.overdue.items):
        day = line.next_action_date
        when = f"次回 {jp_date(day)}" if day else ""
        today_lines.append(
            f"• {texts.NEXT_ACTION_MARK} {who(line.company, line.contact_name)} ({when})"
        )
    total = rep.inbound.total + rep.focus_due.total + rep.overdue.total
    shown = today_lines[:AWAY_LEADS_SHOWN]
    more = f"\n…他 {total - len(shown)} 件" if total > len(shown) else ""
    text = (
        f"{texts.AWAY_MARK} *{escape(rep.name)} さんは休暇中 (〜{jp_date(rep.until)})* — 急ぎの案件 {total} 件\n"
        + "\n".join(shown)
        + more
    )
    return truncate(text, MAX_SECTION_TEXT)


# -- the morning DM --------------------------------------------------------------------------------


def _summary(digest: MorningDigest) -> str:
    counts = [(SECTION_SHORT[key], n) for key, n in section_totals(digest).items()]
    if digest.manager is not None:
        counts.append((f"{texts.PENDING_MARK} {texts.PENDING_LABEL}", digest.manager.pending.count))
    counts.append((f"{texts.FS_UNRATED_MARK} FS 未評価", len(digest.fs_unrated)))
    listed = " · ".join(f"{label} {n} 件" for label, n in counts if n)
    return truncate(
        f"{jp_date(digest.business_date)} 今日のやること: {listed or 'なし'}", MAX_FALLBACK_TEXT
    )


def _header(day: dt.date, left: int | None = None, first: int = 0) -> Block:
    """`☀️ 12/2(水) 今日のやること`; once an item of 今日まず is done, what is left of it:
    `… 残り 3 件`, then `… 完了 🎉`."""
    text = f"{texts.MORNING_MARK} {jp_date(day, today=day)} 今日のやること"
    if left is not None and left < first:
        text += f" 残り {left} 件" if left else f" 完了 {texts.CELEBRATE_MARK}"
    return {"type": "header", "text": plain(text, 150)}


def _sections_line(digest: MorningDigest) -> Block | None:
    """One line per section with its count, and the button to the whole list."""
    totals = section_totals(digest)
    lines = []
    for key in SECTION_ORDER:
        if not totals[key]:
            continue
        line = f"{SECTION_SHORT[key]} *{totals[key]} 件*"
        if key == "focus" and digest.rep.overdue.total:
            line += f" (期限超過 {digest.rep.overdue.total} 件)"
        lines.append(line)
    if not lines:
        return None
    return section(
        "\n".join(lines),
        block_id="sections",
        accessory=build_open_list_button(None, OPEN_LIST),
    )


def build_morning_dm(digest: MorningDigest, *, max_blocks: int = MAX_MESSAGE_BLOCKS) -> Block:
    """The morning DM (`text` + `blocks`): the manager's part (as it was), then 今日まず
    with each item's phone and menu, then one line per section and 「一覧を開く」."""
    top: list[Block] = [_header(digest.business_date)]
    parts: list[_Part] = []
    if digest.manager is not None and not digest.manager.is_empty:
        parts += _manager_parts(digest.manager)
    if digest.fs_unrated:  # issue 12: FS 未評価, one section (its lines are capped inside)
        head = [section(unrated_text(digest.fs_unrated))]
        parts.append(_Part("fs_unrated", head, [], 0, 0, _no_more))
    first = today_first(digest)
    if first:
        parts.append(
            _Part(
                "first",
                [_heading(f"{FIRST_TITLE} ({len(first)} 件)")],
                [build_first_item(item) for item in first],
                len(first),
                FIRST_ITEMS,
                # Only when a manager's part fills the message: the rest is in the list.
                lambda hidden: context(f"…他 {hidden} 件は「{OPEN_LIST}」から"),
            )
        )
    overview = _sections_line(digest)
    if overview is not None:
        parts.append(_Part("sections", [{"type": "divider"}, overview], [], 0, 0, _no_more))
    footer = []
    if first or overview is not None:
        footer.append(f"{MENU_HINT}。Home タブの一覧は記録のたびに更新されます")
    if digest.rep.awaiting_review:
        footer.append(
            f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件は"
            "マネージャーの判断待ちのため外しています"
        )
    bottom = [context(*footer)] if footer else []
    _fit(parts, max_blocks - len(top) - len(bottom))
    blocks = top + [b for part in parts for b in part.blocks()] + bottom
    return {"text": _summary(digest), "blocks": blocks}


def first_lead_ids(digest: MorningDigest) -> tuple[int, ...]:
    """The leads the morning DM lists one by one (their touches update it in place)."""
    return tuple(item.lead_id for item in today_first(digest))


def build_morning_progress(progress: MorningProgress, business_date: dt.date) -> Block:
    """The delivered morning DM with its touched items marked done (✅ 13:28 📞 不在) and
    the header counting what is left of 今日まず; everything else as it was sent."""
    blocks: list[Block] = []
    for block in progress.message["blocks"]:
        kind, _, lead_id = str(block.get("block_id", "")).partition(":")
        if block.get("type") == "header":
            blocks.append(_header(business_date, progress.left, len(progress.first)))
        elif kind == ids.FIRST_ITEM_BLOCK and lead_id.isdigit() and int(lead_id) in progress.done:
            blocks.append(build_done_item(progress.done[int(lead_id)]))
        else:
            blocks.append(block)
    return {"text": str(progress.message["text"]), "blocks": blocks}


# -- /isops today, the list modal ------------------------------------------------------------------


def build_today(digest: MorningDigest) -> Block:
    """`/isops today`: the rep's list as of now, only for the caller (the same leads as Home)."""
    if digest.rep.is_empty:
        blocks: list[Block] = [section(NOTHING_TODAY)]
    else:
        blocks = [
            _heading(f"{texts.MORNING_MARK} {jp_date(digest.business_date)} 今日のリスト"),
            *build_lead_list(digest),
            context(MENU_HINT),
        ]
    if digest.rep.awaiting_review:
        blocks.append(
            context(
                f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件"
                " (マネージャーの判断待ち)"
            )
        )
    return {
        "text": _summary(digest),
        "blocks": blocks[:MAX_MESSAGE_BLOCKS],
        "response_type": "ephemeral",
    }


def build_list_modal(digest: MorningDigest, key: str | None) -> Block:
    """「一覧を開く」 / 「すべて表示」: the whole list, or one section in full, in a modal whose
    items have the same menu (a touch there marks the item in the modal too)."""
    today = digest.business_date
    header = context(f"{jp_date(today)} 時点 · {MENU_HINT}")
    budget = MAX_VIEW_BLOCKS - 1
    if key is None:
        parts = _list_parts(digest, {k: MAX_VIEW_BLOCKS for k in SECTION_ORDER})
        _fit(parts, budget)
        body = [b for part in parts for b in part.blocks()] or [section(NOTHING_TODAY)]
    else:
        items, total = section_items(digest, key)
        body = [_section_heading(digest, key, total)]
        shown = items[: budget - 2]
        body += [build_item(item, today) for item in shown]
        if total > len(shown):
            body.append(
                context(
                    f"…他 {total - len(shown)} 件 — 全件は `/isops today {key}` で"
                    " 1 行ずつ表示できます"
                )
            )
        if not items:
            body.append(section("該当するリードはありません"))
    return {
        "type": "modal",
        "callback_id": ids.LIST_VIEW,
        "title": plain(LIST_TITLE, 24),
        "close": plain(texts.CLOSE),
        "private_metadata": key or "",
        "blocks": [header, *body][:MAX_VIEW_BLOCKS],
    }


def section_key(word: str) -> str | None:
    """The section a `/isops today <word>` asks for (English key or Japanese alias)."""
    folded = word.strip().lower()
    for key, aliases in SECTION_KEYS.items():
        if folded == key or folded in (a.lower() for a in aliases):
            return key
    return None


def build_section_list(digest: MorningDigest, key: str) -> Block:
    """`/isops today <section>`: every lead of one section, the first ones as items with the
    menu, the rest as compact lines, all within one message's limits."""
    items, total = section_items(digest, key)
    today = digest.business_date
    title = f"{SECTION_TITLES[key]} {total} 件"
    blocks: list[Block] = [_heading(title)]
    if not items:
        blocks.append(section("該当するリードはありません"))
        return {"text": title, "blocks": blocks, "response_type": "ephemeral"}
    budget = MAX_MESSAGE_BLOCKS - 2  # the heading and a possible "他 N 件" note
    with_menu = items[: min(LIST_BUTTON_LINES, budget)]
    blocks += [build_item(item, today) for item in with_menu]
    shown = len(with_menu)
    chunk: list[str] = []
    for item in items[shown:]:
        entry = (
            f"• {who(item.company, item.contact_name)} · {item.reason.replace(chr(10), ' ')}"
            f" · {contacts(item.phone, None)}"
        )
        if chunk and len("\n".join([*chunk, entry])) > COMPACT_CHUNK_CHARS:
            if len(blocks) >= budget + 1:
                break
            blocks.append(section("\n".join(chunk)))
            shown += len(chunk)
            chunk = []
        chunk.append(entry)
    if chunk and len(blocks) < budget + 1:
        blocks.append(section("\n".join(chunk)))
        shown += len(chunk)
    if total > shown:
        blocks.append(
            context(
                f"…他 {total - shown} 件 (1 通に収まりません。上から対応すると次が表示されます)"
            )
        )
    return {"text": title, "blocks": blocks, "response_type": "ephemeral"}


def build_reschedule_result(result: RescheduleResult) -> Block:
    """The answer to the 振り分け button, shown only to the rep."""
    if result.moved == 0:
        text = "期限超過の注力リードはありません (すでに振り分け済みです)"
    else:
        assert result.first_date is not None and result.last_date is not None
        span = (
            jp_date(result.first_date)
            if result.first_date == result.last_date
            else f"{jp_date(result.first_date)}〜{jp_date(result.last_date)}"
        )
        text = (
            f"{texts.DONE_MARK} 期限超過 {result.moved} 件の次回活動予定日を {span} の営業日に"
            f"振り分けました (1日 {result.per_day} 件まで)"
        )
        if result.skipped:
            text += f"。{result.skipped} 件は同時に更新されていたためそのままです"
    return {"text": text, "response_type": "ephemeral", "replace_original": False}


# -- plain text (dry runs, the demo) ---------------------------------------------------------------

_LINK = re.compile(r"<(?:[^|>]+\|)?([^>]+)>")


def _unmrkdwn(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    return unescape(text)


def _accessory_text(accessory: Block | None) -> str:
    if not accessory:
        return ""
    if accessory.get("type") == "button":
        return f"  [{accessory['text']['text']}]"
    if accessory.get("type") == "overflow":
        return "  [⋯ 記録]"
    return ""


def render_text(message: Block) -> str:
    """A message as readable text: what Slack would show, without the markup."""
    out: list[str] = []
    for block in message.get("blocks") or []:
        kind = block.get("type")
        if kind == "header":
            out.append(f"■ {block['text']['text']}")
        elif kind == "section":
            text = _unmrkdwn(block.get("text", {}).get("text", ""))
            out.append(text + _accessory_text(block.get("accessory")))
        elif kind == "context":
            out.append("  " + " ".join(_unmrkdwn(e.get("text", "")) for e in block["elements"]))
        elif kind == "divider":
            out.append("─" * 20)
        elif kind == "actions":
            out.append(" ".join(f"[{e['text']['text']}]" for e in block.get("elements", [])))
    if not out:
        out.append(str(message.get("text", "")))
    return "\n".join(out)


def render_digests_text(messages: Sequence[tuple[str, Block | None]]) -> str:
    """Several members' messages as text, each under the member's name (None: no DM)."""
    chunks = []
    for name, message in messages:
        body = "(DM なし: 今日のやることはありません)" if message is None else render_text(message)
        chunks.append(f"=== {name} ===\n{body}")
    return "\n\n".join(chunks)
