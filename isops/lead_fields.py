"""What a lead's own values decide for it: its search text, and whether it is inbound.

Every path that creates a lead — /lead, the webhook, the CSV import, the demo — takes these
from here, so a lead reads the same however it came in (the import's updates use the same two
pieces when company, contact or source change).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TypedDict

from isops.text import fold, lead_search_text


@dataclass(frozen=True)
class InboundSources:
    """The team's inbound sources (ISOPS_INBOUND_SOURCES: 資料請求・問い合わせ by default),
    folded once: an import matches every row against them."""

    folded: frozenset[str]

    @classmethod
    def of(cls, sources: Iterable[str]) -> InboundSources:
        return cls(frozenset(fold(source) for source in sources))

    def match(self, source: str | None) -> bool:
        """Whether a lead from `source` is inbound (DOMAIN.md rule 1), width/case/kana-folded."""
        return bool(source) and fold(source) in self.folded


class NewLeadFields(TypedDict):
    search_text: str
    inbound: bool


def new_lead_fields(
    *,
    company: str,
    contact_name: str | None,
    source: str | None,
    inbound_sources: InboundSources,
) -> NewLeadFields:
    """The columns isops computes for a new lead: `search_text` (company and contact folded,
    for the picker and the duplicate check) and `inbound` (its source is an inbound one)."""
    return {
        "search_text": lead_search_text(company, contact_name),
        "inbound": inbound_sources.match(source),
    }
