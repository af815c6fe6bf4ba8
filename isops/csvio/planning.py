"""Matching a batch of parsed rows to leads and planning each change (no writes here).

A row finds its lead by isops ID, else external id, else e-mail; a row with none of the three
by its company and contact folded (`leads.search_text`, as /lead's duplicate check) and, when
the row gives one, the same 流入日時. Rows later in a batch see the leads planned by earlier
ones, so a key twice in a file is one lead. What a batch needs from the database is read with
a fixed number of queries; leads are plain dicts, not ORM objects (100,000 rows must fit in a
minute, and identity-map bookkeeping would cost more than the database work).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from isops.csvio.columns import HeaderMap
from isops.csvio.import_file import MemberRefs, Tally
from isops.csvio.parsing import ParsedRow
from isops.enums import NEEDS_REVIEW_STATUSES, ActionStatus
from isops.lead_fields import InboundSources
from isops.messages import PENDING_REVIEW_LOCKED
from isops.models import Lead, LeadHistory, Member, NoActionReview
from isops.pending_review import is_pending
from isops.services.history import history_text
from isops.text import lead_search_text

Record = dict[str, Any]
LEADS = cast(Table, Lead.__table__)
HISTORY = cast(Table, LeadHistory.__table__)

# Fields a row may set, in the order they are compared.
FIELDS = (
    "external_id",
    "company",
    "contact_name",
    "title",
    "role_level",
    "industry",
    "company_size",
    "email",
    "phone",
    "source",
    "cv_at",
    "status",
    "priority",
    "next_action_date",
    "memo",
)
_LOADED = ("id", *FIELDS, "owner_id", "inbound", "search_text")
# Changes to these are kept in lead_history (the four CRM fields and the owner).
_HISTORY_FIELDS = frozenset({"status", "priority", "next_action_date", "memo", "owner_id"})
HISTORY_NOTE = "CSV 取込"
_KEYS = ("isops_id", "external_id", "email")


def _keyless(values: dict[str, Any]) -> bool:
    return "company" in values and not any(key in values for key in _KEYS)


def _search_key(values: dict[str, Any]) -> str:
    return lead_search_text(values["company"], values.get("contact_name"))


@dataclass
class _Batch:
    """Everything one batch needs from the database, loaded with a fixed number of queries."""

    by_id: dict[int, Record]
    by_external: dict[str, Record]
    by_email: dict[str, Record]  # lowest id with this e-mail
    by_email_free: dict[str, Record]  # lowest id with this e-mail and no external id
    by_search: dict[str, list[Record]]  # same company + contact, by id (keyless rows only)
    member_slack_ids: dict[int, str]
    pending_review: set[int]  # leads whose 4/6 waits for a manager (DOMAIN.md rule 3)

    @classmethod
    def load(cls, session: Session, rows: Sequence[ParsedRow]) -> _Batch:
        ids = {r.values["isops_id"] for r in rows if "isops_id" in r.values}
        # Rows found by isops ID too: a row may not give its lead another lead's external id.
        externals = {r.values["external_id"] for r in rows if "external_id" in r.values}
        columns = [LEADS.c[name] for name in _LOADED]
        records: dict[int, Record] = {}

        def fetch(where: Any) -> list[Record]:
            found = []
            for row in session.execute(select(*columns).where(where).order_by(LEADS.c.id)):
                record = records.setdefault(row.id, dict(row._mapping))
                found.append(record)
            return found

        by_id = {r["id"]: r for r in fetch(LEADS.c.id.in_(ids))} if ids else {}
        by_external: dict[str, Record] = {}
        if externals:
            by_external = {r["external_id"]: r for r in fetch(LEADS.c.external_id.in_(externals))}
        # E-mail only matters for rows not found by isops ID or external id.
        emails = {
            r.values["email"]
            for r in rows
            if "email" in r.values
            and "isops_id" not in r.values
            and r.values.get("external_id") not in by_external
        }
        by_email: dict[str, Record] = {}
        by_email_free: dict[str, Record] = {}
        if emails:
            for record in fetch(LEADS.c.email.in_(emails)):
                by_email.setdefault(record["email"], record)
                if record["external_id"] is None:
                    by_email_free.setdefault(record["email"], record)
        # An equality on an indexed column (ix_leads_search_text), like /lead's check.
        searches = {_search_key(r.values) for r in rows if _keyless(r.values)}
        by_search: dict[str, list[Record]] = {}
        if searches:
            for record in fetch(LEADS.c.search_text.in_(searches)):
                by_search.setdefault(record["search_text"], []).append(record)
        members = {
            mid: sid for mid, sid in session.execute(select(Member.id, Member.slack_user_id))
        }
        pending: set[int] = set()
        if records:
            pending = set(
                session.scalars(
                    select(NoActionReview.lead_id).where(
                        NoActionReview.lead_id.in_(records), is_pending()
                    )
                )
            )
        return cls(by_id, by_external, by_email, by_email_free, by_search, members, pending)


@dataclass
class Plan:
    """A batch's changes as plain rows, for `writing.execute_plan`."""

    creates: list[Record] = field(default_factory=list)
    updates: dict[int, Record] = field(default_factory=dict)  # lead id → changed columns
    history: list[Record] = field(default_factory=list)
    # Members whose leads the batch creates, changes, gives or takes: their Homes follow.
    owners: set[int] = field(default_factory=set)


@dataclass
class _NewLeads:
    """Leads planned earlier in the batch, findable by the later rows' keys."""

    by_external: dict[str, Record] = field(default_factory=dict)
    by_email: dict[str, Record] = field(default_factory=dict)
    by_search: dict[str, list[Record]] = field(default_factory=dict)


def _same_lead(candidates: Iterable[Record], key: str, cv_at: dt.datetime | None) -> Record | None:
    """The first lead with this company + contact and, when the row gives one, this CV time."""
    for lead in candidates:
        if lead["search_text"] == key and (cv_at is None or lead["cv_at"] == cv_at):
            return lead
    return None


def _find(row: ParsedRow, batch: _Batch, new: _NewLeads) -> Record | None:
    values = row.values
    external = values.get("external_id")
    email = values.get("email")
    if external is not None:
        lead = batch.by_external.get(external) or new.by_external.get(external)
        if lead is None and email is not None:
            lead = batch.by_email_free.get(email) or new.by_email.get(email)
            if lead is not None and lead.get("external_id") is not None:
                lead = None
        return lead
    if email is not None:
        return batch.by_email.get(email) or new.by_email.get(email)
    if _keyless(values):
        key = _search_key(values)
        candidates = [*batch.by_search.get(key, ()), *new.by_search.get(key, ())]
        return _same_lead(candidates, key, values.get("cv_at"))
    return None


def plan_batch(
    session: Session,
    rows: Sequence[ParsedRow],
    *,
    owners: MemberRefs,
    inbound_sources: InboundSources,
    tally: Tally,
    by_member_id: int | None,
    headers: HeaderMap,
    now: dt.datetime,
) -> Plan:
    """Match each row to a lead and plan its change; row problems go to `tally`."""
    batch = _Batch.load(session, rows)
    plan = Plan()
    new = _NewLeads()
    for row in rows:
        values = row.values
        owner_id: int | None = None
        if row.owner_ref is not None:
            match = owners.get(row.owner_ref)
            if match is None:
                tally.errors.add(
                    row.line,
                    headers.name("owner"),
                    f"{row.owner_ref} は isops のメンバーではありません"
                    " (isops member add で登録してください)",
                )
                continue
            owner_id = match.member_id
        if not row.valid:
            continue
        lead: Record | None
        if "isops_id" in values:
            lead = batch.by_id.get(values["isops_id"])
            if lead is None:
                tally.errors.add(
                    row.line,
                    headers.name("isops_id"),
                    f"isops ID {values['isops_id']} のリードはありません",
                )
                continue
        else:
            lead = _find(row, batch, new)

        if lead is None:
            if "company" not in values:
                tally.errors.add(
                    row.line, headers.name("company"), "新しいリードには会社名が必要です"
                )
                continue
            lead = _new_lead(now)
            # Company is required, so this also fills search_text (and inbound with a source).
            _apply(lead, values, owner_id, inbound_sources)
            plan.creates.append(lead)
            if lead["owner_id"] is not None:
                plan.owners.add(lead["owner_id"])
            if (external := values.get("external_id")) is not None:
                new.by_external[external] = lead
            if (email := values.get("email")) is not None:
                new.by_email.setdefault(email, lead)
            new.by_search.setdefault(lead["search_text"], []).append(lead)
            tally.created += 1
            continue

        problem = _conflict(lead, values, owner_id, batch, new, headers)
        if problem is not None:
            tally.errors.add(row.line, *problem)
            continue
        before = dict(lead)
        changed = _apply(lead, values, owner_id, inbound_sources)
        if not changed:
            tally.unchanged += 1
            continue
        tally.updated += 1
        plan.owners.update(o for o in (before.get("owner_id"), lead.get("owner_id")) if o)
        lead_id = lead.get("id")
        if lead_id is None:
            continue  # created earlier in this batch: the INSERT carries the change
        external, email = values.get("external_id"), values.get("email")
        if external is not None:
            batch.by_external[external] = lead
            if email is not None and batch.by_email_free.get(email) is lead:
                del batch.by_email_free[email]
        if "search_text" in changed:
            batch.by_search.setdefault(lead["search_text"], []).append(lead)
        plan.updates.setdefault(lead_id, {}).update({name: lead[name] for name in changed})
        plan.history.extend(
            _history(lead_id, name, before, lead, batch, by_member_id, now)
            for name in changed
            if name in _HISTORY_FIELDS
        )
    return plan


def _apply(
    lead: Record, values: dict[str, Any], owner_id: int | None, inbound_sources: InboundSources
) -> list[str]:
    """Set the row's values on `lead`; returns the names of the columns that changed."""
    changed: list[str] = []
    for key in FIELDS:
        if key in values and lead.get(key) != values[key]:
            lead[key] = values[key]
            changed.append(key)
    if owner_id is not None and lead.get("owner_id") != owner_id:
        lead["owner_id"] = owner_id
        changed.append("owner_id")
    if "company" in changed or "contact_name" in changed:
        search_text = lead_search_text(lead["company"], lead.get("contact_name"))
        if search_text != lead.get("search_text"):
            lead["search_text"] = search_text
            changed.append("search_text")
    if "source" in changed:
        lead["inbound"] = inbound_sources.match(lead["source"])
        changed.append("inbound")
    return changed


def _new_lead(now: dt.datetime) -> Record:
    """A complete row for INSERT (every column, so one executemany takes the batch)."""
    record: Record = {name: None for name in FIELDS}
    record.update(
        status=ActionStatus.UNTOUCHED,
        memo="",
        cv_at=now,
        owner_id=None,
        inbound=False,
        search_text="",
        call_count=0,
        mail_count=0,
        early_action_count=0,
        first_action_at=None,
        last_action_at=None,
        last_outcome=None,
        created_at=now,
        updated_at=now,
    )
    return record


def _conflict(
    lead: Record,
    values: dict[str, Any],
    owner_id: int | None,
    batch: _Batch,
    new: _NewLeads,
    headers: HeaderMap,
) -> tuple[str, str] | None:
    """Why this row may not change this lead: (column, message), or None."""
    external = values.get("external_id")
    current = lead.get("external_id")
    if external is not None and current != external:
        if current is not None:
            return headers.name("external_id"), (
                f"このリードの外部ID は {current} です (ファイルでは {external})"
            )
        holder = batch.by_external.get(external) or new.by_external.get(external)
        if holder is not None and holder is not lead:
            return headers.name("external_id"), (f"外部ID {external} は別のリードが使っています")
    status = values.get("status")
    if lead.get("id") in batch.pending_review:
        # DOMAIN.md rule 3: the manager decides this lead's status next; a file must not
        # settle it (or hand the lead to someone else) behind the review's back.
        if status is not None and status != lead["status"]:
            return headers.name("status"), PENDING_REVIEW_LOCKED
        if owner_id is not None and owner_id != lead["owner_id"]:
            return headers.name("owner"), PENDING_REVIEW_LOCKED
    if (
        lead.get("id") is not None
        and status is not None
        and status != lead["status"]
        and status in NEEDS_REVIEW_STATUSES
    ):
        # DOMAIN.md rule 3: 対応不要 / 接続後不対応 only through a manager's review.
        return headers.name("status"), (
            f"ステータスを {ActionStatus(status).label} に変えるにはマネージャーの承認が必要です"
            " (Slack の記録から申請してください)"
        )
    return None


def _history(
    lead_id: int,
    name: str,
    before: Record,
    after: Record,
    batch: _Batch,
    by_member_id: int | None,
    now: dt.datetime,
) -> Record:
    if name == "owner_id":
        field_name = "owner"
        old = batch.member_slack_ids.get(before["owner_id"]) if before["owner_id"] else None
        new = batch.member_slack_ids.get(after["owner_id"]) if after["owner_id"] else None
    else:
        field_name = name
        old, new = history_text(before[name]), history_text(after[name])
    return {
        "lead_id": lead_id,
        "member_id": by_member_id,
        "field": field_name,
        "old_value": old,
        "new_value": new,
        "note": HISTORY_NOTE,
        "changed_at": now,
    }
