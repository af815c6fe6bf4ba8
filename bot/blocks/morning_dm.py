"""The morning DM: fits a phone.

今日まず — the most urgent items (at most FIRST_ITEMS: overdue inbound, inbound due today,
overdue focus, focus due today, then 5C2M behind in the 7 days after CV), each with its phone
number — then one line per section with its count and 「一覧を開く」 (the whole list in a
modal; App Home has it too). No primary button: the morning's first actions are the phone
links and the menus, not a button at the bottom. After a touch its items are marked done in
place (`build_morning_progress`). A manager's part (bot.blocks.manager_digest) and FS 未評価
come first. Pure builders from `isops.services.reminders` values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import case_item_line
from bot.blocks.handoff_list import unrated_text
from bot.blocks.lead_lines import (
    build_quick_menu,
    five_c2m_reason,
    focus_reason,
    inbound_reason,
    phone_link,
    who,
)
from bot.blocks.lead_list import (
    MENU_HINT,
    SECTION_ORDER,
    SECTION_SHORT,
    ListItem,
    Part,
    build_open_list_button,
    build_undo_button,
    digest_summary,
    fit_parts,
    heading,
    list_item,
    no_more,
    section_totals,
)
from bot.blocks.manager_digest import build_manager_parts
from bot.texts import jp_date
from isops.services.morning_progress import DoneTouch, MorningProgress
from isops.services.reminders import (
    ManagerDigest,
    MorningDigest,
)

Block = dict[str, Any]


# The morning DM lists at most this many items one by one (今日まず).
FIRST_ITEMS = 5
FIRST_TITLE = "今日まず"
OPEN_LIST = "一覧を開く"
# Away reps listed in a manager's part.
AWAY_REPS_SHOWN = 5


def today_first(digest: MorningDigest) -> list[ListItem]:
    """今日まず: overdue inbound, inbound due today, overdue focus, focus due today, then 5C2M
    behind in the days after CV — at most FIRST_ITEMS."""
    rep, today = digest.rep, digest.business_date
    inbound = [list_item(digest, "inbound", x, inbound_reason(x, today)) for x in rep.inbound.items]
    late = [
        item
        for item, line in zip(inbound, rep.inbound.items, strict=True)
        if line.inbound_deadline is not None and line.inbound_deadline < today
    ]
    due = [item for item in inbound if item not in late]
    focus = [
        list_item(digest, "focus", x, focus_reason(x, today))
        for x in (*rep.overdue.items, *rep.focus_due.items)
    ]
    early = [
        list_item(digest, "5c2m", x, five_c2m_reason(x))
        for x in rep.five_c2m.items
        if x.early_behind
    ]
    return [*late, *due, *focus, *early][:FIRST_ITEMS]


def build_first_item(item: ListItem) -> Block:
    """A 今日まず item of the morning DM: who, why, the phone — three short lines, and the
    case to talk from when there is one."""
    lines = [who(item.company, item.contact_name), item.reason, phone_link(item.phone)]
    if item.case is not None:
        lines.append(case_item_line(item.case))
    text = "\n".join(lines)
    return mrkdwn.section(
        mrkdwn.truncate(text, mrkdwn.MAX_SECTION_TEXT),
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
    block = mrkdwn.section(text, block_id=f"{ids.FIRST_ITEM_BLOCK}:{touch.lead_id}")
    if touch.undo_action_id is not None:
        block["accessory"] = build_undo_button(touch.undo_action_id)
    return block


# -- the manager's part of the morning DM (unchanged until the managers' issue) --------------------


def _manager_parts(manager: ManagerDigest) -> list[Part]:
    # Issue 13: the manager's part is built by bot.blocks.manager_digest.
    parts = build_manager_parts(manager)
    return [Part("team", parts.head, parts.lines, len(parts.lines), AWAY_REPS_SHOWN, parts.more)]


# -- the morning DM --------------------------------------------------------------------------------


def _header(day: dt.date, left: int | None = None, first: int = 0) -> Block:
    """`☀️ 12/2(水) 今日のやること`; once an item of 今日まず is done, what is left of it:
    `… 残り 3 件`, then `… 完了 🎉`."""
    text = f"{texts.MORNING_MARK} {jp_date(day, today=day)} 今日のやること"
    if left is not None and left < first:
        text += f" 残り {left} 件" if left else f" 完了 {texts.CELEBRATE_MARK}"
    return {"type": "header", "text": mrkdwn.plain(text, 150)}


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
    return mrkdwn.section(
        "\n".join(lines),
        block_id="sections",
        accessory=build_open_list_button(None, OPEN_LIST),
    )


def build_morning_dm(
    digest: MorningDigest, *, max_blocks: int = mrkdwn.MAX_MESSAGE_BLOCKS
) -> Block:
    """The morning DM (`text` + `blocks`): the manager's part (as it was), then 今日まず
    with each item's phone and menu, then one line per section and 「一覧を開く」."""
    top: list[Block] = [_header(digest.business_date)]
    parts: list[Part] = []
    if digest.manager is not None and not digest.manager.is_empty:
        parts += _manager_parts(digest.manager)
    if digest.fs_unrated:  # issue 12: FS 未評価, one section (its lines are capped inside)
        head = [mrkdwn.section(unrated_text(digest.fs_unrated))]
        parts.append(Part("fs_unrated", head, [], 0, 0, no_more))
    first = today_first(digest)
    if first:
        parts.append(
            Part(
                "first",
                [heading(f"{FIRST_TITLE} ({len(first)} 件)")],
                [build_first_item(item) for item in first],
                len(first),
                FIRST_ITEMS,
                # Only when a manager's part fills the message: the rest is in the list.
                lambda hidden: mrkdwn.context(f"…他 {hidden} 件は「{OPEN_LIST}」から"),
            )
        )
    overview = _sections_line(digest)
    if overview is not None:
        parts.append(Part("sections", [{"type": "divider"}, overview], [], 0, 0, no_more))
    footer = []
    if first or overview is not None:
        footer.append(f"{MENU_HINT}。Home タブの一覧は記録のたびに更新されます")
    if digest.rep.awaiting_review:
        footer.append(
            f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件は"
            "マネージャーの判断待ちのため外しています"
        )
    bottom = [mrkdwn.context(*footer)] if footer else []
    fit_parts(parts, max_blocks - len(top) - len(bottom))
    blocks = top + [b for part in parts for b in part.blocks()] + bottom
    return {"text": digest_summary(digest), "blocks": blocks}


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
