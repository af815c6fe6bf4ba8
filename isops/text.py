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
