"""The case to talk from for a lead: deterministic and explained (DOMAIN.md "Service
understanding", issue 14 point 3).

The industry must match (folded, as `cases.industry_key`); among those cases the role level
decides first, then the company size band; ties go to the most recently updated case, then
the highest id. A lead without an industry gets no case rather than a random one. Archived
cases are never suggested.

`best_case_for_lead` answers for one lead inside the caller's session (the log modal);
`best_cases_for_leads` answers for a list in one query (list items of the morning DM and the
App Home can call it with their leads); `pick_best_case` is the pure rule both apply.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, aliased

from isops.case_vocabulary import CompanySize, benefit_with_figures
from isops.enums import RoleLevel
from isops.models import Case, CaseChain, CaseTag
from isops.projection import from_attributes
from isops.text import fold


@dataclass(frozen=True)
class LeadProfile:
    """What matching reads of a lead."""

    industry: str | None
    role_level: RoleLevel | None
    company_size: CompanySize | None


@dataclass(frozen=True)
class CaseCandidate:
    """An active case as matching sees it, with the first chain for the one-line hint."""

    id: int
    industry: str
    industry_key: str
    role_level: RoleLevel | None
    company_size: CompanySize | None
    updated_at: dt.datetime
    title: str
    problem: str | None
    benefit: str | None
    figures: str | None
    link: str | None = None


@dataclass(frozen=True)
class CaseMatch:
    """The suggested case and why: `matched` names what agreed (業種 always first)."""

    case_id: int
    title: str
    industry: str
    role_level: RoleLevel | None  # the case's
    company_size: CompanySize | None  # the case's
    problem: str | None
    benefit: str | None
    figures: str | None
    matched: tuple[str, ...]
    link: str | None = None  # the case's material (資料), opened from a list item

    @property
    def explanation(self) -> str:
        """`業種・役職が一致`, `業種・役職・規模が一致`, `業種が一致`."""
        return "・".join(self.matched) + "が一致"

    @property
    def benefit_text(self) -> str | None:
        return benefit_with_figures(self.benefit, self.figures)


def pick_best_case(candidates: Iterable[CaseCandidate], lead: LeadProfile) -> CaseMatch | None:
    """The pure rule (see the module docstring); `candidates` are active cases."""
    key = fold(lead.industry)
    if not key:
        return None
    best: tuple[tuple[bool, bool, dt.datetime, int], CaseCandidate] | None = None
    for candidate in candidates:
        if candidate.industry_key != key:
            continue
        rank = (
            lead.role_level is not None and candidate.role_level == lead.role_level,
            lead.company_size is not None and candidate.company_size == lead.company_size,
            candidate.updated_at,
            candidate.id,
        )
        if best is None or rank > best[0]:
            best = (rank, candidate)
    if best is None:
        return None
    (role_matched, size_matched, _, _), case = best
    matched = ("業種",) + (("役職",) if role_matched else ()) + (("規模",) if size_matched else ())
    return from_attributes(CaseMatch, case, case_id=case.id, matched=matched)


# A statement of any columns (what `with_first_chain` adds to).
AnySelect = Select[*tuple[Any, ...]]


def with_first_chain(stmt: AnySelect, case_id: Any) -> AnySelect:
    """`stmt` with the case's first chain (課題, 便益, 数値) added as its last three columns —
    the story a one-line hint tells; outer joins, so a case without chains gives None."""
    problem = aliased(CaseTag, name="first_problem")
    benefit = aliased(CaseTag, name="first_benefit")
    return (
        stmt.add_columns(problem.name, benefit.name, CaseChain.figures)
        .outerjoin(CaseChain, (CaseChain.case_id == case_id) & (CaseChain.position == 0))
        .outerjoin(problem, problem.id == CaseChain.problem_tag_id)
        .outerjoin(benefit, benefit.id == CaseChain.benefit_tag_id)
    )


def load_candidates(session: Session, industry_keys: Sequence[str]) -> list[CaseCandidate]:
    """Active cases of these (folded) industries, with their first chain; one query on
    ix_cases_archived_industry_key."""
    keys = sorted({k for k in industry_keys if k})
    if not keys:
        return []
    rows = session.execute(
        with_first_chain(
            select(
                Case.id,
                Case.industry,
                Case.industry_key,
                Case.role_level,
                Case.company_size,
                Case.updated_at,
                Case.title,
                Case.link,
            ),
            Case.id,
        ).where(Case.archived.is_(False), Case.industry_key.in_(keys))
    ).all()
    return [
        CaseCandidate(
            id=row[0],
            industry=row[1],
            industry_key=row[2],
            role_level=row[3],
            company_size=row[4],
            updated_at=row[5],
            title=row[6],
            link=row[7],
            problem=row[8],
            benefit=row[9],
            figures=row[10],
        )
        for row in rows
    ]


def best_case_for_lead(session: Session, lead: LeadProfile) -> CaseMatch | None:
    """The case for one lead, in the caller's open session (no query without an industry)."""
    key = fold(lead.industry)
    if not key:
        return None
    return pick_best_case(load_candidates(session, [key]), lead)


def best_cases_for_leads(session: Session, leads: dict[int, LeadProfile]) -> dict[int, CaseMatch]:
    """The case for each lead id that has one (one query for the whole list)."""
    candidates = load_candidates(session, [fold(p.industry) for p in leads.values()])
    matches = {lead_id: pick_best_case(candidates, p) for lead_id, p in leads.items()}
    return {lead_id: match for lead_id, match in matches.items() if match is not None}
