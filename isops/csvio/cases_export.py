"""`isops cases export`: every case (archived ones too) in the import's headers, so exporting
and importing into a fresh database gives the same cases, and importing an export back
changes nothing."""

from __future__ import annotations

import csv
from typing import Literal, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from isops.csvio.cases_columns import CASE_COLUMNS
from isops.csvio.cells import format_moment, protect_formula
from isops.models import Case
from isops.services.cases import CaseDetail, load_details
from isops.unit_of_work import UnitOfWork

Language = Literal["ja", "en"]
_PAGE = 200


def _cells(case: CaseDetail, tz: ZoneInfo) -> list[str]:
    def lines(values: list[str | None]) -> str:
        joined = "\n".join(v or "" for v in values)
        return joined if joined.strip() else ""

    chains = case.chains
    texts = [
        case.external_id,
        case.title,
        case.customer or "",
        case.industry,
        case.company_size.value if case.company_size else "",
        case.role_level.value if case.role_level else "",
        case.situation,
        lines([c.problem for c in chains]),
        lines([c.feature for c in chains]),
        lines([c.connection for c in chains]),
        lines([c.benefit for c in chains]),
        lines([c.figures for c in chains]),
        case.link or "",
        "はい" if case.archived else "",
    ]
    return [
        *(protect_formula(text) for text in texts),
        format_moment(case.updated_at, tz),
        format_moment(case.last_shared_at, tz),
    ]


def export_cases(uow: UnitOfWork, *, out: TextIO, tz: ZoneInfo, language: Language = "ja") -> int:
    """Write every case, oldest first, to `out` (opened with `newline=""`); returns how many.
    Keyset pages in short transactions, like the lead export."""
    writer = csv.writer(out)
    writer.writerow([c.header(language) for c in CASE_COLUMNS])
    count = 0
    last_id = 0
    while True:
        with uow:
            ids = list(
                uow.session.scalars(
                    select(Case.id).where(Case.id > last_id).order_by(Case.id).limit(_PAGE)
                )
            )
            details = load_details(uow.session, ids)
        if not ids:
            return count
        for case_id in ids:
            writer.writerow(_cells(details[case_id], tz))
        count += len(ids)
        last_id = ids[-1]
