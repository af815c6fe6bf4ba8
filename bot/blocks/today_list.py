"""`/isops today`, its sections one by one (`/isops today <section>`), the list modal
(「一覧を開く」 / 「すべて表示」) and the answer to 振り分ける: the rep's list as of now, only
for the rep. Pure builders; the items and their budget are bot.blocks.lead_list's.
"""

from __future__ import annotations

from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.lead_lines import (
    contacts,
    who,
)
from bot.blocks.lead_list import (
    MENU_HINT,
    NOTHING_TODAY,
    SECTION_KEYS,
    SECTION_ORDER,
    SECTION_TITLES,
    build_item,
    build_lead_list,
    digest_summary,
    fit_parts,
    heading,
    list_parts,
    section_heading,
    section_items,
)
from bot.texts import jp_date
from isops.services.reminders import (
    MorningDigest,
)
from isops.services.reschedule import RescheduleResult

Block = dict[str, Any]

LIST_TITLE = "今日のリスト"
# `/isops today <section>`: items with a menu, then compact text lines.
LIST_BUTTON_LINES = 30
COMPACT_CHUNK_CHARS = 2800


# -- /isops today, the list modal ------------------------------------------------------------------


def build_today(digest: MorningDigest) -> Block:
    """`/isops today`: the rep's list as of now, only for the caller (the same leads as Home)."""
    if digest.rep.is_empty:
        blocks: list[Block] = [mrkdwn.section(NOTHING_TODAY)]
    else:
        blocks = [
            heading(f"{texts.MORNING_MARK} {jp_date(digest.business_date)} 今日のリスト"),
            *build_lead_list(digest),
            mrkdwn.context(MENU_HINT),
        ]
    if digest.rep.awaiting_review:
        blocks.append(
            mrkdwn.context(
                f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件"
                " (マネージャーの判断待ち)"
            )
        )
    return {
        "text": digest_summary(digest),
        "blocks": blocks[: mrkdwn.MAX_MESSAGE_BLOCKS],
        "response_type": "ephemeral",
    }


def build_list_modal(digest: MorningDigest, key: str | None) -> Block:
    """「一覧を開く」 / 「すべて表示」: the whole list, or one section in full, in a modal whose
    items have the same menu (a touch there marks the item in the modal too)."""
    today = digest.business_date
    header = mrkdwn.context(f"{jp_date(today)} 時点 · {MENU_HINT}")
    budget = mrkdwn.MAX_VIEW_BLOCKS - 1
    if key is None:
        parts = list_parts(digest, {k: mrkdwn.MAX_VIEW_BLOCKS for k in SECTION_ORDER})
        fit_parts(parts, budget)
        body = [b for part in parts for b in part.blocks()] or [mrkdwn.section(NOTHING_TODAY)]
    else:
        items, total = section_items(digest, key)
        body = [section_heading(digest, key, total)]
        shown = items[: budget - 2]
        body += [build_item(item, today) for item in shown]
        if total > len(shown):
            body.append(
                mrkdwn.context(
                    f"…他 {total - len(shown)} 件 — 全件は `/isops today {key}` で"
                    " 1 行ずつ表示できます"
                )
            )
        if not items:
            body.append(mrkdwn.section("該当するリードはありません"))
    return {
        "type": "modal",
        "callback_id": ids.LIST_VIEW,
        "title": mrkdwn.plain(LIST_TITLE, 24),
        "close": mrkdwn.plain(texts.CLOSE),
        "private_metadata": key or "",
        "blocks": [header, *body][: mrkdwn.MAX_VIEW_BLOCKS],
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
    blocks: list[Block] = [heading(title)]
    if not items:
        blocks.append(mrkdwn.section("該当するリードはありません"))
        return {"text": title, "blocks": blocks, "response_type": "ephemeral"}
    budget = mrkdwn.MAX_MESSAGE_BLOCKS - 2  # the heading and a possible "他 N 件" note
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
            blocks.append(mrkdwn.section("\n".join(chunk)))
            shown += len(chunk)
            chunk = []
        chunk.append(entry)
    if chunk and len(blocks) < budget + 1:
        blocks.append(mrkdwn.section("\n".join(chunk)))
        shown += len(chunk)
    if total > shown:
        blocks.append(
            mrkdwn.context(
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
