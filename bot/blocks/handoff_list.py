"""`/isops handoffs` (issue 12) and the FS 未評価 lines of a manager's morning DM. Pure
builders; user text is escaped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot import texts
from bot.blocks import mrkdwn
from bot.blocks.handoff_messages import (
    MODE_ICONS,
    VERDICT_ICONS,
    lead_title,
    verdict_buttons,
    when,
)
from bot.texts import jp_date
from isops.enums import HandoffVerdict, Role
from isops.services.handoff_details import HandoffDetail
from isops.services.handoff_reports import HandoffListing, UnratedHandoff
from isops.services.handoff_schedule import MAX_REQUESTS

HEADERS = {
    Role.FS: "*あなたの商談* — 評価待ち {owed} 件 ・ 予定 {upcoming} 件",
    Role.REP: "*あなたの引き継ぎ* ({total} 件、評価待ちが先)",
    Role.MANAGER: "*チームの引き継ぎ* ({total} 件、評価待ちが先)",
    Role.ADMIN: "*すべての引き継ぎ* ({total} 件、評価待ちが先)",
}
EMPTY = {
    Role.FS: "評価待ちの商談も、予定の商談もありません。",
    Role.REP: "FS への引き継ぎはまだありません。ステータス 5 (商談化) を記録すると引き継ぎます。",
    Role.MANAGER: "チームの引き継ぎはまだありません。",
    Role.ADMIN: "引き継ぎはまだありません。",
}
UNRATED_SHOWN = 8


def status_text(detail: HandoffDetail, now: dt.datetime, tz: dt.tzinfo) -> str:
    """Where a hand-off stands, in a few words."""
    if detail.verdict is not None:
        label = detail.verdict.label
        if detail.verdict is HandoffVerdict.INVALID and detail.invalid_reason:
            label += f" ({mrkdwn.escape(detail.invalid_reason)})"
        return f"{VERDICT_ICONS[detail.verdict]} {label}"
    if detail.verdict_due_at <= now:
        asked = (
            f"、依頼 {detail.verdict_requests}/{MAX_REQUESTS} 回" if detail.verdict_requests else ""
        )
        return f"{texts.PENDING_MARK} 評価待ち ({when(detail.verdict_due_at, tz)} から{asked})"
    if detail.acknowledged_at is None:
        return f"{texts.SENT_TO_MARK} FS の受け取り待ち"
    return f"{texts.MEETING_MARK} 商談予定 (FS 受け取り済み)"


def _item_text(detail: HandoffDetail, now: dt.datetime, tz: dt.tzinfo) -> str:
    mode = MODE_ICONS[detail.meeting_mode]
    text = (
        f"{lead_title(detail)}\n{texts.NEXT_ACTION_MARK} {when(detail.meeting_at, tz)} {mode}"
        f" ・ IS {mrkdwn.escape(detail.rep.name)} → FS {mrkdwn.escape(detail.fs.name)}"
        f"\n{status_text(detail, now, tz)}"
    )
    if detail.case is not None:
        text += f"\n{texts.CASE_HINT_MARK} {mrkdwn.escape(detail.case.title)}"
    return mrkdwn.truncate(text, mrkdwn.MAX_SECTION_TEXT)


def build_handoff_list(listing: HandoffListing, *, tz: dt.tzinfo) -> dict[str, Any]:
    """The caller's hand-offs (ephemeral): an FS sees the verdicts they owe with the buttons,
    then upcoming meetings; a rep theirs; a manager the team's; an admin everyone's, with
    the buttons on every open one and a change on decided ones."""
    role = listing.role if listing.role in HEADERS else Role.REP
    if not listing.items:
        text = EMPTY[role]
        return {"response_type": "ephemeral", "text": text, "blocks": [mrkdwn.section(text)]}
    header = HEADERS[role].format(
        total=listing.total, owed=len(listing.owed()), upcoming=len(listing.upcoming())
    )
    blocks: list[dict[str, Any]] = [mrkdwn.section(header)]
    for detail in listing.items:
        if len(blocks) + 3 > mrkdwn.MAX_MESSAGE_BLOCKS - 1:
            break
        blocks.append(mrkdwn.section(_item_text(detail, listing.now, tz)))
        due = detail.verdict is None and detail.verdict_due_at <= listing.now
        if role in (Role.FS, Role.ADMIN) and due:
            blocks.append(verdict_buttons(detail))
        elif (
            role is Role.ADMIN
            and detail.verdict is not None
            and detail.verdict is not HandoffVerdict.RETURNED
        ):
            blocks.append(verdict_buttons(detail, change=True))
            blocks.append(mrkdwn.context("管理者は評価を変更できます (履歴に残ります)"))
        blocks.append({"type": "divider"})
    blocks.pop()  # no divider after the last one
    more = listing.total - len(listing.items)
    if more > 0:
        blocks.append(mrkdwn.context(f"ほかに {more} 件あります (CSV: `isops handoffs export`)"))
    return {"response_type": "ephemeral", "text": header.replace("*", ""), "blocks": blocks}


def unrated_text(items: Sequence[UnratedHandoff]) -> str:
    """The manager's morning DM: meetings the FS did not rate after three requests."""
    lines = [
        f"{texts.FS_UNRATED_MARK} *FS 未評価 {len(items)} 件* (3 回お願いしても有効商談かの評価がない商談)"
    ]
    for item in items[:UNRATED_SHOWN]:
        who = mrkdwn.escape(item.company)
        if item.contact_name:
            who += f" {mrkdwn.escape(item.contact_name)} 様"
        lines.append(
            f"• *{who}* — {jp_date(item.meeting_date)} の商談、FS {mrkdwn.escape(item.fs_name)} さん"
            f" (IS {mrkdwn.escape(item.rep_name)} さん)"
        )
    if len(items) > UNRATED_SHOWN:
        lines.append(f"…他 {len(items) - UNRATED_SHOWN} 件 — `/isops handoffs` で表示")
    return mrkdwn.truncate("\n".join(lines), mrkdwn.MAX_SECTION_TEXT)
