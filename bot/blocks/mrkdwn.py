"""Safe mrkdwn: user text escaped so it cannot ping @channel, forge links or format."""

from __future__ import annotations

import re
from typing import Any

# Slack's documented limits we build against.
MAX_MESSAGE_BLOCKS = 50
MAX_VIEW_BLOCKS = 100
MAX_SECTION_TEXT = 3000
MAX_CONTEXT_ELEMENTS = 10
MAX_OPTION_TEXT = 75
MAX_PLAIN_TEXT_TITLE = 24
MAX_FALLBACK_TEXT = 3000


# Slack has no escape for its formatting markers (a backslash stays visible and escapes
# nothing), and an invisible U+200B next to a marker does not help: Slack counts it as a word
# boundary, which is how libraries *force* formatting inside words (jsx-slack's "exact
# mode"). So markers are replaced by lookalikes that never format, the choice of jsx-slack's
# tested escaping; Slack also formats the full-width markers Japanese input produces. One
# exception keeps addresses and ids searchable and copyable as typed: `_` between two ASCII
# letters or digits (`taro_yamada@example.com`), which Slack never takes for a marker — and
# no builder puts user text inside `_…_`, where it could close the builder's own italics.
_LOOKALIKES = {
    "*": "\u2217",  # ∗ ASTERISK OPERATOR
    "_": "\u02cd",  # ˍ MODIFIER LETTER LOW MACRON
    "~": "\u223c",  # ∼ TILDE OPERATOR
    "`": "\u02cb",  # ˋ MODIFIER LETTER GRAVE ACCENT
    "\uff0a": "\ufe61",  # ＊ → ﹡ SMALL ASTERISK
    "\uff3f": "\u02cd",  # ＿ → ˍ
    "\uff40": "\u02cb",  # ｀ → ˋ
}
_MARKER = re.compile(r"[*~`\uff0a\uff3f\uff40]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9])")
# `>` (sent as `&gt;`) and `＞` quote the line they start, escaped or not; a soft hyphen
# (invisible) in front keeps them text.
_QUOTE = re.compile(r"^([ \t\u3000]*)(&gt;|\uff1e)", re.MULTILINE)


def escape(text: str | None) -> str:
    """User text made inert for mrkdwn: `&`, `<`, `>` escaped as Slack asks (so
    `<!channel>` in a lead name stays text), formatting markers that could format replaced
    by lookalikes (`*bold*` stays as typed, not bold), and a leading `>` kept from quoting."""
    if not text:
        return ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = _MARKER.sub(lambda match: _LOOKALIKES[match.group()], text)
    return _QUOTE.sub("\\1\u00ad\\2", text)


_FROM_LOOKALIKES = str.maketrans(
    {"\u2217": "*", "\u02cd": "_", "\u223c": "~", "\u02cb": "`", "\ufe61": "\uff0a", "\u00ad": None}
)


def unescape(text: str) -> str:
    """What `escape` was given, for plain-text output (the CLI's dry runs): entities decoded,
    lookalikes back to the markers (full-width `＿` and `｀` come back half-width)."""
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return text.translate(_FROM_LOOKALIKES)


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
