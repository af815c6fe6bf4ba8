"""Finding cases (`/case`) and the product's value map (`/case map`).

Keywords and the problem filter are folded like the lead picker (isops.text.fold: width,
case and kana), so ｼﾞｭﾁｭｳ, じゅちゅう and ジュチュウ find the same cases."""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import Session

from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.models import Case, CaseChain, CaseTag
from isops.services.cases import ADDERS, EDITORS, CaseDetail, load_details, with_outcomes
from isops.services.lookup import require_active_member
from isops.text import fold
from isops.unit_of_work import UnitOfWork

MAX_HITS = 15  # a modal holds 100 blocks; each hit takes two
MAX_INDUSTRIES = 99  # a select holds 100 options, one is "すべて"


def like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class CaseFilters:
    """What `/case` searches by; empty means any."""

    keyword: str = ""  # anywhere in the case (title, customer, 現状, tags, …)
    problem: str = ""  # in one of its problems (課題)
    industry: str | None = None  # folded key (`cases.industry_key`)
    role_level: RoleLevel | None = None
    company_size: CompanySize | None = None
    include_archived: bool = False

    @property
    def empty(self) -> bool:
        return not (
            self.keyword.strip()
            or self.problem.strip()
            or self.industry
            or self.role_level
            or self.company_size
        )


@dataclass(frozen=True)
class IndustryOption:
    key: str  # folded
    label: str  # as first written


@dataclass(frozen=True)
class CaseSearch:
    """The hits (most recently updated first), how many matched, and the filter choices."""

    filters: CaseFilters
    hits: tuple[CaseDetail, ...]
    total: int
    industries: tuple[IndustryOption, ...]
    may_add: bool
    may_edit: bool


def _terms(text: str) -> list[str]:
    return [t for t in (fold(part) for part in text.split()) if t]


def case_conditions(filters: CaseFilters) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if not filters.include_archived:
        conditions.append(Case.archived.is_(False))
    if filters.industry:
        conditions.append(Case.industry_key == filters.industry)
    if filters.role_level is not None:
        conditions.append(Case.role_level == filters.role_level)
    if filters.company_size is not None:
        conditions.append(Case.company_size == filters.company_size)
    for term in _terms(filters.keyword):
        conditions.append(Case.search_text.like(f"%{like_escape(term)}%", escape="\\"))
    for term in _terms(filters.problem):
        conditions.append(
            exists()
            .where(
                CaseChain.case_id == Case.id,
                CaseTag.id == CaseChain.problem_tag_id,
                CaseTag.key.like(f"%{like_escape(term)}%", escape="\\"),
            )
            .correlate(Case)
        )
    return conditions


def industries(session: Session) -> tuple[IndustryOption, ...]:
    """The industries of the active cases (one per folded spelling), for the 業種 filter."""
    rows = session.execute(
        select(Case.industry_key, func.min(Case.industry))
        .where(Case.archived.is_(False))
        .group_by(Case.industry_key)
        .order_by(func.count().desc(), Case.industry_key)
        .limit(MAX_INDUSTRIES)
    ).all()
    return tuple(IndustryOption(key, label) for key, label in rows)


def search_cases(
    uow: UnitOfWork, *, slack_user_id: str, filters: CaseFilters, limit: int = MAX_HITS
) -> CaseSearch:
    """Cases matching every filter, most recently updated first. Anyone on the team may
    search; archived cases only for those who may restore them (managers, admins)."""
    with uow:
        session = uow.session
        member = require_active_member(session, slack_user_id)
        may_edit = member.role in EDITORS
        if filters.include_archived and not may_edit:
            filters = replace(filters, include_archived=False)
        conditions = case_conditions(filters)
        total = session.scalar(select(func.count(Case.id)).where(*conditions)) or 0
        ids = list(
            session.scalars(
                select(Case.id)
                .where(*conditions)
                .order_by(Case.updated_at.desc(), Case.id.desc())
                .limit(limit)
            )
        )
        details = load_details(session, ids, may_edit=may_edit)
        return CaseSearch(
            filters=filters,
            hits=tuple(with_outcomes(session, [details[i] for i in ids])),
            total=int(total),
            industries=industries(session),
            may_add=member.role in ADDERS,
            may_edit=may_edit,
        )


# -- the value map -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueRoute:
    """One feature → benefit a problem is answered with, and in how many cases."""

    feature: str | None
    benefit: str | None
    cases: int


@dataclass(frozen=True)
class ValueMapEntry:
    problem: str
    cases: int  # active cases naming this problem
    routes: tuple[ValueRoute, ...]


@dataclass(frozen=True)
class ValueMap:
    entries: tuple[ValueMapEntry, ...]
    cases: int  # active cases in all


def value_map(uow: UnitOfWork, *, slack_user_id: str) -> ValueMap:
    """Problem → feature → benefit across all active cases, each with how many cases say so:
    problems by case count (most first), then by name; routes the same way."""
    with uow:
        session = uow.session
        require_active_member(session, slack_user_id)
        problem, feature, benefit = (
            CaseTag.__table__.alias("p"),
            CaseTag.__table__.alias("f"),
            CaseTag.__table__.alias("b"),
        )
        rows = session.execute(
            select(problem.c.name, feature.c.name, benefit.c.name, CaseChain.case_id)
            .join(Case, Case.id == CaseChain.case_id)
            .join(problem, problem.c.id == CaseChain.problem_tag_id)
            .outerjoin(feature, feature.c.id == CaseChain.feature_tag_id)
            .outerjoin(benefit, benefit.c.id == CaseChain.benefit_tag_id)
            .where(Case.archived.is_(False))
        ).all()
        total = session.scalar(select(func.count(Case.id)).where(Case.archived.is_(False))) or 0
    by_problem: dict[str, set[int]] = {}
    by_route: dict[str, dict[tuple[str | None, str | None], set[int]]] = {}
    for problem_name, feature_name, benefit_name, case_id in rows:
        by_problem.setdefault(problem_name, set()).add(case_id)
        routes = by_route.setdefault(problem_name, {})
        routes.setdefault((feature_name, benefit_name), set()).add(case_id)
    entries = [
        ValueMapEntry(
            problem=name,
            cases=len(case_ids),
            routes=tuple(
                sorted(
                    (ValueRoute(f, b, len(ids)) for (f, b), ids in by_route[name].items()),
                    key=lambda r: (-r.cases, r.feature or "\uffff", r.benefit or "\uffff"),
                )
            ),
        )
        for name, case_ids in by_problem.items()
    ]
    entries.sort(key=lambda e: (-e.cases, e.problem))
    return ValueMap(tuple(entries), int(total))
