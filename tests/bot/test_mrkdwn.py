"""`escape`: user text cannot mention, link, format or quote in mrkdwn."""

from __future__ import annotations

import re

import pytest

from bot.blocks.mrkdwn import escape, unescape

# Slack's rule for *bold*, _italic_, ~strike~ and `code` (and, for Japanese input, the
# full-width markers): they only count where they touch whitespace, ASCII punctuation or the
# ends of a line, around text that neither starts nor ends with a space (so 今日は*本日*です
# and snake_case stay as typed). The same rule as shared/tools/blockkit_preview.py.
_EDGE = r"\s!-/:-@\[-`{-~"
_MARKERS = (r"\*", "_", "~", "`", "\uff0a", "\uff3f", "\uff40")
_RUNS = [
    re.compile(rf"(?<![^{_EDGE}]){m}(?=[^\s{m}])([^{m}\n]*?[^\s{m}])?{m}(?![^{_EDGE}])", re.M)
    for m in _MARKERS
]
# `>` quotes the line it starts, also when sent as `&gt;`; so does the full-width `＞`.
_QUOTE = re.compile(r"^[ \t\u3000]*(&gt;|>|\uff1e)", re.M)

HOSTILE = [
    "ACME *bold* _it_",
    "~消し線~ と `コード` と ```ブロック```",
    "＊全角太字＊ ＿全角斜体＿ ｀全角コード｀",
    "*",
    "**",
    "a* b*c *d",
    "_株式会社_",
    "> 引用\n> 二行目",
    "＞ 全角の引用",
    "   > 字下げした引用",
    "<!channel> & <https://evil|click> *now*",
    "*_~`混ぜた`~_*",
]
# How builders put user text into mrkdwn.
TEMPLATES = ["{}", "*{}*", "_{}_", "*会社*: {}", "{} 様 *({})*", "> {}", "*理由*\n{}"]


def _formats(mrkdwn: str) -> list[str]:
    """The formatting Slack would apply: each run's marker and text, and quoted lines."""
    runs = [m.group() for pattern in _RUNS for m in pattern.finditer(mrkdwn)]
    return runs + [f"quote:{m.start()}" for m in _QUOTE.finditer(mrkdwn)]


def _harmless(text: str) -> str:
    """`text` with every special character made a letter (same spaces and lines)."""
    return re.sub(r"[*_~`\uff0a\uff3f\uff40<>&\uff1e]", "X", text)


def _formatted_like_harmless(template: str, text: str) -> bool:
    """Whether `text` in `template` formats exactly as harmless text of its shape does
    (a bold template around a line break or a leading space formats nothing either way)."""
    harmless = _harmless(text)
    expected = _formats(template.format(harmless, harmless))
    return len(_formats(template.format(text, text))) == len(expected)


@pytest.mark.parametrize("template", TEMPLATES)
@pytest.mark.parametrize("text", HOSTILE)
def test_user_text_adds_no_formatting_to_a_template(text: str, template: str) -> None:
    escaped = escape(text)
    assert "<" not in escaped and ">" not in escaped
    assert _formatted_like_harmless(template, escaped), template.format(escaped, escaped)


@pytest.mark.parametrize("text", HOSTILE)
def test_without_escaping_the_same_text_formats(text: str) -> None:
    # The oracle is not blind: unescaped, each text formats (or mentions) somewhere.
    assert "<" in text or not all(_formatted_like_harmless(t, text) for t in TEMPLATES)


@pytest.mark.parametrize("text", HOSTILE)
def test_unescape_gives_back_what_was_typed(text: str) -> None:
    typed = text.replace("\uff3f", "_").replace("\uff40", "`")  # these come back half-width
    assert unescape(escape(text)) == typed


def test_a_lead_name_keeps_its_look_and_only_the_markers_change() -> None:
    assert escape("ACME *bold* _it_") == "ACME \u2217bold\u2217 \u02cdit\u02cd"
    assert escape("> 引用") == "\u00ad&gt; 引用"
    assert escape("<!channel>") == "&lt;!channel&gt;"


@pytest.mark.parametrize("text", ["taro_yamada@example.co.jp", "snake_case_name", "ID_2026_11"])
def test_underscores_inside_addresses_and_ids_stay_as_typed(text: str) -> None:
    # Between two ASCII letters or digits Slack never takes `_` for a marker: e-mail
    # addresses and ids stay searchable and copyable.
    assert escape(text) == text


def test_every_other_marker_is_replaced_even_inside_a_word() -> None:
    # `*{company}*` is how builders bold a name: a `*` kept inside it would break that bold.
    assert escape("A*B商事 12/1~12/5 _x") == "A\u2217B商事 12/1\u223c12/5 \u02cdx"


def test_empty_and_none() -> None:
    assert escape("") == "" and escape(None) == ""
