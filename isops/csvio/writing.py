"""Writing an import: every batch of the file in one transaction, sent to the database as it
is planned.

Each batch's plan goes out as a few executemany statements at once, so memory is that of one
batch whatever the file's size; the commit comes after the last row, and only when no row
had a problem. A row that conflicts with a lead written earlier in the same file, a change
made meanwhile by someone else, or a value the database refuses rolls the whole file back:
the database is as it was, and running the corrected file again is safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from sqlalchemy import bindparam, insert, text, update
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import Session

from isops.csvio.import_file import Tally
from isops.csvio.parsing import ParsedRow
from isops.csvio.planning import HISTORY, LEADS, Plan, Record
from isops.services import live_lists
from isops.unit_of_work import UnitOfWorkFactory

# Plans one batch in the given (write) session: `planning.plan_batch` with its options bound.
PlanBatch = Callable[[Session, list[ParsedRow]], Plan]


def execute_plan(session: Session, plan: Plan, now: dt.datetime) -> None:
    """The batch's INSERTs, UPDATEs (one executemany per set of changed columns) and history."""
    if plan.creates:
        session.execute(insert(LEADS), plan.creates)
    by_keys: dict[tuple[str, ...], list[Record]] = {}
    for lead_id, changes in plan.updates.items():
        one = {**changes, "updated_at": now, "b_id": lead_id}
        by_keys.setdefault(tuple(sorted(one)), []).append(one)
    for keys, params in by_keys.items():
        statement = (
            update(LEADS)
            .where(LEADS.c.id == bindparam("b_id"))
            .values({key: bindparam(key) for key in keys if key != "b_id"})
        )
        session.execute(statement, params)
    if plan.history:
        session.execute(insert(HISTORY), plan.history)


class _PlannerStatistics:
    """PostgreSQL plans the batch look-ups (`email IN (…)`) from table statistics; a table
    that grew from nearly empty during the import still looks empty, and the look-ups turn
    into full scans. ANALYZE each time the import has doubled what it created (a handful of
    times for 100,000 rows), inside the import's transaction: ANALYZE counts the rows the
    transaction itself inserted, and the figures are rolled back with it. SQLite needs
    nothing."""

    def __init__(self, session: Session) -> None:
        self._postgresql = session.get_bind().dialect.name == "postgresql"
        self._next = 1000

    def after_batch(self, session: Session, created: int) -> None:
        if not self._postgresql or created < self._next:
            return
        self._next = created * 2
        session.execute(text("ANALYZE leads"))


def _refused(exc: Any, batch: list[ParsedRow]) -> str:
    span = f"行 {batch[0].line}〜{batch[-1].line}"
    if isinstance(exc, IntegrityError):
        # Someone created or changed one of these leads after the check: nothing is saved,
        # and the same file run again is checked against the new state.
        return (
            f"{span} が取り込み中の別の変更と衝突しました。同じファイルをもう一度取り込んでください"
        )
    reason = str(exc.orig).splitlines()[0] if exc.orig is not None else type(exc).__name__
    return f"{span} の値をデータベースが受け付けませんでした ({reason})"


def write_batches(
    uow_factory: UnitOfWorkFactory,
    batches: Iterable[list[ParsedRow]],
    *,
    plan: PlanBatch,
    tally: Tally,
    now: dt.datetime,
) -> bool:
    """Plan and write every batch in one transaction; commit only when no row had a problem.

    Returns whether the file was committed. Leaving early (an error, or an exception from
    reading the file) rolls everything back."""
    with uow_factory() as uow:
        session = uow.session
        statistics = _PlannerStatistics(session)
        owners: set[int] = set()
        for batch in batches:
            batch_plan = plan(session, batch)
            owners |= batch_plan.owners
            try:
                execute_plan(session, batch_plan, now)
            except (IntegrityError, DataError) as exc:
                # The transaction is unusable now (PostgreSQL aborts it): stop here.
                tally.errors.add(batch[0].line, None, _refused(exc, batch))
                return False
            statistics.after_batch(session, tally.created)
        if tally.errors.count:
            return False
        # One Home refresh per rep whose leads changed, however many rows were theirs.
        live_lists.refresh_homes(uow, member_ids=owners, now=now)
        uow.commit()
        return True
