"""A case as someone types or imports it (`CaseDraft`), its field lengths, and the check every
write path runs on it (`clean_draft`: trimmed, or InvalidInput naming each field)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from isops import limits
from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.errors import InvalidInput
from isops.text import strip_control

# Field lengths (the columns in isops.models; a test keeps them in step).
TITLE = 200
CUSTOMER = 200
INDUSTRY = limits.INDUSTRY
SITUATION = 2000
LINK = 2000
TAG_NAME = 100
CONNECTION = 300
FIGURES = 100
EXTERNAL_ID = limits.EXTERNAL_ID
# Chains per case: the article's example has three; the modal shows one input group each.
MAX_CHAINS = 8


@dataclass(frozen=True)
class ChainDraft:
    """One 課題 → 機能 (接続) → 便益 as typed; blank parts are ""."""

    problem: str = ""
    feature: str = ""
    connection: str = ""
    benefit: str = ""
    figures: str = ""

    @property
    def blank(self) -> bool:
        return not any((self.problem, self.feature, self.connection, self.benefit, self.figures))


@dataclass(frozen=True)
class CaseDraft:
    """A case as someone typed or imported it, before `clean_draft` checks it."""

    title: str
    industry: str
    customer: str = ""
    company_size: CompanySize | None = None
    role_level: RoleLevel | None = None
    situation: str = ""
    chains: tuple[ChainDraft, ...] = ()
    link: str = ""
    archived: bool = False


# -- checking a draft ------------------------------------------------------------------------------


def _line(value: str) -> str:
    return strip_control(value or "", single_line=True).strip()


def _text(value: str) -> str:
    return strip_control((value or "").replace("\r\n", "\n")).strip()


def _check_length(errors: dict[str, str], key: str, label: str, value: str, limit: int) -> None:
    if len(value) > limit:
        errors.setdefault(key, f"{label}は {limit} 文字以内にしてください ({len(value)} 文字)")


def chain_key(index: int, part: str) -> str:
    """The field name of one part of chain `index` (0-based) in `InvalidInput.field_errors`;
    "problems" / "benefits" say that the case has none at all."""
    return f"chain.{index}.{part}"


def clean_draft(draft: CaseDraft) -> CaseDraft:
    """`draft` trimmed (control characters dropped, one line where one line is meant, blank
    chains left out), or InvalidInput naming each field: title, industry, at least one problem
    and one benefit are required; a link must be http(s)."""
    errors: dict[str, str] = {}
    title = _line(draft.title)
    industry = _line(draft.industry)
    customer = _line(draft.customer)
    situation = _text(draft.situation)
    link = _line(draft.link)
    if not title:
        errors["title"] = "タイトルを入力してください"
    if not industry:
        errors["industry"] = "業種を入力してください"
    _check_length(errors, "title", "タイトル", title, TITLE)
    _check_length(errors, "industry", "業種", industry, INDUSTRY)
    _check_length(errors, "customer", "顧客名", customer, CUSTOMER)
    _check_length(errors, "situation", "現状", situation, SITUATION)
    _check_length(errors, "link", "リンク", link, LINK)
    if link and not (link.lower().startswith(("http://", "https://")) and " " not in link):
        errors.setdefault("link", "リンクは http:// か https:// で始まる URL にしてください")
    chains: list[ChainDraft] = []
    for index, chain in enumerate(draft.chains):
        cleaned = ChainDraft(
            problem=_line(chain.problem),
            feature=_line(chain.feature),
            connection=_line(chain.connection),
            benefit=_line(chain.benefit),
            figures=_line(chain.figures),
        )
        if cleaned.blank:
            continue
        for part, label, limit in (
            ("problem", "課題", TAG_NAME),
            ("feature", "機能", TAG_NAME),
            ("connection", "接続", CONNECTION),
            ("benefit", "便益", TAG_NAME),
            ("figures", "数値", FIGURES),
        ):
            _check_length(errors, chain_key(index, part), label, getattr(cleaned, part), limit)
        if not cleaned.problem:
            errors.setdefault(
                chain_key(index, "problem"),
                "課題を入力してください (機能・便益だけの行は保存できません)",
            )
        chains.append(cleaned)
    if not any(c.problem for c in chains) and not errors.get(chain_key(0, "problem")):
        errors["problems"] = "課題を 1 つ以上入力してください"
    if not any(c.benefit for c in chains):
        errors["benefits"] = "便益を 1 つ以上入力してください"
    if len(chains) > MAX_CHAINS:
        errors.setdefault("chains", f"課題 → 機能 → 便益 は {MAX_CHAINS} 組までです")
    if errors:
        raise InvalidInput(errors)
    return replace(
        draft,
        title=title,
        industry=industry,
        customer=customer,
        situation=situation,
        link=link,
        chains=tuple(chains),
    )
