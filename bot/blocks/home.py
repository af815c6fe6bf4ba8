"""App Home: the rep's live list — the morning DM's sections as of now, the same leads as
`/isops today`, each item with its phone, e-mail, last touch, memo and one-tap menu — with
the latest touch at the top (and its 取り消す), then what a rep can do.

Home is laid out in parts: the rep's list, then `extra_parts` that other features build (a
manager's team view, issue 13), then the help. Each part is a list of blocks; the rep's list
keeps the block budget of `/isops today`, so both always show the same leads, and the extra
parts share what is left of Slack's 100.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bot import texts
from bot.blocks.lead_lines import who
from bot.blocks.lead_list import (
    LIST_BUDGET,
    MENU_HINT,
    NOTHING_TODAY,
    build_lead_list,
    build_undo_button,
)
from bot.blocks.mrkdwn import MAX_VIEW_BLOCKS, context, plain, section
from bot.texts import jp_date
from isops.services.home import HomeContent
from isops.services.morning_progress import DoneTouch

Block = dict[str, Any]

HOME_TITLE = "isops 活動環境"


def build_recent_touch(touch: DoneTouch) -> Block:
    """`✅ 13:28 株式会社A 山田 様 に 📞 不在 を記録しました [取り消す]`."""
    text = (
        f"{texts.DONE_MARK} {texts.jp_time(touch.local)} {who(touch.company, touch.contact_name)}"
        f" に {texts.channel_outcome(touch.channel, touch.outcome.value)} を記録しました"
    )
    block = section(text, block_id="recent_touch")
    if touch.undo_action_id is not None:
        block["accessory"] = build_undo_button(touch.undo_action_id)
    return block


def build_help() -> list[Block]:
    """What a rep can do, in the order of their day."""
    lines = [f"`{usage}` — {summary}" for usage, summary in texts.SLASH_COMMANDS_HELP]
    lines.append("`/isops help` — そのほかのコマンド")
    return [section("*できること*\n" + "\n".join(lines))]


def build_home(content: HomeContent, *, extra_parts: Sequence[Sequence[Block]] = ()) -> Block:
    """The Home view of one member (`extra_parts`: other features' parts, after the list)."""
    digest = content.digest
    if digest is None:
        blocks: list[Block] = [
            {"type": "header", "text": plain(HOME_TITLE, 150)},
            *build_help(),
            context(content.refusal or texts.NOT_REGISTERED),
        ]
        return {"type": "home", "blocks": blocks}
    blocks = [
        {
            "type": "header",
            "text": plain(
                f"{texts.MORNING_MARK} {jp_date(digest.business_date)} 今日のリスト", 150
            ),
        }
    ]
    if content.recent is not None:
        blocks.append(build_recent_touch(content.recent))
    if digest.rep.is_empty:
        blocks.append(section(NOTHING_TODAY))
    else:
        blocks += build_lead_list(digest, budget=LIST_BUDGET)
        blocks.append(context(MENU_HINT))
    if digest.rep.awaiting_review:
        blocks.append(
            context(
                f"{texts.PENDING_MARK} {texts.PENDING_LABEL} {digest.rep.awaiting_review} 件"
                " (マネージャーの判断待ちのため外しています)"
            )
        )
    view = {"type": "home", "blocks": [*blocks, *_help_part()]}
    return with_extra_parts(view, extra_parts) if extra_parts else view


def _help_part() -> list[Block]:
    return [{"type": "divider"}, *build_help()]


def with_extra_parts(view: Block, extra_parts: Sequence[Sequence[Block]]) -> Block:
    """A member's Home (`build_home`) with other features' parts between the list and the
    help, as many whole parts as Slack's 100 blocks hold (the list is not built again)."""
    size = len(_help_part())
    blocks, help_blocks = view["blocks"][:-size], view["blocks"][-size:]
    room = MAX_VIEW_BLOCKS - len(view["blocks"])
    for part in extra_parts:
        if len(part) > room:
            break
        blocks += part
        room -= len(part)
    return {**view, "blocks": [*blocks, *help_blocks]}
