"""Reading an activity-history file's rows (`actions_import`): its columns, and each record
read into one touch, with every bad cell reported (`行 12, 列 実施日時: …`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo

from isops import limits
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
from isops.csvio.import_file import too_wide
from isops.csvio.row_errors import RowErrors
from isops.enums import Channel, Outcome
from isops.services.assignment import is_slack_user_id
from isops.text import has_control

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
LEAD_KEYS = ("isops_id", "external_id", "email")
_REQUIRED = ("acted_at", "channel")


def map_activity_headers(row: Sequence[str]) -> HeaderMap:
    """The header row: a column naming the lead, and every required one."""
    mapped = match_headers(row, _LOOKUP)
    problems = list(mapped.problems)
    if not set(LEAD_KEYS) & set(mapped.index):
        problems.append(
            "見出し行にリードを示す列 (isops ID / 外部ID / メール のどれか) がありません"
        )
    for key in _REQUIRED:
        if key not in mapped.index:
            column = _BY_KEY[key]
            problems.append(f"見出し行に {column.ja} ({column.en}) がありません")
    return replace(mapped, problems=tuple(problems))


@dataclass(frozen=True)
class ActivityRow:
    line: int
    lead_key: str  # which of LEAD_KEYS names the lead
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


class ActivityRowReader:
    """Reads one record into an `ActivityRow`, reporting every bad cell (not only the first)."""

    def __init__(
        self, headers: HeaderMap, width: int, tz: ZoneInfo, now: dt.datetime, errors: RowErrors
    ) -> None:
        self.headers = headers
        self.width = width
        self.tz = tz
        self.now = now
        self.errors = errors
        self.rows = 0

    def read(self, line: int, record: list[str]) -> ActivityRow | None:
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

    def _parse(self, line: int, cells: dict[str, str]) -> ActivityRow | None:
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
        lead_key = next((key for key in LEAD_KEYS if key in cells), None)
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
        return ActivityRow(
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
