"""CSV export of every lead: the four fields, action counts and last action, in the import's
headers, so the file loads into a CRM and back into isops unchanged."""

from __future__ import annotations

import csv
from typing import Any, Literal, TextIO
from zoneinfo import ZoneInfo

from sqlalchemy import select

from isops.csvio.cells import format_moment, protect_formula
from isops.csvio.columns import COLUMNS
from isops.enums import ActionStatus, Priority
from isops.models import Lead, Member
from isops.unit_of_work import UnitOfWork

OwnerAs = Literal["slack-id", "email"]
Language = Literal["ja", "en"]
_PAGE = 1000


def export_leads(
    uow: UnitOfWork,
    *,
    out: TextIO,
    tz: ZoneInfo,
    owner_as: OwnerAs = "slack-id",
    language: Language = "ja",
) -> int:
    """Write every lead (oldest first) to `out` as CSV; returns how many.

    Rows are read in pages of 1,000, so memory does not grow with the table.
    `out` should be opened with `newline=""` (the csv module writes its own line ends)."""
    writer = csv.writer(out)
    writer.writerow([c.header(language) for c in COLUMNS])
    columns = (
        Lead.id,
        Lead.external_id,
        Lead.company,
        Lead.contact_name,
        Lead.title,
        Lead.role_level,
        Lead.industry,
        Lead.company_size,
        Lead.email,
        Lead.phone,
        Lead.source,
        Lead.cv_at,
        Member.slack_user_id,
        Member.email,
        Lead.status,
        Lead.priority,
        Lead.next_action_date,
        Lead.memo,
        Lead.call_count,
        Lead.mail_count,
        Lead.last_action_at,
    )
    count = 0
    last_id = 0
    while True:
        # Keyset pages, one short transaction each: a long export never holds SQLite's
        # write lock (every isops transaction is BEGIN IMMEDIATE) or a long snapshot.
        with uow:
            rows = uow.session.execute(
                select(*columns)
                .outerjoin(Member, Member.id == Lead.owner_id)
                .where(Lead.id > last_id)
                .order_by(Lead.id)
                .limit(_PAGE)
            ).all()
        if not rows:
            return count
        for row in rows:
            writer.writerow(_cells(row, tz, owner_as))
        count += len(rows)
        last_id = rows[-1][0]


def _cells(row: Any, tz: ZoneInfo, owner_as: OwnerAs) -> list[str]:
    (
        lead_id,
        external_id,
        company,
        contact_name,
        title,
        role_level,
        industry,
        company_size,
        email,
        phone,
        source,
        cv_at,
        owner_id,
        owner_email,
        status,
        priority,
        next_action_date,
        memo,
        calls,
        mails,
        last_action_at,
    ) = row
    owner = (owner_email if owner_as == "email" and owner_email else owner_id) or ""
    texts = [
        external_id,
        company,
        contact_name,
        title,
        role_level.value if role_level else None,
        industry,
        company_size.value if company_size else None,
        email,
        phone,
        source,
    ]
    return [
        str(lead_id),
        *(protect_formula(t or "") for t in texts),
        format_moment(cv_at, tz),
        owner,
        ActionStatus(status).label,
        Priority(priority).label if priority else "",
        next_action_date.isoformat() if next_action_date else "",
        protect_formula(memo or ""),
        str(calls),
        str(mails),
        format_moment(last_action_at, tz),
    ]
