"""Reading one CSV cell: statuses, priorities, dates and times as people and CRMs write them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from isops.enums import STATUS_LABELS, ActionStatus, Priority, RoleLevel


class CellError(ValueError):
    """A cell that cannot be read; the message is Japanese and names the expected form."""


_DATE_TIME = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_STATUS_BY_LABEL = {label: int(status) for status, label in STATUS_LABELS.items()}
_PRIORITY_BY_TEXT = {
    "1": Priority.FOCUS,
    "注力": Priority.FOCUS,
    "2": Priority.NON_FOCUS,
    "非注力": Priority.NON_FOCUS,
}
_ROLE_LEVELS = {level.value: level for level in RoleLevel} | {
    "staff": RoleLevel.STAFF,
    "manager": RoleLevel.MANAGER,
    "executive": RoleLevel.EXECUTIVE,
}
# Spreadsheet formula starters: exported cells starting with these get a leading "'".
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _nfkc(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def parse_status(text: str) -> int:
    """`1`…`6` or the label (`未対応`, `接続済`, …)."""
    value = _nfkc(text)
    if value.isdigit() and int(value) in ActionStatus._value2member_map_:
        return int(value)
    status = _STATUS_BY_LABEL.get(value)
    if status is None:
        labels = " / ".join(f"{int(s)} {label}" for s, label in STATUS_LABELS.items())
        raise CellError(f"「{text}」は読めません ({labels} のどれか)")
    return status


def parse_priority(text: str) -> int:
    """`注力` / `非注力` or `1` / `2`."""
    priority = _PRIORITY_BY_TEXT.get(_nfkc(text))
    if priority is None:
        raise CellError(f"「{text}」は読めません (注力 / 非注力、または 1 / 2)")
    return int(priority)


def parse_role_level(text: str) -> RoleLevel:
    level = _ROLE_LEVELS.get(_nfkc(text).casefold())
    if level is None:
        raise CellError(f"「{text}」は読めません (担当 / マネージャー / 役員)")
    return level


def _moment(text: str, tz: ZoneInfo) -> tuple[dt.datetime, bool]:
    """(aware datetime, whether a time was given). Japanese 年月日 is accepted too."""
    value = _nfkc(text).replace("年", "/").replace("月", "/").replace("日", "")
    match = _DATE_TIME.match(value)
    if not match:
        raise CellError(
            f"「{text}」は日付として読めません"
            " (2026-11-20、2026/11/20、2026/11/20 10:00 または ISO 8601)"
        )
    year, month, day, hour, minute, second, fraction, offset = match.groups()
    try:
        moment = dt.datetime(
            int(year),
            int(month),
            int(day),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
            int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:
        raise CellError(f"「{text}」は存在しない日付・時刻です") from None
    if offset is None:
        zone: dt.tzinfo = tz
    elif offset == "Z":
        zone = dt.UTC
    else:
        sign = -1 if offset[0] == "-" else 1
        digits = offset[1:].replace(":", "")
        zone = dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))
    return moment.replace(tzinfo=zone), hour is not None


def _out_of_range(text: str) -> CellError:
    # 0001-01-01 or 9999-12-31 with an offset: the conversion leaves Python's date range.
    return CellError(f"「{text}」は扱える日付の範囲外です")


def parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """A moment as aware UTC; without an offset it is read in `tz` (ISOPS_TIMEZONE)."""
    moment, _ = _moment(text, tz)
    try:
        return moment.astimezone(dt.UTC)
    except OverflowError:
        raise _out_of_range(text) from None


def parse_date(text: str, tz: ZoneInfo) -> dt.date:
    """A date (a time or an offset, as some spreadsheets add, is read in `tz`)."""
    moment, _ = _moment(text, tz)
    try:
        return moment.astimezone(tz).date()
    except OverflowError:
        raise _out_of_range(text) from None


def format_moment(moment: dt.datetime | None, tz: ZoneInfo) -> str:
    """ISO 8601 with the team's offset, e.g. `2026-11-27T09:00:00+09:00` (read back exactly)."""
    return moment.astimezone(tz).isoformat() if moment is not None else ""


def protect_formula(text: str) -> str:
    """Spreadsheets run cells like `=HYPERLINK(...)` from web forms; a leading `'` keeps them
    text. Values already starting with `'` + a formula character get one more, so
    `unprotect_formula` gives every value back exactly."""
    if text.lstrip("'").startswith(FORMULA_START):
        return "'" + text
    return text


def unprotect_formula(text: str) -> str:
    if text.startswith("'") and text.lstrip("'").startswith(FORMULA_START):
        return text[1:]
    return text


def check_email(text: str) -> str:
    if text.count("@") != 1 or " " in text or text.startswith("@") or text.endswith("@"):
        raise CellError(f"「{text}」はメールアドレスの形式ではありません")
    return text
