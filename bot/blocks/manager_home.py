"""App Home for managers and reps (issue 13 point 4): a manager sees the per-rep table (as in
the morning DM), this week's scorecard figures so far, the reviews they may decide with their
buttons (bot.blocks.review's builders), and the five reports; a rep their scorecard line.

The Home tab holds at most 100 blocks: these builders take a `budget` and stay within it,
cutting the reviews first (「他 N 件」 points to `/isops reviews`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import ids, texts
from bot.blocks.manager_digest import rep_table
from bot.blocks.mrkdwn import MAX_VIEW_BLOCKS, context, plain, section
from bot.blocks.report import REPORT_TITLES
from bot.blocks.review import build_review_list
from bot.blocks.scorecard import RATE_KEYS, build_scorecard_line, figure_text, week_span
from isops.services.scorecard_home import HomeOverview

Block = dict[str, Any]

REVIEW_BLOCKS_EACH = 3  # a review in the list: its section, its buttons, a divider


def report_buttons() -> list[Block]:
    """The five reports, each a button answered in the bot's DM."""
    return [
        section(
            f"*{texts.REPORT_MARK} レポート*  (押すと DM に届きます。`/isops report a` 〜 `e` でも)"
        ),
        {
            "type": "actions",
            "block_id": ids.HOME_REPORT_BUTTON,
            "elements": [
                {
                    "type": "button",
                    "action_id": f"{ids.HOME_REPORT_BUTTON}:{key}",
                    "text": plain(title.split(" (")[0][:75]),
                    "value": key,
                }
                for key, title in REPORT_TITLES.items()
            ],
        },
    ]


def _scorecard_blocks(overview: HomeOverview) -> list[Block]:
    card = overview.team_card
    if card is None:
        return []
    lines = [
        f"*{row.name}* — "
        + (
            texts.AWAY_WEEK
            if row.away
            else " · ".join(figure_text(row.values[k], short=True) for k in RATE_KEYS)
        )
        for row in card.rows
    ]
    team = " · ".join(figure_text(card.team[k]) for k in RATE_KEYS)
    return [
        section(
            f"*{texts.SCORECARD_MARK} 今週の習慣スコア ({week_span(overview.week)}、途中経過)*\n{team}"
        ),
        section("\n".join(lines)[:2900]) if lines else context("担当者がいません"),
    ]


def build_manager_home_blocks(
    overview: HomeOverview, *, tz: dt.tzinfo, reapproach_months: int, budget: int = MAX_VIEW_BLOCKS
) -> list[Block]:
    """A manager's (or admin's) part of Home, at most `budget` blocks."""
    head: list[Block] = [{"type": "divider"}, section(f"*{texts.TEAM_MARK} チームの今日*")]
    head += rep_table(overview.reps) or [context("担当者がいません")]
    head += _scorecard_blocks(overview)
    tail = [{"type": "divider"}, *report_buttons()]
    reviews: list[Block] = []
    if overview.pending is not None:
        listing = build_review_list(overview.pending, tz=tz, reapproach_months=reapproach_months)[
            "blocks"
        ]
        room = budget - len(head) - len(tail) - 2
        if len(listing) > room:
            keep = max(0, (room - 2) // REVIEW_BLOCKS_EACH) * REVIEW_BLOCKS_EACH
            listing = [
                *listing[: 1 + keep],
                context("ほかの承認待ちは `/isops reviews` で表示します"),
            ]
        reviews = [{"type": "divider"}, *listing]
    blocks = [*head, *reviews, *tail]
    return blocks[:budget]


def build_rep_home_blocks(overview: HomeOverview) -> list[Block]:
    """A rep's scorecard line (this week so far, ◆ the team median) and the report buttons."""
    card = overview.own_card
    blocks: list[Block] = [{"type": "divider"}]
    if card is not None:
        blocks.append(section(build_scorecard_line(card.own, card.medians)))
        blocks.append(
            context(f"{texts.MEDIAN_MARK} はチームの中央値 ({week_span(overview.week)}、途中経過)")
        )
    return [*blocks, *report_buttons()]


def build_home_extra_blocks(
    overview: HomeOverview | None, *, tz: dt.tzinfo, reapproach_months: int, budget: int
) -> list[Block]:
    """What issue 13 adds to Home for this member (nothing for FS or the unregistered)."""
    if overview is None or (
        overview.own_card is None and overview.team_card is None and not overview.reps
    ):
        return []
    if overview.own_card is not None:
        return build_rep_home_blocks(overview)[:budget]
    return build_manager_home_blocks(
        overview, tz=tz, reapproach_months=reapproach_months, budget=budget
    )
