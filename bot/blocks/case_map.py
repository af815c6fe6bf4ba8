"""`/case map`: the product's value map — each problem (課題) with the features and benefits
that answer it across all active cases, and how many cases say so. Within Slack's limits:
at most 50 blocks, the problems with the most cases first, the rest as 「他 N 件」."""

from __future__ import annotations

from typing import Any

from bot.blocks import mrkdwn
from isops.services.cases_search import ValueMap, ValueMapEntry

HEADER = "バリューマップ: 課題 → 機能 → 便益"
EMPTY = "まだ事例がありません。`/case add` で登録すると、ここに課題ごとの機能と便益がまとまります。"
ROUTES_SHOWN = 8
# header + intro + footer, and one section per problem.
MAX_PROBLEMS = mrkdwn.MAX_MESSAGE_BLOCKS - 4


def _entry_text(entry: ValueMapEntry) -> str:
    lines = [f"*{mrkdwn.escape(entry.problem)}* — {entry.cases} 件"]
    for route in entry.routes[:ROUTES_SHOWN]:
        feature = mrkdwn.escape(route.feature) if route.feature else "—"
        benefit = f"*{mrkdwn.escape(route.benefit)}*" if route.benefit else "—"
        lines.append(f"　→ {feature} → {benefit} ({route.cases})")
    if len(entry.routes) > ROUTES_SHOWN:
        lines.append(f"　他 {len(entry.routes) - ROUTES_SHOWN} 件")
    return mrkdwn.truncate("\n".join(lines), mrkdwn.MAX_SECTION_TEXT)


def build_value_map(value_map: ValueMap) -> dict[str, Any]:
    """The ephemeral answer to `/case map`."""
    if not value_map.entries:
        return {"response_type": "ephemeral", "text": EMPTY, "blocks": [mrkdwn.section(EMPTY)]}
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": mrkdwn.plain(HEADER)},
        mrkdwn.context(
            f"事例 {value_map.cases} 件から。課題ごとに、それを解決した機能 → 便益 (事例数)。"
            " 事例を探すには `/case 課題名`"
        ),
    ]
    for entry in value_map.entries[:MAX_PROBLEMS]:
        blocks.append(mrkdwn.section(_entry_text(entry)))
    hidden = len(value_map.entries) - MAX_PROBLEMS
    if hidden > 0:
        blocks.append(
            mrkdwn.context(f"他 {hidden} 件の課題 (事例の少ないもの) は `/case` で検索できます")
        )
    text = f"{HEADER} ({len(value_map.entries)} 件の課題)"
    return {"response_type": "ephemeral", "text": text, "blocks": blocks}
