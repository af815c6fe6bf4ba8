"""The weekly habit scorecard's DMs (issue 13 point 2) and a rep's one-line scorecard.

Pure builders from `isops.services.scorecard` cards (their figures: `scorecard_values`).
Rates show as percentages with their change in points against the previous week (▲▼→), counts
as numbers with their change. The manager's DM has one block per rep; a rep's DM their figures
beside the team median (◆) and one sentence naming the habit furthest below it. The chart
follows as a file (bot.charts).
"""

from __future__ import annotations

from typing import Any

from bot import texts
from bot.blocks import mrkdwn
from isops.services.scorecard import ManagerScorecard, RepRow, RepScorecard
from isops.services.scorecard_values import (
    COUNT,
    FIGURES,
    RATE_FIGURES,
    SPECS,
    FigureValue,
    Habit,
)
from isops.services.scorecard_weeks import Week

Block = dict[str, Any]

RATE_KEYS = RATE_FIGURES
COUNT_KEYS = (
    "focus_undated",
    "decisions",
    "returned",
    "meetings",
    "valid",
    "valid_rate",
    "fs_unrated",
)
# Short labels for the per-rep lines (a phone shows about 30 characters a line).
SHORT = {
    "same_day": "当日",
    "five_c2m": "5C2M",
    "early": "7日5",
    "both_channels": "両方",
    "focus_undated": "注力日付なし",
    "decisions": "4/6",
    "returned": "差戻",
    "meetings": "アポ",
    "valid": "有効",
    "valid_rate": "有効率",
    "fs_unrated": "FS未評価",
}
DEFINITIONS = (
    "当日: インバウンドを期限日内に初回対応 · 5C2M: 未接続リードが CV から14日で架電5・メール2"
    " · 7日5: CV から7日で5アクション · 両方: 架電とメールの両方で接触 (定義は README)"
)
REPS_PER_BLOCK_WHEN_LONG = 4


def week_span(week: Week) -> str:
    """`11/23(月)〜11/29(日)`."""
    return f"{texts.jp_date(week.monday)}〜{texts.jp_date(week.sunday)}"


def value_text(key: str, value: float | None) -> str:
    if value is None:
        return texts.EMPTY_FIELD
    if SPECS[key].kind == COUNT:
        return f"{value:.0f}"
    return f"{value * 100:.0f}%"


def change_text(key: str, change: float | None) -> str:
    """`▲5pt` / `▼1` / `→` against the previous week ("" when there is nothing to compare)."""
    if change is None:
        return ""
    rate = SPECS[key].kind != COUNT
    amount = round(change * 100) if rate else round(change)
    if amount == 0:
        return texts.FLAT_MARK
    mark = texts.UP_MARK if amount > 0 else texts.DOWN_MARK
    return f"{mark}{abs(amount)}{'pt' if rate else ''}"


def figure_text(value: FigureValue, *, short: bool = False) -> str:
    label = SHORT[value.key] if short else texts.SCORECARD_LABELS[value.key]
    text = f"{label} {value_text(value.key, value.value)}"
    # Nothing both weeks (0 → 0) needs no arrow: the row stays quiet where nothing happened.
    quiet = not value.value and not value.previous
    change = "" if quiet else change_text(value.key, value.change)
    return f"{text} {change}" if change else text


def _rep_lines(row: RepRow) -> str:
    name = f"*{mrkdwn.escape(row.name)}*"
    if row.away:
        return f"{name} {texts.AWAY_MARK} {texts.AWAY_WEEK}"
    values = row.values
    rates = " · ".join(figure_text(values[k], short=True) for k in RATE_KEYS)
    counts = " · ".join(figure_text(values[k], short=True) for k in COUNT_KEYS)
    return f"{name}\n{rates}\n{counts}"


def _team_line(card: ManagerScorecard) -> str:
    present = sum(1 for r in card.rows if not r.away)
    rates = " · ".join(figure_text(card.team[k]) for k in RATE_KEYS)
    counts = " · ".join(
        figure_text(card.team[k]) for k in ("meetings", "valid", "valid_rate", "fs_unrated")
    )
    return f"*チーム全体* ({present} 名)\n{rates}\n{counts}"


def _heading(week: Week, who: str) -> Block:
    return {
        "type": "header",
        "text": mrkdwn.plain(f"{texts.SCORECARD_MARK} 習慣スコア {week_span(week)} {who}", 150),
    }


def build_manager_scorecard(card: ManagerScorecard) -> dict[str, Any]:
    """The manager's weekly DM: the team's figures, then one block per rep (away reps shown
    as such), each figure with its change against the previous week."""
    blocks: list[Block] = [
        _heading(card.week, "チーム"),
        mrkdwn.section(_team_line(card)),
        {"type": "divider"},
    ]
    lines = [_rep_lines(row) for row in card.rows]
    room = mrkdwn.MAX_MESSAGE_BLOCKS - len(blocks) - 2
    per_block = 1 if len(lines) <= room else REPS_PER_BLOCK_WHEN_LONG
    for start in range(0, len(lines), per_block):
        blocks.append(
            mrkdwn.section(
                mrkdwn.truncate(
                    "\n\n".join(lines[start : start + per_block]), mrkdwn.MAX_SECTION_TEXT
                )
            )
        )
    blocks = blocks[: mrkdwn.MAX_MESSAGE_BLOCKS - 1]
    blocks.append(
        mrkdwn.context(
            f"{texts.UP_MARK}{texts.DOWN_MARK} は前週との差 (率はポイント)。{DEFINITIONS}。"
            f"リードの一覧: `/isops report a` 〜 `e`"
        )
    )
    text = f"{texts.SCORECARD_MARK} 習慣スコア {week_span(card.week)}: " + " · ".join(
        figure_text(card.team[k]) for k in RATE_KEYS
    )
    return {"text": mrkdwn.truncate(text, mrkdwn.MAX_FALLBACK_TEXT), "blocks": blocks}


def habit_sentence(habit: Habit | None) -> str:
    """The one habit to work on, in one sentence."""
    if habit is None:
        return (
            f"{texts.HABIT_MARK} 今週はチームの中央値を下回っている習慣はありません。"
            "この調子で続けましょう。"
        )
    label = texts.SCORECARD_LABELS[habit.key]
    return (
        f"{texts.HABIT_MARK} 今週の習慣: *{label}* — あなたは {value_text(habit.key, habit.value)}、"
        f"チームの中央値は {value_text(habit.key, habit.median)} です。"
        f"{texts.SCORECARD_HABIT_TIPS[habit.key]}。"
    )


def _own_field(card: RepScorecard, key: str) -> Block:
    value = card.own.values[key]
    median = card.medians.get(key)
    change = change_text(key, value.change)
    text = f"*{texts.SCORECARD_LABELS[key]}*\n{value_text(key, value.value)}"
    if change:
        text += f" {change}"
    if SPECS[key].habit or key == "valid_rate":
        text += f"  {texts.MEDIAN_MARK} {value_text(key, median)}"
    return {"type": "mrkdwn", "text": text}


def build_rep_scorecard(card: RepScorecard) -> dict[str, Any]:
    """A rep's weekly DM: the habit sentence, their figures (◆ the team median), the chart."""
    keys = [spec.key for spec in FIGURES]
    blocks: list[Block] = [
        _heading(card.week, f"{mrkdwn.escape(card.name)} さん"),
        mrkdwn.section(habit_sentence(card.habit)),
        mrkdwn.section("*習慣*", fields=[_own_field(card, k) for k in keys[:4]]),
        mrkdwn.section("*結果と整備*", fields=[_own_field(card, k) for k in keys[4:]][:10]),
        mrkdwn.context(
            f"{texts.MEDIAN_MARK} はチーム ({card.team_size} 名) の中央値、"
            f"{texts.UP_MARK}{texts.DOWN_MARK} は前週との差 (率はポイント)。{DEFINITIONS}"
        ),
    ]
    return {
        "text": mrkdwn.truncate(
            habit_sentence(card.habit).replace("*", ""), mrkdwn.MAX_FALLBACK_TEXT
        ),
        "blocks": blocks,
    }


def build_scorecard_line(row: RepRow, medians: dict[str, float | None]) -> str:
    """One line for a rep's App Home: this week's habits so far, ◆ the team median."""
    if row.away:
        return f"{texts.SCORECARD_MARK} {texts.AWAY_MARK} {texts.AWAY_WEEK}"
    parts = [
        f"{SHORT[k]} {value_text(k, row.values[k].value)}"
        f" {texts.MEDIAN_MARK}{value_text(k, medians.get(k))}"
        for k in RATE_KEYS
    ]
    return f"{texts.SCORECARD_MARK} 今週: " + " · ".join(parts)
