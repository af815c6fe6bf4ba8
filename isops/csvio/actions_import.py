"""CSV import of activity history: the calls and mails a CRM recorded before isops.

So that 5C2M, "5 actions within 7 days of CV" and first-approach times reflect the team's
past, not only what was logged in Slack. One row is one touch on one lead:

    isops ID / 外部ID / メール  (the lead: the first of these the row fills decides)
    実施日時 (when), 種別 (架電 / メール / その他), 結果 (per channel, DOMAIN.md), メモ,
    担当者 (who: Slack id or e-mail of a registered member; blank = the lead's owner)

All or nothing: a check pass reads every row (each batch's leads and already imported keys
looked up read-only) and stops at its end if any row is bad; only then a write pass reads
the file again and inserts every new action and recomputes the touched leads' counters in
ONE transaction. The file is streamed, so memory grows only by a 16-byte fingerprint per row.

Idempotent: each action's key is `import:` + a hash of what identifies the touch — the lead
(by isops id, however the row named it), the moment (UTC), channel, outcome and memo — plus
its occurrence among identical rows of the file (`…:1`, `…:2`). Importing a file again, or
another export overlapping it, adds nothing already there; two identical rows are two
touches. The member is not part of the key: naming who made a touch later is not a new one.

An import never changes a lead's four fields, never sends a DM and never withdraws a pending
review; it only adds actions and recomputes counters (`services.counters`). A status-1 lead
that gains touches counts as approached from then on (`isops.approach`), while its status
stays 1 until someone logs a touch or a CRM import sets it: the CRM's status is the team's
record, and an activity file cannot say whether the lead is 2 or 3 today.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, BinaryIO, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops import limits
from isops.clock import utcnow
from isops.csvio.cells import (
    CellError,
    check_email,
    check_length,
    outcome_choices,
    parse_channel,
    parse_datetime,
    parse_isops_id,
    parse_outcome,
    unprotect_formula,
)
from isops.csvio.columns import Column, HeaderMap, header_lookup, match_headers
from isops.csvio.import_file import (
    EmailLookup,
    ImportFile,
    MemberRefs,
    batched,
    import_summary,
    too_wide,
)
from isops.csvio.row_errors import RowError, RowErrors
from isops.csvio.source import choose_encoding
from isops.enums import Channel, Outcome
from isops.errors import Conflict
from isops.models import Action, Lead
from isops.rules import Targets
from isops.services.assignment import is_slack_user_id
from isops.services.counters import recompute_counters
from isops.text import has_control
from isops.unit_of_work import UnitOfWorkFactory

BATCH_SIZE = 1000
KEY_PREFIX = "import:"
# No CRM of a working team holds touches from before this; older values are typing mistakes.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
# Outcomes a blank 結果 means: a mail in a CRM is a sent mail; other touches have one outcome.
DEFAULT_OUTCOME = {Channel.MAIL: Outcome.SENT, Channel.OTHER: Outcome.OTHER}

COLUMNS: tuple[Column, ...] = (
    Column("isops_id", "isops ID", "isops_id", ("リードID",)),
    Column("external_id", "外部ID", "external_id"),
    Column("email", "メール", "email", ("メールアドレス", "e-mail", "mail")),
    Column("acted_at", "実施日時", "acted_at", ("活動日時", "日時")),
    Column("channel", "種別", "channel", ("活動種別", "チャネル")),
    Column("outcome", "結果", "outcome", ("result",)),
    Column("memo", "メモ", "memo", ("アクションメモ", "内容")),
    Column("member", "担当者", "member", ("実施者",)),
)
_BY_KEY = {column.key: column for column in COLUMNS}
_LOOKUP = header_lookup(COLUMNS)
_LEAD_KEYS = ("isops_id", "external_id", "email")
_REQUIRED = ("acted_at", "channel")


@dataclass(frozen=True)
class ActionImportResult:
    rows: int
    imported: int  # new actions (to be) written
    already: int  # rows whose action an earlier import wrote
    leads: int  # leads whose counters were (or would be) recomputed
    errors: tuple[RowError, ...]  # the first MAX_ERRORS_KEPT, by line
    error_count: int
    dry_run: bool
    written: bool
    encoding: str
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary(self) -> str:
        """`120 行: 取込 100 件, 取込済み 20 件 (リード 35 件の集計を更新)`."""
        counts = (
            f"{self.rows} 行: 取込 {self.imported} 件, 取込済み {self.already} 件"
            f" (リード {self.leads} 件の集計を更新)"
        )
        return import_summary(
            counts, error_count=self.error_count, written=self.written, dry_run=self.dry_run
        )


# -- reading rows -----------------------------------------------------------------------------------


def _map_headers(row: Sequence[str]) -> HeaderMap:
    """The header row: a column naming the lead, and every required one."""
    mapped = match_headers(row, _LOOKUP)
    problems = list(mapped.problems)
    if not set(_LEAD_KEYS) & set(mapped.index):
        problems.append(
            "見出し行にリードを示す列 (isops ID / 外部ID / メール のどれか) がありません"
        )
    for key in _REQUIRED:
        if key not in mapped.index:
            column = _BY_KEY[key]
            problems.append(f"見出し行に {column.ja} ({column.en}) がありません")
    return replace(mapped, problems=tuple(problems))


@dataclass(frozen=True)
class _Row:
    line: int
    lead_key: str  # which of _LEAD_KEYS names the lead
    lead_ref: int | str
    external_id: str | None  # also checked against the lead found by isops ID
    acted_at: dt.datetime
    channel: Channel
    outcome: Outcome
    memo: str
    member_ref: str | None


def _cell_text(raw: str) -> str:
    return unprotect_formula(raw) if raw.startswith("'") else raw


def _member_ref(text: str) -> str:
    ref = check_length(text.strip(), limits.OWNER_REF)
    if "@" in ref:
        return limits.normalize_email(check_email(ref))
    if not is_slack_user_id(ref):
        raise CellError(f"「{ref}」は読めません (Slack ユーザー ID (U…) かメールアドレス)")
    return ref


def _acted_at(text: str, tz: ZoneInfo, now: dt.datetime) -> dt.datetime:
    moment = parse_datetime(text, tz)
    if moment > now:
        raise CellError(f"「{text}」は未来の日時です")
    if moment < EARLIEST:
        raise CellError(f"「{text}」は {EARLIEST:%Y} 年より前の日時です")
    return moment


class _RowReader:
    """Reads one record into a `_Row`, reporting every bad cell (not only the first)."""

    def __init__(
        self, headers: HeaderMap, width: int, tz: ZoneInfo, now: dt.datetime, errors: RowErrors
    ) -> None:
        self.headers = headers
        self.width = width
        self.tz = tz
        self.now = now
        self.errors = errors
        self.rows = 0

    def read(self, line: int, record: list[str]) -> _Row | None:
        if not any(cell.strip() for cell in record):
            return None  # blank lines (a trailing one, Excel's empty rows) are not rows
        self.rows += 1
        problem = too_wide(record, self.width)
        if problem is not None:
            self.errors.add(line, None, problem)
            return None
        cells: dict[str, str] = {}
        bad = False
        for key, position in self.headers.index.items():
            raw = record[position] if position < len(record) else ""
            if has_control(raw):
                self.errors.add(line, self.headers.name(key), "制御文字 (NUL など) は使えません")
                bad = True
            elif raw.strip():
                cells[key] = _cell_text(raw)
        if bad:
            return None
        return self._parse(line, cells)

    def _parse(self, line: int, cells: dict[str, str]) -> _Row | None:
        values: dict[str, Any] = {}
        bad = False

        def parse(key: str, reader: Callable[[str], Any]) -> None:
            nonlocal bad
            if key not in cells:
                return
            try:
                values[key] = reader(cells[key])
            except CellError as exc:
                self.errors.add(line, self.headers.name(key), str(exc))
                bad = True

        parse("isops_id", parse_isops_id)
        parse("external_id", lambda text: check_length(text.strip(), limits.EXTERNAL_ID))
        parse("email", lambda text: limits.normalize_email(check_email(text.strip())))
        parse("acted_at", lambda text: _acted_at(text, self.tz, self.now))
        parse("channel", parse_channel)
        parse(
            "memo",
            lambda text: check_length(text.replace("\r\n", "\n").strip(), limits.IMPORTED_MEMO),
        )
        parse("member", _member_ref)
        lead_key = next((key for key in _LEAD_KEYS if key in cells), None)
        if lead_key is None:
            self.errors.add(line, None, "リードを示す isops ID・外部ID・メール がどれも空です")
            bad = True
        for key in _REQUIRED:
            if key not in cells:
                self.errors.add(line, self.headers.name(key), "空欄です")
                bad = True
        channel: Channel | None = values.get("channel")
        if channel is not None:
            if "outcome" in cells:
                parse("outcome", lambda text: parse_outcome(text, channel))
            elif channel in DEFAULT_OUTCOME:
                values["outcome"] = DEFAULT_OUTCOME[channel]
            else:
                self.errors.add(
                    line,
                    self.headers.name("outcome"),
                    f"{channel.label}の結果が空欄です ({outcome_choices(channel)})",
                )
                bad = True
        if bad or lead_key is None or lead_key not in values:
            return None
        return _Row(
            line=line,
            lead_key=lead_key,
            lead_ref=values[lead_key],
            external_id=values.get("external_id"),
            acted_at=values["acted_at"],
            channel=values["channel"],
            outcome=values["outcome"],
            memo=values.get("memo", ""),
            member_ref=values.get("member"),
        )


# -- matching rows to leads and members -------------------------------------------------------------


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
    def load(cls, session: Session, rows: list[_Row]) -> _Found:
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
class _Planned:
    """A row matched to its lead and member, with its idempotency key."""

    line: int
    lead_id: int
    member_id: int | None
    acted_at: dt.datetime
    channel: Channel
    outcome: Outcome
    memo: str
    key: str


def _fingerprint(lead_id: int, row: _Row) -> str:
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


# -- the passes -------------------------------------------------------------------------------------


@dataclass
class _Pass:
    """One read of the file: what it found, and (in the write pass) what it wrote."""

    headers: HeaderMap | None = None
    errors: RowErrors = field(default_factory=RowErrors)
    rows: int = 0
    imported: int = 0
    already: int = 0
    leads: set[int] = field(default_factory=set)
    # Identical rows so far (fingerprint prefix → count), for each one's occurrence number.
    seen: dict[bytes, int] = field(default_factory=dict)

    def plan(self, session: Session, rows: list[_Row], members: MemberRefs) -> list[_Planned]:
        """Match the batch's rows to leads and members; the new actions among them."""
        found = _Found.load(session, rows)
        planned: list[_Planned] = []
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
                _Planned(
                    line=row.line,
                    lead_id=lead.id,
                    member_id=member_id,
                    acted_at=row.acted_at,
                    channel=row.channel,
                    outcome=row.outcome,
                    memo=row.memo,
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

    def _lead(self, row: _Row, found: _Found, headers: HeaderMap) -> _LeadRow | None:
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


_ACTIONS = cast(Table, Action.__table__)


def _read(
    stream: BinaryIO,
    encoding: str,
    tz: ZoneInfo,
    now: dt.datetime,
    state: _Pass,
    batch_size: int,
) -> Iterator[list[_Row]]:
    """The file's good rows in batches; header and cell problems go to `state.errors`."""
    reader: _RowReader | None = None
    with ImportFile(stream, encoding=encoding, errors=state.errors) as file:
        try:
            headers = file.header(_map_headers)
            state.headers = file.headers
            if headers is None:
                return
            reader = _RowReader(headers, file.width, tz, now, state.errors)
            rows = (
                row
                for number, record in file.records()
                if (row := reader.read(number, record)) is not None
            )
            yield from batched(rows, batch_size)
        finally:
            if reader is not None:
                state.rows = reader.rows


def _check(
    uow_factory: UnitOfWorkFactory,
    stream: BinaryIO,
    *,
    encoding: str,
    tz: ZoneInfo,
    now: dt.datetime,
    members: MemberRefs,
    batch_size: int,
) -> _Pass:
    """Read every row and match it, writing nothing (a unit of work per batch, rolled back)."""
    state = _Pass()
    for batch in _read(stream, encoding, tz, now, state, batch_size):
        members.resolve(row.member_ref for row in batch if row.member_ref)
        with uow_factory() as uow:
            state.plan(uow.session, batch, members)
    return state


def _write(
    uow_factory: UnitOfWorkFactory,
    stream: BinaryIO,
    *,
    encoding: str,
    tz: ZoneInfo,
    now: dt.datetime,
    members: MemberRefs,
    targets: Targets,
    batch_size: int,
) -> _Pass:
    """Read the file again and write it all in one transaction, or nothing."""
    state = _Pass()
    with uow_factory() as uow:
        session = uow.session
        for batch in _read(stream, encoding, tz, now, state, batch_size):
            new = state.plan(session, batch, members)
            if new and not state.errors.count:
                session.execute(
                    insert(_ACTIONS),
                    [
                        {
                            "lead_id": p.lead_id,
                            "member_id": p.member_id,
                            "channel": p.channel,
                            "outcome": p.outcome.value,
                            "memo": p.memo,
                            "acted_at": p.acted_at,
                            "idempotency_key": p.key,
                            "created_at": now,
                        }
                        for p in new
                    ],
                )
        if state.errors.count:
            return state  # changed since the check (a lead deleted …): roll everything back
        recompute_counters(session, lead_ids=state.leads, targets=targets)
        uow.commit()
    return state


def import_actions(
    uow_factory: UnitOfWorkFactory,
    *,
    stream: BinaryIO,
    tz: ZoneInfo,
    targets: Targets,
    lookup_email: EmailLookup | None = None,
    dry_run: bool = False,
    encoding: str | None = None,
    batch_size: int = BATCH_SIZE,
) -> ActionImportResult:
    """Check every row of an activity-history CSV, then (unless `dry_run` or any row is bad)
    add the new actions and recompute the touched leads' counters in one transaction.
    `stream` is read twice, so it must be seekable. Raises Conflict (nothing written) when a
    concurrent change collides with the write."""
    chosen = choose_encoding(stream, encoding)
    now = utcnow()
    members = MemberRefs(uow_factory, lookup_email)
    options: dict[str, Any] = {
        "encoding": chosen,
        "tz": tz,
        "now": now,
        "members": members,
        "batch_size": batch_size,
    }
    final = _check(uow_factory, stream, **options)
    written = False
    if not final.errors.count and not dry_run:
        try:
            final = _write(uow_factory, stream, targets=targets, **options)
        except IntegrityError:
            # Another import of the same rows, or a lead deleted, between the passes: the
            # transaction rolled back; running the file again sorts it out.
            raise Conflict(
                "取り込み中の別の変更と衝突したため何も取り込んでいません。"
                "同じファイルをもう一度取り込んでください"
            ) from None
        written = not final.errors.count
    headers = final.headers
    return ActionImportResult(
        rows=final.rows,
        imported=final.imported,
        already=final.already,
        leads=len(final.leads),
        errors=final.errors.sorted(),
        error_count=final.errors.count,
        dry_run=dry_run,
        written=written,
        encoding=chosen,
        ignored_columns=headers.ignored if headers is not None else (),
    )
