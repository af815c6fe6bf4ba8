"""Messages as readable text: what Slack would show, without the markup (dry runs of
`isops remind`, `isops report`, the demo)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from bot.blocks import mrkdwn

Block = dict[str, Any]


# -- plain text (dry runs, the demo) ---------------------------------------------------------------

_LINK = re.compile(r"<(?:[^|>]+\|)?([^>]+)>")


def _unmrkdwn(text: str) -> str:
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"\1", text)
    return mrkdwn.unescape(text)


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
