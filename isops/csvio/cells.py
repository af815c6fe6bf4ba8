"""Reading one CSV cell: statuses, priorities, dates and times as people and CRMs write them."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from zoneinfo import ZoneInfo

from isops.enums import (
    OUTCOMES_BY_CHANNEL,
    STATUS_LABELS,
    ActionStatus,
    Channel,
    Outcome,
    Priority,
    RoleLevel,
)


class CellError(ValueError):
    """A cell that cannot be read; the message is Japanese and names the expected form."""


_DATE_TIME = re.compile(
    r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
_STATUS_BY_LABEL = {label: status for status, label in STATUS_LABELS.items()}
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


def parse_status(text: str) -> ActionStatus:
    """`1`…`6` or the label (`未対応`, `接続済`, …)."""
    value = _nfkc(text)
    if value.isdigit() and int(value) in ActionStatus._value2member_map_:
        return ActionStatus(int(value))
    status = _STATUS_BY_LABEL.get(value)
    if status is None:
        labels = " / ".join(f"{int(s)} {label}" for s, label in STATUS_LABELS.items())
        raise CellError(f"「{text}」は読めません ({labels} のどれか)")
    return status


def parse_priority(text: str) -> Priority:
    """`注力` / `非注力` or `1` / `2`."""
    priority = _PRIORITY_BY_TEXT.get(_nfkc(text))
    if priority is None:
        raise CellError(f"「{text}」は読めません (注力 / 非注力、または 1 / 2)")
    return priority


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


def _in_zone(text: str, moment: dt.datetime, zone: dt.tzinfo) -> dt.datetime:
    try:
        return moment.astimezone(zone)
    except OverflowError:  # year 1 or 9999 pushed past the calendar by the offset
        raise CellError(f"「{text}」は扱える範囲外の日時です") from None


def parse_datetime(text: str, tz: ZoneInfo) -> dt.datetime:
    """A moment as aware UTC; without an offset it is read in `tz` (ISOPS_TIMEZONE)."""
    moment, _ = _moment(text, tz)
    return _in_zone(text, moment, dt.UTC)


def parse_date(text: str, tz: ZoneInfo) -> dt.date:
    """A date (a time or an offset, as some spreadsheets add, is read in `tz`)."""
    moment, _ = _moment(text, tz)
    return _in_zone(text, moment, tz).date()


_CHANNELS = {
    "架電": Channel.CALL,
    "電話": Channel.CALL,
    "call": Channel.CALL,
    "メール": Channel.MAIL,
    "mail": Channel.MAIL,
    "email": Channel.MAIL,
    "e-mail": Channel.MAIL,
    "その他": Channel.OTHER,
    "other": Channel.OTHER,
}
_OUTCOMES = {outcome.value: outcome for outcome in Outcome} | {
    "connected": Outcome.CONNECTED,
    "absent": Outcome.ABSENT,
    "voicemail": Outcome.VOICEMAIL,
    "refused": Outcome.REFUSED,
    "bad_number": Outcome.BAD_NUMBER,
    "sent": Outcome.SENT,
    "replied": Outcome.REPLIED,
    "bounced": Outcome.BOUNCED,
    "other": Outcome.OTHER,
}


def parse_channel(text: str) -> Channel:
    """`架電` / `メール` / `その他` or `call` / `mail` / `other`."""
    channel = _CHANNELS.get(_nfkc(text).casefold())
    if channel is None:
        raise CellError(
            f"「{text}」は読めません (架電 / メール / その他、または call / mail / other)"
        )
    return channel


def outcome_choices(channel: Channel) -> str:
    """`接続 / 不在 / 留守電 / 受付拒否 / 番号不通` for a call, and so on (for messages)."""
    return " / ".join(outcome.value for outcome in OUTCOMES_BY_CHANNEL[channel])


def parse_outcome(text: str, channel: Channel) -> Outcome:
    """A DOMAIN.md outcome (Japanese, or its English name) that `channel` can have."""
    outcome = _OUTCOMES.get(_nfkc(text).casefold().replace(" ", "_").replace("-", "_"))
    if outcome is None or outcome not in OUTCOMES_BY_CHANNEL[channel]:
        raise CellError(
            f"「{text}」は{channel.label}の結果ではありません ({outcome_choices(channel)})"
        )
    return outcome


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


# leads.id is an INTEGER on both databases; a larger number cannot be a lead's id.
MAX_LEAD_ID = 2**31 - 1
_DIGITS = re.compile(r"[0-9]+")
_FULL_WIDTH_DIGITS = {0xFF10 + n: ord("0") + n for n in range(10)}  # ０-９ typed in Excel


def parse_isops_id(text: str) -> int:
    """An isops lead id (`isops ID` column): a whole number that fits `leads.id`, in ASCII or
    full-width digits. A 20-digit id would overflow the database's integer."""
    number = text.strip().translate(_FULL_WIDTH_DIGITS)
    if not _DIGITS.fullmatch(number) or not 1 <= int(number) <= MAX_LEAD_ID:
        raise CellError(f"「{text.strip()}」は isops のリード番号ではありません")
    return int(number)


def check_length(text: str, limit: int) -> str:
    """`text` if it has at most `limit` characters (a column's size, `isops.limits`)."""
    if len(text) > limit:
        raise CellError(f"{limit} 文字以内にしてください ({len(text)} 文字)")
    return text
