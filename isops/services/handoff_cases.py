"""The case a rep talked from when handing a lead to FS (issue 14 point 3): what the log
modal's hand-off section offers, the check of what was chosen, and the case as the FS's DM
and the lists show it.

The choices are the active cases, at most Slack's 100 options with one of them 「使っていない」:
the lead's best-matching case first (isops.services.cases_matching), the others by title.
With more cases than fit, the lead's industry's cases are kept first, then the most recently
updated."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from isops.case_vocabulary import benefit_with_figures
from isops.models import Case
from isops.services.cases_matching import CaseMatch
from isops.text import fold

MAX_CASE_CHOICES = 99  # Slack's 100 options, one of them 「使っていない」
CASE_GONE = (
    "この事例はアーカイブされたか削除されました。ほかの事例を選ぶか「使っていない」にしてください"
)


@dataclass(frozen=True)
class CaseChoice:
    """An active case as the hand-off section offers it."""

    id: int
    title: str
    industry: str


@dataclass(frozen=True)
class UsedCase:
    """The case named on a hand-off, with its first 課題 → 便益 (as the FS reads it)."""

    id: int
    title: str
    problem: str | None
    benefit: str | None
    figures: str | None

    @property
    def benefit_text(self) -> str | None:
        return benefit_with_figures(self.benefit, self.figures)


def case_choices(
    session: Session, *, best: CaseMatch | None, limit: int = MAX_CASE_CHOICES
) -> list[CaseChoice]:
    """Active cases for the hand-off section: `best` first, then by title (see the module
    docstring for which are kept when there are more than `limit`)."""
    preferred = [Case.id == best.case_id] if best is not None else []
    industry_key = fold(best.industry) if best is not None else ""
    if industry_key:
        preferred.append(Case.industry_key == industry_key)
    rows = session.execute(
        select(Case.id, Case.title, Case.industry)
        .where(Case.archived.is_(False))
        .order_by(
            *(case((condition, 0), else_=1) for condition in preferred),
            Case.updated_at.desc(),
            Case.id.desc(),
        )
        .limit(limit)
    ).all()
    choices = [CaseChoice(r.id, r.title, r.industry) for r in rows]
    best_id = best.case_id if best is not None else None
    return sorted(choices, key=lambda c: (c.id != best_id, c.title, c.id))


def check_case(session: Session, case_id: int | None, errors: dict[str, str]) -> int | None:
    """The chosen case's id if it may be named on a new hand-off (exists, not archived, read
    from the database); otherwise an error on `handoff_case`. None: no case chosen."""
    if case_id is None:
        return None
    found = session.get(Case, case_id)
    if found is None or found.archived:
        errors["handoff_case"] = CASE_GONE
        return None
    return found.id
