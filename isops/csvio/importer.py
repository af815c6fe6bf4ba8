"""CSV import of leads, for CRM round trips: the two passes and the public entry points.

The file is streamed twice. The check pass reads every row (`parsing`), resolves owners, and
plans each batch against the database read-only (`planning`); if any row is bad nothing is
written. Otherwise the write pass plans the same rows again and writes them (`writing`) in
ONE transaction, batch by batch, so memory depends on the batch size, not on the file, and a
failure anywhere leaves the database as it was. A re-import of the same file matches the
same leads and reports them as unchanged.
"""

from __future__ import annotations

import datetime as dt
import functools
import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from isops.clock import utcnow
from isops.csvio.columns import HeaderMap, map_headers
from isops.csvio.import_file import (
    EmailLookup,
    ImportFile,
    ImportResult,
    MemberRefs,
    Tally,
    batched,
)
from isops.csvio.parsing import ImportPolicy, OwnerBy, RowParser
from isops.csvio.planning import plan_batch
from isops.csvio.row_errors import MAX_ERRORS_KEPT, RowError
from isops.csvio.source import choose_encoding, total_bytes
from isops.csvio.writing import write_batches
from isops.enums import Role
from isops.errors import NotAllowed
from isops.lead_fields import InboundSources
from isops.services.lookup import require_member
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "BATCH_SIZE",
    "MAX_ERRORS_KEPT",
    "PHASE_CHECK",
    "PHASE_WRITE",
    "EmailLookup",
    "ImportPolicy",
    "ImportResult",
    "OwnerBy",
    "Progress",
    "RowError",
    "authorize_import",
    "import_leads",
    "import_pasted_csv",
]

BATCH_SIZE = 1000
PHASE_CHECK = "検証"
PHASE_WRITE = "取込"

# (phase, bytes read, bytes in the file)
Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class _Options:
    encoding: str
    policy: ImportPolicy
    owner_by: OwnerBy
    progress: Progress | None
    by_member_id: int | None
    batch_size: int
    now: dt.datetime


def _pass(
    uow_factory: UnitOfWorkFactory,
    stream: BinaryIO,
    options: _Options,
    *,
    owners: MemberRefs,
    write: bool,
) -> tuple[Tally, tuple[str, ...], bool]:
    """One pass over the file: (counts and errors, unknown columns, whether it was written)."""
    tally = Tally()
    phase = PHASE_WRITE if write else PHASE_CHECK
    total = total_bytes(stream)
    progress = options.progress

    def on_bytes(done: int) -> None:
        if progress is not None:
            progress(phase, done, total)

    written = False
    with ImportFile(
        stream, encoding=options.encoding, errors=tally.errors, on_bytes=on_bytes
    ) as file:
        headers = file.header(map_headers)
        if headers is not None:
            written = _rows_pass(uow_factory, file, headers, options, owners, tally, write=write)
        ignored = file.headers.ignored if file.headers is not None else ()
    if progress is not None:
        progress(phase, total, total)
    return tally, ignored, written


def _rows_pass(
    uow_factory: UnitOfWorkFactory,
    file: ImportFile,
    headers: HeaderMap,
    options: _Options,
    owners: MemberRefs,
    tally: Tally,
    *,
    write: bool,
) -> bool:
    """Parse, plan and (when `write`) write the file's rows batch by batch; whether written."""
    parser = RowParser(
        headers,
        width=file.width,
        policy=options.policy,
        owner_by=options.owner_by,
        now=options.now,
    )
    rows = (
        row
        for line, record in file.records()
        if (row := parser.parse(line, record, tally)) is not None
    )
    plan = functools.partial(
        plan_batch,
        owners=owners,
        inbound_sources=InboundSources.of(options.policy.inbound_sources),
        tally=tally,
        by_member_id=options.by_member_id,
        headers=headers,
        now=options.now,
    )
    batches = batched(rows, options.batch_size)
    if write:
        return write_batches(uow_factory, batches, plan=plan, tally=tally, now=options.now)
    for batch in batches:
        # Slack look-ups for owners happen here, between transactions.
        owners.resolve(r.owner_ref for r in batch if r.owner_ref)
        with uow_factory() as uow:  # read-only: rolled back on leaving
            plan(uow.session, batch)
    return False


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
    """Check every row of a CSV, then (unless `dry_run` or any row is bad) create or update
    the leads in one transaction. `stream` is read twice, so it must be seekable."""
    chosen = choose_encoding(stream, encoding)
    options = _Options(
        encoding=chosen,
        policy=policy,
        owner_by=owner_by,
        progress=progress,
        by_member_id=by_member_id,
        batch_size=batch_size,
        now=utcnow().replace(microsecond=0),
    )
    owners = MemberRefs(uow_factory, lookup_email)
    final, ignored, written = _pass(uow_factory, stream, options, owners=owners, write=False)
    if final.errors.count == 0 and not dry_run:
        final, ignored, written = _pass(uow_factory, stream, options, owners=owners, write=True)
    return final.result(dry_run=dry_run, written=written, encoding=chosen, ignored_columns=ignored)


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
        # A lone surrogate (JSON can carry one) is kept as bytes UTF-8 refuses, so the
        # admin reads "読めない文字" instead of the submission failing.
        stream=io.BytesIO(text.encode("utf-8", errors="surrogatepass")),
        policy=policy,
        lookup_email=lookup_email,
        dry_run=dry_run,
        encoding="utf-8",
        by_member_id=member_id,
    )
