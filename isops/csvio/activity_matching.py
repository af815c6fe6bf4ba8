"""Matching an activity file's rows to leads and members (`actions_import`), each with the
key that makes importing it twice add nothing (see there)."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.csvio.activity_rows import ActivityRow
from isops.csvio.columns import HeaderMap
from isops.csvio.import_file import MemberRefs
from isops.csvio.row_errors import RowErrors
from isops.enums import Channel, Outcome
from isops.models import Action, Lead
from isops.projection import from_attributes

KEY_PREFIX = "import:"


@dataclass(frozen=True)
class _LeadRow:
    id: int
    owner_id: int | None
    external_id: str | None


@dataclass
class _Found:
    """A batch's leads by each key, loaded with at most three queries."""

    by_id: dict[int, _LeadRow] = field(default_factory=dict)
    by_external: dict[str, _LeadRow] = field(default_factory=dict)
    by_email: dict[str, list[_LeadRow]] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, rows: list[ActivityRow]) -> _Found:
        wanted: dict[str, set[Any]] = defaultdict(set)
        for row in rows:
            wanted[row.lead_key].add(row.lead_ref)
        found = cls()
        columns = (Lead.id, Lead.owner_id, Lead.external_id, Lead.email)
        if wanted["isops_id"]:
            for r in session.execute(select(*columns).where(Lead.id.in_(wanted["isops_id"]))):
                found.by_id[r.id] = _LeadRow(r.id, r.owner_id, r.external_id)
        if wanted["external_id"]:
            stmt = select(*columns).where(Lead.external_id.in_(wanted["external_id"]))
            for r in session.execute(stmt):
                found.by_external[r.external_id] = _LeadRow(r.id, r.owner_id, r.external_id)
        if wanted["email"]:
            stmt = select(*columns).where(Lead.email.in_(wanted["email"])).order_by(Lead.id)
            for r in session.execute(stmt):
                found.by_email.setdefault(r.email, []).append(
                    _LeadRow(r.id, r.owner_id, r.external_id)
                )
        return found


@dataclass(frozen=True)
class PlannedAction:
    """A row matched to its lead and member, with its idempotency key."""

    line: int
    lead_id: int
    member_id: int | None
    acted_at: dt.datetime
    channel: Channel
    outcome: Outcome
    memo: str
    key: str


def _fingerprint(lead_id: int, row: ActivityRow) -> str:
    text = "\x1f".join(
        (
            str(lead_id),
            row.acted_at.astimezone(dt.UTC).isoformat(),
            row.channel.value,
            row.outcome.value,
            row.memo,
        )
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class ActivityPass:
    """One read of the file: what it found, and (in the write pass) what it wrote."""

    headers: HeaderMap | None = None
    errors: RowErrors = field(default_factory=RowErrors)
    rows: int = 0
    imported: int = 0
    already: int = 0
    leads: set[int] = field(default_factory=set)
    # Identical rows so far (fingerprint prefix → count), for each one's occurrence number.
    seen: dict[bytes, int] = field(default_factory=dict)

    def plan(
        self, session: Session, rows: list[ActivityRow], members: MemberRefs
    ) -> list[PlannedAction]:
        """Match the batch's rows to leads and members; the new actions among them."""
        found = _Found.load(session, rows)
        planned: list[PlannedAction] = []
        assert self.headers is not None
        headers = self.headers
        for row in rows:
            lead = self._lead(row, found, headers)
            if lead is None:
                continue
            if row.member_ref is None:
                member_id = lead.owner_id
            else:
                member = members.get(row.member_ref)
                member_id = member.member_id if member is not None else None
                if member_id is None:
                    self.errors.add(
                        row.line,
                        headers.name("member"),
                        f"{row.member_ref} は isops のメンバーではありません"
                        " (isops member add で登録するか、空欄ならリードの担当者になります)",
                    )
                    continue
            fingerprint = _fingerprint(lead.id, row)
            digest = bytes.fromhex(fingerprint[:32])
            occurrence = self.seen.get(digest, 0) + 1
            self.seen[digest] = occurrence
            planned.append(
                from_attributes(
                    PlannedAction,
                    row,
                    lead_id=lead.id,
                    member_id=member_id,
                    key=f"{KEY_PREFIX}{fingerprint}:{occurrence}",
                )
            )
        existing = (
            set(
                session.scalars(
                    select(Action.idempotency_key).where(
                        Action.idempotency_key.in_([p.key for p in planned])
                    )
                )
            )
            if planned
            else set()
        )
        new = [p for p in planned if p.key not in existing]
        self.already += len(planned) - len(new)
        self.imported += len(new)
        self.leads.update(p.lead_id for p in new)
        return new

    def _lead(self, row: ActivityRow, found: _Found, headers: HeaderMap) -> _LeadRow | None:
        column = headers.name(row.lead_key)
        if row.lead_key == "isops_id":
            lead = found.by_id.get(cast(int, row.lead_ref))
            if lead is None:
                self.errors.add(row.line, column, f"isops ID {row.lead_ref} のリードはありません")
                return None
            if row.external_id and lead.external_id and row.external_id != lead.external_id:
                self.errors.add(
                    row.line,
                    headers.name("external_id"),
                    f"isops ID {lead.id} のリードの外部ID は {lead.external_id} です"
                    f" (ファイルでは {row.external_id})",
                )
                return None
            return lead
        if row.lead_key == "external_id":
            lead = found.by_external.get(cast(str, row.lead_ref))
            if lead is None:
                self.errors.add(row.line, column, f"外部ID {row.lead_ref} のリードはありません")
            return lead
        leads = found.by_email.get(cast(str, row.lead_ref), [])
        if not leads:
            self.errors.add(row.line, column, f"メール {row.lead_ref} のリードはありません")
            return None
        if len(leads) > 1:
            ids = ", ".join(str(lead.id) for lead in leads[:5])
            self.errors.add(
                row.line,
                column,
                f"メール {row.lead_ref} のリードが複数あります (isops ID {ids}):"
                " isops ID か外部ID の列で指定してください",
            )
            return None
        return leads[0]
