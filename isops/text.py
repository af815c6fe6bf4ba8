"""Text normalisation for search: width, case and kana folded so 'ｶﾌﾞｼｷ' finds 'かぶしき'."""

from __future__ import annotations

import unicodedata

_HIRAGANA_TO_KATAKANA = {code: code + 0x60 for code in range(0x3041, 0x3097)}


def fold(text: str | None) -> str:
    """NFKC (full/half width), casefold, hiragana → katakana, spaces removed."""
    if not text:
        return ""
    folded = unicodedata.normalize("NFKC", text).casefold().translate(_HIRAGANA_TO_KATAKANA)
    return "".join(folded.split())


def lead_search_text(company: str, contact_name: str | None) -> str:
    """What `leads.search_text` holds: company and contact folded, separated by a bar."""
    return f"{fold(company)}|{fold(contact_name)}"


# C0 controls (NUL included: PostgreSQL rejects it in text), DEL and C1 controls; tab, line feed
# and carriage return are kept because memos are multi-line.
_CONTROL = {code: None for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}
_CONTROL.update({code: None for code in range(0x80, 0xA0)})
_CONTROL_SINGLE_LINE = {**_CONTROL, 0x09: " ", 0x0A: " ", 0x0D: " "}


def strip_control(text: str, *, single_line: bool = False) -> str:
    """`text` without control characters (NUL, escape sequences, …); with `single_line`, tabs
    and line breaks become spaces (names, company, search terms)."""
    return text.translate(_CONTROL_SINGLE_LINE if single_line else _CONTROL)


def has_control(text: str) -> bool:
    """Whether `text` holds a character `strip_control` would remove (tab/newline allowed)."""
    return text != text.translate(_CONTROL)
