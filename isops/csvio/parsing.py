"""Reading an import file's rows into lead values, with the errors a person can fix.

One parser per mapped column, decided once per file; a row's problems are reported with the
spreadsheet's row number and the header as the file wrote it (`行 12, 列 メール: …`). Nothing
here touches the database: matching rows to leads is `planning`, writing them `writing`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal
from zoneinfo import ZoneInfo

from isops import limits
from isops.case_vocabulary import parse_company_size
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
from isops.csvio.columns import BY_KEY, HeaderMap
from isops.services.assignment import is_slack_user_id
from isops.text import strip_control

MAX_ERRORS_KEPT = 200

OwnerBy = Literal["auto", "email", "slack-id"]

TEXT_LIMITS = {
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
# The only multi-line column: every other text cell gets its tabs and line breaks as spaces.
MULTI_LINE = frozenset({"memo"})
# leads.id is an INTEGER on both databases; a larger number cannot be a lead's id.
MAX_LEAD_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]+")
_FULL_WIDTH_DIGITS = {0xFF10 + n: ord("0") + n for n in range(10)}  # ０-９ typed in Excel
# The characters `isops.text.has_control` finds, as one regular expression searched in C (a
# test keeps the two equal): has_control's str.translate costs ~5 s per 100,000 rows.
CONTROL_CHARACTER = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_LINE_BREAKS = re.compile("[\t\r\n]")
CONTROL_CHARACTERS = (
    "制御文字 (NUL など) が含まれています。ファイルの文字コードか、この列の内容を確認してください"
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


@dataclass
class Tally:
    """One pass's counts and errors (the first MAX_ERRORS_KEPT of them)."""

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


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    owner_ref: str | None
    # False when a cell could not be read: the row is only checked for its owner, so
    # every problem of the file is listed in one go.
    valid: bool = True


def column_name(names: dict[str, str], key: str) -> str:
    """The column's header as the file wrote it (for `行 12, 列 メール: …`)."""
    return names.get(key) or BY_KEY[key].ja


def _text_parser(key: str) -> Callable[[str], str]:
    limit = TEXT_LIMITS[key]
    single_line = key not in MULTI_LINE

    def parse(raw: str) -> str:
        value = raw
        if single_line:
            value = raw.strip()
            if _LINE_BREAKS.search(value):  # control characters were refused before
                value = strip_control(value.replace("\r\n", "\n"), single_line=True)
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
    number = raw.strip().translate(_FULL_WIDTH_DIGITS)
    # A whole number that fits leads.id; a 20-digit id would overflow the database's integer.
    if not _DIGITS.fullmatch(number) or not 1 <= int(number) <= MAX_LEAD_ID:
        raise CellError(f"「{raw.strip()}」は isops のリード番号ではありません")
    return int(number)


def _company_size(raw: str) -> Any:
    """`50-299`, `50〜299名` or a headcount, as its band (isops.case_vocabulary)."""
    try:
        return parse_company_size(raw)
    except ValueError as exc:
        raise CellError(str(exc)) from None


def _cv_at_parser(tz: ZoneInfo, now: dt.datetime) -> Callable[[str], dt.datetime]:
    def parse(raw: str) -> dt.datetime:
        moment = parse_datetime(raw, tz)
        problem = limits.cv_at_out_of_range(moment, now=now, tz=tz)
        if problem is not None:
            raise CellError(f"「{raw.strip()}」は範囲外です ({problem})")
        return moment

    return parse


def _next_action_date_parser(tz: ZoneInfo, today: dt.date) -> Callable[[str], dt.date]:
    def parse(raw: str) -> dt.date:
        day = parse_date(raw, tz)
        problem = limits.next_action_date_out_of_range(day, today=today)
        if problem is not None:
            raise CellError(f"「{raw.strip()}」は範囲外です ({problem})")
        return day

    return parse


@dataclass(frozen=True)
class _Cell:
    key: str
    position: int
    header: str  # as written in the file, for errors
    parse: Callable[[str], Any]


class RowParser:
    """Reads the records of one file with a known header row into `ParsedRow`s.

    `now` is the import's clock for the date windows (`isops.limits`), the same in both
    passes so a row accepted by the check is accepted by the write."""

    def __init__(
        self,
        headers: HeaderMap,
        *,
        width: int,
        policy: ImportPolicy,
        owner_by: OwnerBy,
        now: dt.datetime,
    ) -> None:
        tz = policy.tz
        by_key: dict[str, Callable[[str], Any]] = {
            "isops_id": _isops_id,
            "owner": _owner_parser(owner_by),
            "status": parse_status,
            "priority": parse_priority,
            "role_level": parse_role_level,
            "company_size": _company_size,
            "cv_at": _cv_at_parser(tz, now),
            "next_action_date": _next_action_date_parser(tz, now.astimezone(tz).date()),
            **{key: _text_parser(key) for key in TEXT_LIMITS},
        }
        self._cells = [
            _Cell(key, position, headers.names[key], by_key[key])
            for key, position in headers.index.items()
        ]
        self._width = width

    def parse(self, line: int, record: list[str], tally: Tally) -> ParsedRow | None:
        """One record's cells read into lead values; None for a blank or too wide row."""
        if not any(cell.strip() for cell in record):
            return None
        tally.rows += 1
        size = len(record)
        width = self._width
        if size > width and any(cell.strip() for cell in record[width:]):
            tally.error(line, None, f"見出しより列が多いです ({size} 列, 見出しは {width} 列)")
            return None
        values: dict[str, Any] = {}
        bad = False
        for cell in self._cells:
            raw = record[cell.position] if cell.position < size else ""
            if not raw or raw.isspace():
                continue  # blank: leave the lead's value as it is
            try:
                # Refused, not stripped: NUL and escape codes mean a wrong encoding or a
                # broken export, and PostgreSQL rejects NUL in text. Tabs and line breaks
                # are text (memos keep them; one-line columns make them spaces).
                if CONTROL_CHARACTER.search(raw):
                    raise CellError(CONTROL_CHARACTERS)
                if raw[0] == "'":
                    raw = unprotect_formula(raw)
                values[cell.key] = cell.parse(raw)
            except CellError as exc:
                tally.error(line, cell.header, str(exc))
                bad = True
        return ParsedRow(line, values, values.pop("owner", None), valid=not bad)
