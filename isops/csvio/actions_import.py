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

The pieces: `activity_rows` (columns, reading a record), `activity_matching` (rows to leads and
members, the keys), `import_file` (what both CSV imports share); here the two passes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, cast
from zoneinfo import ZoneInfo

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError

from isops.clock import utcnow
from isops.csvio.activity_matching import ActivityPass
from isops.csvio.activity_rows import ActivityRow, ActivityRowReader, map_activity_headers
from isops.csvio.import_file import EmailLookup, ImportFile, ImportReport, MemberRefs, batched
from isops.csvio.source import choose_encoding
from isops.errors import Conflict
from isops.models import Action
from isops.rules import Targets
from isops.services import live_lists
from isops.services.counters import recompute_counters
from isops.unit_of_work import UnitOfWorkFactory

BATCH_SIZE = 1000
_ACTIONS = cast(Table, Action.__table__)


@dataclass(frozen=True, kw_only=True)
class ActionImportResult(ImportReport):
    rows: int
    imported: int  # new actions (to be) written
    already: int  # rows whose action an earlier import wrote
    leads: int  # leads whose counters were (or would be) recomputed

    def summary(self) -> str:
        """`120 行: 取込 100 件, 取込済み 20 件 (リード 35 件の集計を更新)`."""
        return self.summary_of(
            f"{self.rows} 行: 取込 {self.imported} 件, 取込済み {self.already} 件"
            f" (リード {self.leads} 件の集計を更新)"
        )


@dataclass(frozen=True)
class _Options:
    """What both passes read the file with."""

    encoding: str
    tz: ZoneInfo
    now: dt.datetime
    members: MemberRefs
    batch_size: int


def _read(stream: BinaryIO, options: _Options, state: ActivityPass) -> Iterator[list[ActivityRow]]:
    """The file's good rows in batches; header and cell problems go to `state.errors`."""
    reader: ActivityRowReader | None = None
    with ImportFile(stream, encoding=options.encoding, errors=state.errors) as file:
        try:
            headers = file.header(map_activity_headers)
            state.headers = file.headers
            if headers is None:
                return
            reader = ActivityRowReader(headers, file.width, options.tz, options.now, state.errors)
            rows = (
                row
                for number, record in file.records()
                if (row := reader.read(number, record)) is not None
            )
            yield from batched(rows, options.batch_size)
        finally:
            if reader is not None:
                state.rows = reader.rows


def _check(uow_factory: UnitOfWorkFactory, stream: BinaryIO, options: _Options) -> ActivityPass:
    """Read every row and match it, writing nothing (a unit of work per batch, rolled back)."""
    state = ActivityPass()
    for batch in _read(stream, options, state):
        options.members.resolve(row.member_ref for row in batch if row.member_ref)
        with uow_factory() as uow:
            state.plan(uow.session, batch, options.members)
    return state


def _write(
    uow_factory: UnitOfWorkFactory, stream: BinaryIO, options: _Options, targets: Targets
) -> ActivityPass:
    """Read the file again and write it all in one transaction, or nothing."""
    state = ActivityPass()
    with uow_factory() as uow:
        session = uow.session
        for batch in _read(stream, options, state):
            new = state.plan(session, batch, options.members)
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
                            "created_at": options.now,
                        }
                        for p in new
                    ],
                )
        if state.errors.count:
            return state  # changed since the check (a lead deleted …): roll everything back
        recompute_counters(session, lead_ids=state.leads, targets=targets)
        live_lists.refresh_homes(
            uow, member_ids=live_lists.owners_of(uow, lead_ids=state.leads), now=utcnow()
        )
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
    options = _Options(
        encoding=chosen,
        tz=tz,
        now=utcnow(),
        members=MemberRefs(uow_factory, lookup_email),
        batch_size=batch_size,
    )
    final = _check(uow_factory, stream, options)
    written = False
    if not final.errors.count and not dry_run:
        try:
            final = _write(uow_factory, stream, options, targets)
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
