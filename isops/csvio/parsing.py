"""Reading an import file's rows into lead values, with the errors a person can fix.

One parser per mapped column, decided once per file; a row's problems are reported with the
spreadsheet's row number and the header as the file wrote it (`行 12, 列 メール: …`). Nothing
here touches the database: matching rows to leads is `planning`, writing them `writing`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal
from zoneinfo import ZoneInfo

from isops import limits
from isops.case_vocabulary import parse_company_size
from isops.csvio.cells import (
    CellError,
    check_email,
    check_length,
    parse_date,
    parse_datetime,
    parse_isops_id,
    parse_priority,
    parse_role_level,
    parse_status,
    unprotect_formula,
)
from isops.csvio.columns import HeaderMap
from isops.csvio.import_file import Tally, too_wide
from isops.services.assignment import is_slack_user_id
from isops.text import strip_control

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


@dataclass
class ParsedRow:
    line: int
    values: dict[str, Any]
    owner_ref: str | None
    # False when a cell could not be read: the row is only checked for its owner, so
    # every problem of the file is listed in one go.
    valid: bool = True


def _text_parser(key: str) -> Callable[[str], str]:
    limit = TEXT_LIMITS[key]
    single_line = key not in MULTI_LINE

    def parse(raw: str) -> str:
        value = raw
        if single_line:
            value = raw.strip()
            if _LINE_BREAKS.search(value):  # control characters were refused before
                value = strip_control(value.replace("\r\n", "\n"), single_line=True)
        check_length(value, limit)
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
            "isops_id": parse_isops_id,
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
        problem = too_wide(record, self._width)
        if problem is not None:
            tally.errors.add(line, None, problem)
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
                tally.errors.add(line, cell.header, str(exc))
                bad = True
        return ParsedRow(line, values, values.pop("owner", None), valid=not bad)
