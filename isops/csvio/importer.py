"""CSV import of leads, for CRM round trips.

The file is streamed twice: a validation pass reads every row (and looks up the leads each
row would touch, read-only) and stops everything at the first pass's end if any row is bad;
only then a write pass applies the same rows in batches, one transaction per batch. Memory
depends on the batch size, not on the file. A re-import of the same file matches the same
leads (isops ID, else external id, else e-mail) and reports them as unchanged.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, BinaryIO, Literal, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, bindparam, insert, select, text, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops import limits
from isops.clock import utcnow
from isops.csvio.cells import (
    CellError,
    check_email,
    parse_date,
    parse_datetime,
    parse_priority,
    parse_role_level,
    parse_status,
    unprotect_formula,
)
from isops.csvio.columns import BY_KEY, HeaderMap, map_headers
from isops.csvio.source import (
    UnreadableFile,
    detect_encoding,
    iter_records,
    normalize_encoding,
    total_bytes,
)
from isops.enums import ActionStatus, Role
from isops.errors import NotAllowed
from isops.models import Lead, LeadHistory, Member, NoActionReview
from isops.services.assignment import OwnerMatch, is_slack_user_id, owners_by_ref
from isops.services.history import history_text
from isops.services.lookup import require_member
from isops.text import fold, lead_search_text
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory

BATCH_SIZE = 1000
MAX_ERRORS_KEPT = 200
PHASE_CHECK = "検証"
PHASE_WRITE = "取込"

OwnerBy = Literal["auto", "email", "slack-id"]
# users.lookupByEmail (or a stand-in): e-mail → Slack user id, None when unknown.
EmailLookup = Callable[[str], str | None]
# (phase, bytes read, bytes in the file)
Progress = Callable[[str, int, int], None]

_TEXT_LIMITS = {
    "external_id": limits.EXTERNAL_ID,
    "company": limits.COMPANY,
    "contact_name": limits.CONTACT_NAME,
    "title": limits.TITLE,
    "industry": limits.INDUSTRY,
    "email": limits.EMAIL,
    "phone": limits.PHONE,
    "source": limits.SOURCE,
    "memo": limits.IMPORTED_MEMO,
}
# Fields a row may set, in the order they are compared.
_FIELDS = (
    "external_id",
    "company",
    "contact_name",
    "title",
    "role_level",
    "industry",
    "email",
    "phone",
    "source",
    "cv_at",
    "status",
    "priority",
    "next_action_date",
    "memo",
)
# Changes to these are kept in lead_history (the four CRM fields and the owner).
_HISTORY_FIELDS = frozenset({"status", "priority", "next_action_date", "memo", "owner_id"})
_NEEDS_REVIEW = (ActionStatus.NO_ACTION_BEFORE_CONNECT, ActionStatus.NO_ACTION_AFTER_CONNECT)
# A literal, not a bound parameter, so SQLite can use the partial unique index on pending
# reviews (its WHERE clause is exactly this text).
_PENDING_REVIEW = text("no_action_reviews.state = 'pending'")
PENDING_REVIEW_LOCKED = (
    "承認待ちのため変更できません (対応不要の申請をマネージャーが判断してから取り込んでください)"
)


@dataclass(frozen=True)
class ImportPolicy:
    """Team settings the import needs (from `Settings`)."""

    tz: ZoneInfo
    inbound_sources: tuple[str, ...]


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        if self.column:
            return f"行 {self.line}, 列 {self.column}: {self.message}"
        return f"行 {self.line}: {self.message}"


@dataclass(frozen=True)
class ImportResult:
    rows: int
    created: int
    updated: int
    unchanged: int
    errors: tuple[RowError, ...]  # the first MAX_ERRORS_KEPT
    error_count: int
    dry_run: bool
    written: bool
    encoding: str
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        """`100 行: 新規 90 件, 更新 5 件, 変更なし 5 件` (plus what was not done)."""
        counts = (
            f"{self.rows} 行: 新規 {self.created} 件, 更新 {self.updated} 件,"
            f" 変更なし {self.unchanged} 件"
        )
        if self.error_count and not self.written:
            return f"エラー {self.error_count} 件のため何も取り込んでいません"
        if self.dry_run:
            return f"(試行のみ・未保存) {counts}"
        return counts


@dataclass
class _Row:
    line: int
    values: dict[str, Any]
    owner_ref: str | None
    # False when a cell could not be read: the row is only checked for its owner, so
    # every problem of the file is listed in one go.
    valid: bool = True


@dataclass
class _Tally:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    error_count: int = 0

    def error(self, line: int, column: str | None, message: str) -> None:
        self.error_count += 1
        if len(self.errors) < MAX_ERRORS_KEPT:
            self.errors.append(RowError(line, column, message))


class _Owners:
    """Owner references (e-mail or Slack id) → members, resolved once per distinct value.

    E-mails are matched to registered members first, then through Slack
    (users.lookupByEmail) — outside any database transaction."""

    def __init__(self, uow_factory: UnitOfWorkFactory, lookup_email: EmailLookup | None) -> None:
        self._uow_factory = uow_factory
        self._lookup_email = lookup_email
        self.cache: dict[str, OwnerMatch | None] = {}

    def resolve(self, refs: Iterable[str]) -> None:
        missing = {r for r in refs if r not in self.cache}
        if not missing:
            return
        found = owners_by_ref(self._uow_factory(), refs=missing)
        self.cache.update(found)
        emails = sorted(r for r in missing if r not in found and "@" in r)
        if emails and self._lookup_email is not None:
            slack_ids = {email: self._lookup_email(email) for email in emails}
            known = owners_by_ref(self._uow_factory(), refs=[s for s in slack_ids.values() if s])
            for email, slack_id in slack_ids.items():
                if slack_id and slack_id in known:
                    self.cache[email] = known[slack_id]
        for ref in missing:
            self.cache.setdefault(ref, None)


def _text_parser(key: str) -> Callable[[str], str]:
    limit = _TEXT_LIMITS[key]

    def parse(raw: str) -> str:
        value = raw if key == "memo" else raw.strip()
        if len(value) > limit:
            raise CellError(f"{limit} 文字以内にしてください ({len(value)} 文字)")
        if key == "email":
            # Stored lower-cased on every path, so `email IN (…)` matches any spelling.
            return limits.normalize_email(check_email(value))
        return value

    return parse


def _owner_parser(owner_by: OwnerBy) -> Callable[[str], str]:
    def parse(raw: str) -> str:
        ref = raw.strip()
        if owner_by == "slack-id" or (owner_by == "auto" and "@" not in ref):
            if not is_slack_user_id(ref):
                hint = "" if owner_by == "slack-id" else "メールアドレスか "
                raise CellError(
                    f"「{ref}」は読めません ({hint}Slack ユーザー ID (U…) で指定してください)"
                )
            return ref
        return check_email(ref)

    return parse


def _isops_id(raw: str) -> int:
    number = raw.strip()
    if not number.isdigit():
        raise CellError(f"「{number}」は isops のリード番号ではありません")
    return int(number)


@dataclass(frozen=True)
class _Cell:
    key: str
    position: int
    header: str  # as written in the file, for errors
    parse: Callable[[str], Any]


def _cells(headers: HeaderMap, policy: ImportPolicy, owner_by: OwnerBy) -> list[_Cell]:
    """How to read each mapped column, decided once per file."""
    tz = policy.tz
    by_key: dict[str, Callable[[str], Any]] = {
        "isops_id": _isops_id,
        "owner": _owner_parser(owner_by),
        "status": parse_status,
        "priority": parse_priority,
        "role_level": parse_role_level,
        "cv_at": lambda raw: parse_datetime(raw, tz),
        "next_action_date": lambda raw: parse_date(raw, tz),
        **{key: _text_parser(key) for key in _TEXT_LIMITS},
    }
    return [
        _Cell(key, position, headers.names[key], by_key[key])
        for key, position in headers.index.items()
    ]


def _parse_row(
    line: int, record: list[str], cells: list[_Cell], width: int, tally: _Tally
) -> _Row | None:
    """One record's cells read into lead values; None for a blank or too wide row."""
    if not any(cell.strip() for cell in record):
        return None
    tally.rows += 1
    size = len(record)
    if size > width and any(cell.strip() for cell in record[width:]):
        tally.error(line, None, f"見出しより列が多いです ({size} 列, 見出しは {width} 列)")
        return None
    values: dict[str, Any] = {}
    bad = False
    for cell in cells:
        raw = record[cell.position] if cell.position < size else ""
        if not raw or raw.isspace():
            continue  # blank: leave the lead's value as it is
        if raw[0] == "'":
            raw = unprotect_formula(raw)
        try:
            values[cell.key] = cell.parse(raw)
        except CellError as exc:
            tally.error(line, cell.header, str(exc))
            bad = True
    return _Row(line, values, values.pop("owner", None), valid=not bad)


# A lead as the import sees it: plain column values (no ORM objects: 100,000 rows must fit
# in a minute, and identity-map bookkeeping would cost more than the database work).
Record = dict[str, Any]
_LEADS = cast(Table, Lead.__table__)
_HISTORY = cast(Table, LeadHistory.__table__)
_LOADED = ("id", *_FIELDS, "owner_id", "inbound", "search_text")


@dataclass
class _Batch:
    """Everything one batch needs from the database, loaded with five queries."""

    by_id: dict[int, Record]
    by_external: dict[str, Record]
    by_email: dict[str, Record]  # lowest id with this e-mail
    by_email_free: dict[str, Record]  # lowest id with this e-mail and no external id
    member_slack_ids: dict[int, str]
    pending_review: set[int]  # leads whose 4/6 waits for a manager (DOMAIN.md rule 3)

    @classmethod
    def load(cls, session: Session, rows: list[_Row]) -> _Batch:
        ids = {r.values["isops_id"] for r in rows if "isops_id" in r.values}
        externals = {
            r.values["external_id"]
            for r in rows
            if "external_id" in r.values and "isops_id" not in r.values
        }
        columns = [_LEADS.c[name] for name in _LOADED]
        records: dict[int, Record] = {}

        def fetch(where: Any) -> list[Record]:
            found = []
            for row in session.execute(select(*columns).where(where).order_by(_LEADS.c.id)):
                record = records.setdefault(row.id, dict(row._mapping))
                found.append(record)
            return found

        by_id = {r["id"]: r for r in fetch(_LEADS.c.id.in_(ids))} if ids else {}
        by_external: dict[str, Record] = {}
        if externals:
            by_external = {r["external_id"]: r for r in fetch(_LEADS.c.external_id.in_(externals))}
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
            for record in fetch(_LEADS.c.email.in_(emails)):
                by_email.setdefault(record["email"], record)
                if record["external_id"] is None:
                    by_email_free.setdefault(record["email"], record)
        members = {
            mid: sid for mid, sid in session.execute(select(Member.id, Member.slack_user_id))
        }
        pending: set[int] = set()
        if records:
            pending = set(
                session.scalars(
                    select(NoActionReview.lead_id).where(
                        NoActionReview.lead_id.in_(records), _PENDING_REVIEW
                    )
                )
            )
        return cls(by_id, by_external, by_email, by_email_free, members, pending)


@dataclass
class _Writes:
    """The batch's statements, executed together at its end (only in the write pass)."""

    creates: list[Record] = field(default_factory=list)
    updates: dict[int, Record] = field(default_factory=dict)
    history: list[Record] = field(default_factory=list)

    def execute(self, session: Session, now: dt.datetime) -> None:
        if self.creates:
            session.execute(insert(_LEADS), self.creates)
        by_keys: dict[tuple[str, ...], list[Record]] = {}
        for lead_id, changes in self.updates.items():
            one = {**changes, "updated_at": now, "b_id": lead_id}
            by_keys.setdefault(tuple(sorted(one)), []).append(one)
        for keys, params in by_keys.items():
            statement = (
                update(_LEADS)
                .where(_LEADS.c.id == bindparam("b_id"))
                .values({key: bindparam(key) for key in keys if key != "b_id"})
            )
            session.execute(statement, params)
        if self.history:
            session.execute(insert(_HISTORY), self.history)


def _apply(
    lead: Record, values: dict[str, Any], owner_id: int | None, inbound_sources: frozenset[str]
) -> list[str]:
    """Set the row's values on `lead`; returns the names of the columns that changed."""
    changed: list[str] = []
    for key in _FIELDS:
        if key in values and lead.get(key) != values[key]:
            lead[key] = values[key]
            changed.append(key)
    if owner_id is not None and lead.get("owner_id") != owner_id:
        lead["owner_id"] = owner_id
        changed.append("owner_id")
    if "company" in changed or "contact_name" in changed:
        lead["search_text"] = lead_search_text(lead["company"], lead.get("contact_name"))
        changed.append("search_text")
    if "source" in changed:
        lead["inbound"] = bool(lead["source"]) and fold(lead["source"]) in inbound_sources
        changed.append("inbound")
    return changed


def _new_lead(now: dt.datetime) -> Record:
    """A complete row for INSERT (every column, so one executemany takes the batch)."""
    record: Record = {name: None for name in _FIELDS}
    record.update(
        status=int(ActionStatus.UNTOUCHED),
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


def _process_batch(
    session: Session,
    rows: list[_Row],
    *,
    owners: _Owners,
    inbound_sources: frozenset[str],
    tally: _Tally,
    writes: _Writes,
    by_member_id: int | None,
    names: dict[str, str],
) -> None:
    """Match each row to a lead and plan its change (into `writes`)."""
    batch = _Batch.load(session, rows)
    new_by_external: dict[str, Record] = {}
    new_by_email: dict[str, Record] = {}
    now = utcnow().replace(microsecond=0)
    for row in rows:
        values = row.values
        owner_id: int | None = None
        if row.owner_ref is not None:
            match = owners.cache.get(row.owner_ref)
            if match is None:
                tally.error(
                    row.line,
                    _column(names, "owner"),
                    f"{row.owner_ref} は isops のメンバーではありません"
                    " (isops member add で登録してください)",
                )
                continue
            owner_id = match.member_id
        if not row.valid:
            continue
        external = values.get("external_id")
        email = values.get("email")
        lead: Record | None
        if "isops_id" in values:
            lead = batch.by_id.get(values["isops_id"])
            if lead is None:
                tally.error(
                    row.line,
                    _column(names, "isops_id"),
                    f"isops ID {values['isops_id']} のリードはありません",
                )
                continue
        elif external is not None:
            lead = batch.by_external.get(external) or new_by_external.get(external)
            if lead is None and email is not None:
                lead = batch.by_email_free.get(email) or new_by_email.get(email)
                if lead is not None and lead.get("external_id") is not None:
                    lead = None
        elif email is not None:
            lead = batch.by_email.get(email) or new_by_email.get(email)
        else:
            lead = None

        if lead is None:
            if "company" not in values:
                tally.error(row.line, _column(names, "company"), "新しいリードには会社名が必要です")
                continue
            lead = _new_lead(now)
            # Company is required, so this also fills search_text (and inbound with a source).
            _apply(lead, values, owner_id, inbound_sources)
            writes.creates.append(lead)
            if external is not None:
                new_by_external[external] = lead
            if email is not None:
                new_by_email.setdefault(email, lead)
            tally.created += 1
            continue

        problem = _conflict(lead, values, owner_id, batch, new_by_external, names)
        if problem is not None:
            tally.error(row.line, *problem)
            continue
        before = dict(lead)
        changed = _apply(lead, values, owner_id, inbound_sources)
        if not changed:
            tally.unchanged += 1
            continue
        tally.updated += 1
        lead_id = lead.get("id")
        if lead_id is None:
            continue  # created earlier in this batch: the INSERT carries the change
        if external is not None:
            batch.by_external[external] = lead
            if email is not None and batch.by_email_free.get(email) is lead:
                del batch.by_email_free[email]
        pending = writes.updates.setdefault(lead_id, {})
        pending.update({name: lead[name] for name in changed})
        writes.history.extend(
            _history(lead_id, name, before, lead, batch, by_member_id, now)
            for name in changed
            if name in _HISTORY_FIELDS
        )


def _column(names: dict[str, str], key: str) -> str:
    """The column's header as the file wrote it (for `行 12, 列 メール: …`)."""
    return names.get(key) or BY_KEY[key].ja


def _conflict(
    lead: Record,
    values: dict[str, Any],
    owner_id: int | None,
    batch: _Batch,
    new_by_external: dict[str, Record],
    names: dict[str, str],
) -> tuple[str, str] | None:
    """Why this row may not change this lead: (column, message), or None."""
    external = values.get("external_id")
    current = lead.get("external_id")
    if external is not None and current != external:
        if current is not None:
            return _column(names, "external_id"), (
                f"このリードの外部ID は {current} です (ファイルでは {external})"
            )
        holder = batch.by_external.get(external) or new_by_external.get(external)
        if holder is not None and holder is not lead:
            return _column(names, "external_id"), f"外部ID {external} は別のリードが使っています"
    status = values.get("status")
    if lead.get("id") in batch.pending_review:
        # DOMAIN.md rule 3: the manager decides this lead's status next; a file must not
        # settle it (or hand the lead to someone else) behind the review's back.
        if status is not None and status != lead["status"]:
            return _column(names, "status"), PENDING_REVIEW_LOCKED
        if owner_id is not None and owner_id != lead["owner_id"]:
            return _column(names, "owner"), PENDING_REVIEW_LOCKED
    if (
        lead.get("id") is not None
        and status is not None
        and status != lead["status"]
        and status in _NEEDS_REVIEW
    ):
        # DOMAIN.md rule 3: 対応不要 / 接続後不対応 only through a manager's review.
        return _column(names, "status"), (
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
        "note": "CSV 取込",
        "changed_at": now,
    }


class _PlannerStatistics:
    """PostgreSQL plans the batch look-ups (`email IN (…)`) from table statistics; a table
    that grew from nearly empty during the import still looks empty until autovacuum gets
    to it, and the look-ups turn into full scans. ANALYZE each time the import has doubled
    what it created (a handful of times for 100,000 rows). SQLite needs nothing."""

    def __init__(self) -> None:
        self._next = 1000

    def after_batch(self, uow_factory: UnitOfWorkFactory, created: int) -> None:
        if created < self._next:
            return
        self._next = created * 2
        with uow_factory() as uow:
            if uow.session.get_bind().dialect.name != "postgresql":
                return
            uow.session.execute(text("ANALYZE leads"))
            uow.commit()


def _batches(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    batch: list[_Row] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _pass(
    uow_factory: UnitOfWorkFactory,
    stream: BinaryIO,
    *,
    encoding: str,
    policy: ImportPolicy,
    owner_by: OwnerBy,
    owners: _Owners,
    write: bool,
    progress: Progress | None,
    by_member_id: int | None,
    batch_size: int,
) -> tuple[_Tally, tuple[str, ...]]:
    tally = _Tally()
    inbound_sources = frozenset(fold(source) for source in policy.inbound_sources)
    phase = PHASE_WRITE if write else PHASE_CHECK
    total = total_bytes(stream)

    def on_bytes(done: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    records = iter_records(stream, encoding=encoding, on_bytes=on_bytes)
    ignored: tuple[str, ...] = ()
    try:
        first = next(records, None)
        if first is None:
            tally.error(1, None, "空のファイルです (1 行目に見出しが必要です)")
            return tally, ignored
        header_line, header_row = first
        headers = map_headers(header_row)
        ignored = headers.ignored
        for problem in headers.problems:
            tally.error(header_line, None, problem)
        if headers.problems:
            return tally, ignored
        width = len(header_row)
        cells = _cells(headers, policy, owner_by)

        def rows() -> Iterator[_Row]:
            for line, record in records:
                row = _parse_row(line, record, cells, width, tally)
                if row is not None:
                    yield row

        statistics = _PlannerStatistics()
        for batch in _batches(rows(), batch_size):
            owners.resolve(r.owner_ref for r in batch if r.owner_ref)
            _run_batch(
                uow_factory,
                batch,
                owners=owners,
                inbound_sources=inbound_sources,
                tally=tally,
                write=write,
                by_member_id=by_member_id,
                names=headers.names,
            )
            if write:
                statistics.after_batch(uow_factory, tally.created)
    except UnreadableFile as exc:
        tally.error(exc.line, None, f"{exc} (この行の付近)")
    if progress is not None:
        progress(phase, total, total)
    return tally, ignored


def _run_batch(
    uow_factory: UnitOfWorkFactory,
    batch: list[_Row],
    *,
    owners: _Owners,
    inbound_sources: frozenset[str],
    tally: _Tally,
    write: bool,
    by_member_id: int | None,
    names: dict[str, str],
) -> None:
    writes = _Writes()
    before = (tally.created, tally.updated, tally.unchanged)
    with uow_factory() as uow:
        _process_batch(
            uow.session,
            batch,
            owners=owners,
            inbound_sources=inbound_sources,
            tally=tally,
            writes=writes,
            by_member_id=by_member_id,
            names=names,
        )
        if not write:
            return  # the validation pass: the unit of work rolls back, nothing was sent
        try:
            writes.execute(uow.session, utcnow())
            uow.commit()
        except IntegrityError:
            # Someone created one of these leads between the two passes: report the
            # batch; running the same file again picks up where this stopped.
            uow.rollback()
            tally.created, tally.updated, tally.unchanged = before
            tally.error(
                batch[0].line,
                None,
                f"行 {batch[0].line}〜{batch[-1].line} は取り込み中の別の変更と衝突したため"
                " 取り込んでいません。同じファイルをもう一度取り込んでください",
            )


def import_leads(
    uow_factory: UnitOfWorkFactory,
    *,
    stream: BinaryIO,
    policy: ImportPolicy,
    owner_by: OwnerBy = "auto",
    lookup_email: EmailLookup | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    progress: Progress | None = None,
    by_member_id: int | None = None,
    batch_size: int = BATCH_SIZE,
) -> ImportResult:
    """Validate every row of a CSV, then (unless `dry_run` or any row is bad) create or
    update the leads in batches. `stream` is read twice, so it must be seekable."""
    chosen = (
        normalize_encoding(encoding) if encoding and encoding != "auto" else detect_encoding(stream)
    )
    owners = _Owners(uow_factory, lookup_email)
    options: dict[str, Any] = {
        "encoding": chosen,
        "policy": policy,
        "owner_by": owner_by,
        "owners": owners,
        "progress": progress,
        "by_member_id": by_member_id,
        "batch_size": batch_size,
    }
    check, ignored = _pass(uow_factory, stream, write=False, **options)
    final = check
    written = False
    if check.error_count == 0 and not dry_run:
        final, ignored = _pass(uow_factory, stream, write=True, **options)
        written = True
    return ImportResult(
        rows=final.rows,
        created=final.created,
        updated=final.updated,
        unchanged=final.unchanged,
        errors=tuple(sorted(final.errors, key=lambda error: error.line)),
        error_count=final.error_count,
        dry_run=dry_run,
        written=written,
        encoding=chosen,
        ignored_columns=ignored,
    )


def authorize_import(uow: UnitOfWork, *, slack_user_id: str) -> int:
    """The member id of an admin allowed to import from Slack (decided from the database)."""
    with uow:
        member = require_member(uow.session, slack_user_id)
        if not member.active or member.role != Role.ADMIN:
            raise NotAllowed("リードの取り込みは管理者 (admin) だけが行えます")
        return member.id


def import_pasted_csv(
    uow_factory: UnitOfWorkFactory,
    *,
    by_slack_user_id: str,
    text: str,
    policy: ImportPolicy,
    lookup_email: EmailLookup | None = None,
    dry_run: bool = False,
) -> ImportResult:
    """CSV pasted into Slack by an admin: the same checks and writes as the CLI import."""
    member_id = authorize_import(uow_factory(), slack_user_id=by_slack_user_id)
    return import_leads(
        uow_factory,
        stream=io.BytesIO(text.encode("utf-8")),
        policy=policy,
        lookup_email=lookup_email,
        dry_run=dry_run,
        encoding="utf-8",
        by_member_id=member_id,
    )
