"""Safe mrkdwn: user text escaped so it cannot ping @channel or forge links."""

from __future__ import annotations

from typing import Any

# Slack's documented limits we build against.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_OPTION_TEXT = 75
MAX_PLAIN_TEXT_TITLE = 24
MAX_FALLBACK_TEXT = 3000


def escape(text: str | None) -> str:
    """Escape `&`, `<`, `>` as Slack asks, so `<!channel>` in a lead name stays text."""
    if not text:
        return ""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    """Cut to `limit` characters with an ellipsis, for Slack's text limits."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def plain(text: str, limit: int | None = None) -> dict[str, Any]:
    return {"type": "plain_text", "text": truncate(text, limit) if limit else text, "emoji": True}


def md(text: str) -> dict[str, Any]:
    return {"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}


def section(text: str, **extra: Any) -> dict[str, Any]:
    return {"type": "section", "text": md(text), **extra}


def context(*texts: str) -> dict[str, Any]:
    return {"type": "context", "elements": [md(t) for t in texts[:MAX_CONTEXT_ELEMENTS]]}


def input_block(
    block_id: str,
    label: str,
    element: dict[str, Any],
    *,
    optional: bool = False,
    hint: str | None = None,
) -> dict[str, Any]:
    """A modal input block (label and hint are plain text, so no escaping needed)."""
    block: dict[str, Any] = {
        "type": "input",
        "block_id": block_id,
        "label": plain(label),
        "element": element,
        "optional": optional,
    }
    if hint:
        block["hint"] = plain(hint)
    return block


def user_mention(slack_user_id: str) -> str:
    """A mention of a known user id (ids come from our DB or Slack, never from free text)."""
    return f"<@{slack_user_id}>"
