"""What works (issue 14 point 6): per case, how many hand-offs to FS named it and how many of
them the FS rated 有効商談. Undecided hand-offs, 有効商談ではない and IS に戻す count as hand-offs
only; a deleted case's hand-offs name no case any more (ON DELETE SET NULL)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from isops.enums import HandoffVerdict
from isops.models import Handoff


@dataclass(frozen=True)
class CaseOutcome:
    """A case's hand-offs and, of those, the 有効商談."""

    handoffs: int = 0
    valid: int = 0


def case_outcomes(session: Session, case_ids: Iterable[int]) -> dict[int, CaseOutcome]:
    """Every id asked for → its outcome (zeros when no hand-off named it): one grouped
    statement on ix_handoffs_case_id, the same on SQLite and PostgreSQL."""
    wanted = sorted(set(case_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(
            Handoff.case_id,
            func.count(),
            func.sum(case((Handoff.verdict == HandoffVerdict.VALID, 1), else_=0)),
        )
        .where(Handoff.case_id.in_(wanted))
        .group_by(Handoff.case_id)
    ).all()
    found = {
        int(case_id): CaseOutcome(int(count), int(valid or 0)) for case_id, count, valid in rows
    }
    return {case_id: found.get(case_id, CaseOutcome()) for case_id in wanted}
