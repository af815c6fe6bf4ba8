"""What the CSV imports (leads, activity history, cases) do alike: read a file once — the
header row, then its records — with every problem a person can fix collected as a row error;
batch the rows; resolve the members the file names; and report what happened (`Tally`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import BinaryIO, TypeVar

from isops.csvio.columns import HeaderMap
from isops.csvio.row_errors import RowError, RowErrors
from isops.csvio.source import OnBytes, UnreadableFile, iter_records
from isops.services.assignment import OwnerMatch, owners_by_ref
from isops.unit_of_work import UnitOfWorkFactory

T = TypeVar("T")
# users.lookupByEmail (or a stand-in): e-mail → Slack user id, None when unknown.
EmailLookup = Callable[[str], str | None]
EMPTY_FILE = "空のファイルです (1 行目に見出しが必要です)"


class ImportFile:
    """One read of an import file: `header()` first, then `records()`.

    A file that cannot be read past a point (`UnreadableFile`: a broken encoding) is a row
    error at that line, and the records end there: the import writes nothing, as for any
    row error."""

    def __init__(
        self,
        stream: BinaryIO,
        *,
        encoding: str,
        errors: RowErrors,
        on_bytes: OnBytes | None = None,
    ) -> None:
        self._records = iter_records(stream, encoding=encoding, on_bytes=on_bytes)
        self.errors = errors
        self.headers: HeaderMap | None = None  # once read, even with problems
        self.width = 0  # the header row's number of cells

    def __enter__(self) -> ImportFile:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._records.close()

    def header(self, map_headers: Callable[[Sequence[str]], HeaderMap]) -> HeaderMap | None:
        """The header row matched to fields, or None when no row can be read (an empty or
        unreadable file, or a header with problems — each an error on its line)."""
        try:
            first = next(self._records, None)
        except UnreadableFile as exc:
            self._unreadable(exc)
            return None
        if first is None:
            self.errors.add(1, None, EMPTY_FILE)
            return None
        line, row = first
        self.headers = map_headers(row)
        self.width = len(row)
        for problem in self.headers.problems:
            self.errors.add(line, None, problem)
        return None if self.headers.problems else self.headers

    def records(self) -> Iterator[tuple[int, list[str]]]:
        """(line, cells) of every record after the header row."""
        try:
            yield from self._records
        except UnreadableFile as exc:
            self._unreadable(exc)

    def _unreadable(self, exc: UnreadableFile) -> None:
        self.errors.add(exc.line, None, f"{exc} (この行の付近)")


def too_wide(record: Sequence[str], width: int) -> str | None:
    """A record with filled cells past the header's last column: the message, else None."""
    if len(record) > width and any(cell.strip() for cell in record[width:]):
        return f"見出しより列が多いです ({len(record)} 列, 見出しは {width} 列)"
    return None


def batched(items: Iterable[T], size: int) -> Iterator[list[T]]:
    """`items` in lists of `size` (the last may be shorter): one batch is planned and written
    at a time, so memory is that of a batch whatever the file's size."""
    batch: list[T] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


class MemberRefs:
    """Member references in a file (e-mail or Slack id) → members, each resolved once.

    E-mails are matched to registered members first (inactive ones too: history keeps those
    who left), then through Slack (`users.lookupByEmail`) for members registered without one,
    in `resolve`: between the check pass's transactions, never inside one. The write pass
    only reads what the check pass resolved (`get`)."""

    def __init__(self, uow_factory: UnitOfWorkFactory, lookup_email: EmailLookup | None) -> None:
        self._uow_factory = uow_factory
        self._lookup_email = lookup_email
        self._cache: dict[str, OwnerMatch | None] = {}

    def resolve(self, refs: Iterable[str]) -> None:
        missing = {ref for ref in refs if ref not in self._cache}
        if not missing:
            return
        found = owners_by_ref(self._uow_factory(), refs=missing)
        self._cache.update(found)
        emails = sorted(ref for ref in missing if ref not in found and "@" in ref)
        if emails and self._lookup_email is not None:
            slack_ids = {email: self._lookup_email(email) for email in emails}
            known = owners_by_ref(self._uow_factory(), refs=[s for s in slack_ids.values() if s])
            for email, slack_id in slack_ids.items():
                if slack_id and slack_id in known:
                    self._cache[email] = known[slack_id]
        for ref in missing:
            self._cache.setdefault(ref, None)

    def get(self, ref: str) -> OwnerMatch | None:
        return self._cache.get(ref)


@dataclass(frozen=True, kw_only=True)
class ImportReport:
    """What any import reports besides its counts."""

    errors: tuple[RowError, ...]  # the first MAX_ERRORS_KEPT, by line
    error_count: int
    dry_run: bool
    written: bool
    encoding: str
    ignored_columns: tuple[str, ...]

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def summary_of(self, counts: str) -> str:
        """The one line an import ends with: its `counts`, or why nothing was written."""
        if self.error_count and not self.written:
            return f"エラー {self.error_count} 件のため何も取り込んでいません"
        return f"(試行のみ・未保存) {counts}" if self.dry_run else counts


@dataclass(frozen=True, kw_only=True)
class ImportResult(ImportReport):
    """An import that creates, updates or leaves rows as they are (leads, cases)."""

    rows: int
    created: int
    updated: int
    unchanged: int

    def summary(self) -> str:
        """`100 行: 新規 90 件, 更新 5 件, 変更なし 5 件` (plus what was not done)."""
        return self.summary_of(
            f"{self.rows} 行: 新規 {self.created} 件, 更新 {self.updated} 件,"
            f" 変更なし {self.unchanged} 件"
        )


@dataclass
class Tally:
    """An import's counts and errors (of one pass, for the leads' check pass and write pass)."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: RowErrors = field(default_factory=RowErrors)

    def result(
        self, *, dry_run: bool, written: bool, encoding: str, ignored_columns: tuple[str, ...]
    ) -> ImportResult:
        return ImportResult(
            rows=self.rows,
            created=self.created,
            updated=self.updated,
            unchanged=self.unchanged,
            errors=self.errors.sorted(),
            error_count=self.errors.count,
            dry_run=dry_run,
            written=written,
            encoding=encoding,
            ignored_columns=ignored_columns,
        )
