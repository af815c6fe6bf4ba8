"""The case library's closed vocabularies (DOMAIN.md "Service understanding"): company size
bands, which leads carry too, and the kinds of reusable tags (課題 / 機能 / 便益)."""

from __future__ import annotations

import enum
import re
import unicodedata


class CompanySize(enum.StrEnum):
    """企業規模: employee headcount bands, the same for a case and a lead."""

    SMALL = "1-49"
    MID = "50-299"
    LARGE = "300-999"
    ENTERPRISE = "1000+"

    @property
    def label(self) -> str:
        return SIZE_LABELS[self]

    @property
    def bounds(self) -> tuple[int, int | None]:
        """(smallest, largest) headcount of the band; None: no upper bound."""
        return _BOUNDS[self]

    @classmethod
    def of_headcount(cls, headcount: int) -> CompanySize:
        """The band of a headcount (1 or more)."""
        for size, (low, high) in _BOUNDS.items():
            if headcount >= low and (high is None or headcount <= high):
                return size
        raise ValueError(f"従業員数は 1 以上にしてください ({headcount})")


SIZE_LABELS: dict[CompanySize, str] = {
    CompanySize.SMALL: "1〜49名",
    CompanySize.MID: "50〜299名",
    CompanySize.LARGE: "300〜999名",
    CompanySize.ENTERPRISE: "1000名以上",
}
_BOUNDS: dict[CompanySize, tuple[int, int | None]] = {
    CompanySize.SMALL: (1, 49),
    CompanySize.MID: (50, 299),
    CompanySize.LARGE: (300, 999),
    CompanySize.ENTERPRISE: (1000, None),
}
SIZE_CHOICES = "1-49 / 50-299 / 300-999 / 1000+ (50〜299名、従業員数の数字も可)"

# After NFKC: the dashes and tildes people put between two numbers.
_RANGE_SEPARATORS = re.compile(r"[-‐‑‒–—―~〜～ー−]")
_NOISE = re.compile(r"(名|人|社員|従業員|規模|程度|約|,|\s)")
_NUMBER = re.compile(r"^[0-9]+$")
_AT_LEAST = re.compile(r"^([0-9]+)(\+|以上|〜|~|-)$")


def parse_company_size(text: str) -> CompanySize:
    """`50-299`, `50〜299名`, `1000+`, `1000名以上`, or a headcount (`120`, `1,200人`) as its
    band. A range inside one band (`100-200名`) is that band; one across bands is refused.
    Raises ValueError with a Japanese message naming the accepted forms."""
    value = unicodedata.normalize("NFKC", text).strip()
    for size in CompanySize:
        if value == size.value or value == size.label:
            return size
    compact = _NOISE.sub("", value)
    if _NUMBER.match(compact):
        headcount = int(compact)
        if headcount < 1:
            raise ValueError(f"「{text}」は読めません (従業員数は 1 以上、{SIZE_CHOICES})")
        return CompanySize.of_headcount(headcount)
    at_least = _AT_LEAST.match(compact)
    if at_least:
        low = CompanySize.of_headcount(max(1, int(at_least.group(1))))
        if low is CompanySize.ENTERPRISE:
            return low
        raise ValueError(f"「{text}」は複数の規模にまたがります ({SIZE_CHOICES})")
    parts = _RANGE_SEPARATORS.split(compact)
    if len(parts) == 2 and all(_NUMBER.match(p) for p in parts):
        low_count, high_count = int(parts[0]), int(parts[1])
        if 1 <= low_count <= high_count:
            low, high = CompanySize.of_headcount(low_count), CompanySize.of_headcount(high_count)
            if low is high:
                return low
            raise ValueError(f"「{text}」は複数の規模にまたがります ({SIZE_CHOICES})")
    raise ValueError(f"「{text}」は読めません ({SIZE_CHOICES})")


class TagKind(enum.StrEnum):
    """A case's reusable parts: the product's value map is problem → feature → benefit."""

    PROBLEM = "problem"  # 課題
    FEATURE = "feature"  # 機能
    BENEFIT = "benefit"  # 便益

    @property
    def label(self) -> str:
        return {"problem": "課題", "feature": "機能", "benefit": "便益"}[self.value]


def benefit_with_figures(benefit: str | None, figures: str | None) -> str | None:
    """A benefit with its numbers, as plain text: `受注率の向上 (18% → 24%)`."""
    if benefit and figures:
        return f"{benefit} ({figures})"
    return benefit or figures
