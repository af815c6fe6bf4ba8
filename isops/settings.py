"""Settings from the environment (and an optional `.env`); never from code."""

from __future__ import annotations

import datetime as dt
import re
from functools import cached_property
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    Field,
    SecretStr,
    ValidationError,
    field_validator,
)
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from isops.errors import ConfigError
from isops.rules import Targets

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
DEFAULT_REASON_CODES = (
    "対象外",
    "競合利用中",
    "予算なし",
    "時期尚早",
    "連絡先不備",
    "重複",
    "その他",
)
DEFAULT_INBOUND_SOURCES = ("資料請求", "問い合わせ")
# Why a handed-over meeting was not a valid opportunity (issue 12); "その他" needs a comment.
DEFAULT_INVALID_REASONS = (
    "ニーズなし",
    "決裁者不在",
    "予算なし",
    "時期が先",
    "競合決定済",
    "当日キャンセル",
    "その他",
)
# DOMAIN.md "Calendar": year-end company holidays 12/29–1/3.
DEFAULT_COMPANY_HOLIDAYS = ("12-29", "12-30", "12-31", "01-01", "01-02", "01-03")

# Japanese names of the settings, for one-line error messages.
_SETTING_HINTS: dict[str, str] = {
    "SLACK_BOT_TOKEN": "manifest.yml から作成したアプリの Bot Token (xoxb-...) を設定してください",
    "SLACK_SIGNING_SECRET": "アプリの Basic Information にある Signing Secret を設定してください",
    "SLACK_APP_TOKEN": "Socket Mode 用の App-Level Token (xapp-...) を設定してください",
    "ISOPS_REMIND_AT": "HH:MM 形式で指定してください (例: 09:00)",
    "ISOPS_TIMEZONE": "IANA のタイムゾーン名で指定してください (例: Asia/Tokyo)",
    "DATABASE_URL": "SQLAlchemy の URL で指定してください (例: sqlite:///isops.db)",
    "ISOPS_MEETING_LENGTH": "2h・90m・1:30 のように指定してください",
}


def _parse_hhmm(value: Any) -> dt.time:
    if isinstance(value, dt.time):
        return value
    text = str(value).strip()
    try:
        hour, minute = text.split(":")
        return dt.time(int(hour), int(minute))
    except ValueError as exc:
        raise ValueError(f"HH:MM 形式ではありません: {text!r}") from exc


_DURATION = re.compile(r"^(?:(\d+)\s*h)?\s*(?:(\d+)\s*m(?:in)?)?$")


def _parse_duration(value: Any) -> dt.timedelta:
    """`2h`, `90m`, `1h30m`, `1:30` or plain minutes (`120`)."""
    if isinstance(value, dt.timedelta):
        return value
    text = str(value).strip().lower()
    if text.isdigit():
        return dt.timedelta(minutes=int(text))
    if ":" in text:
        return dt.timedelta(hours=_parse_hhmm(text).hour, minutes=_parse_hhmm(text).minute)
    match = _DURATION.match(text)
    if not text or match is None:
        raise ValueError(f"長さとして読めません: {text!r}")
    return dt.timedelta(hours=int(match.group(1) or 0), minutes=int(match.group(2) or 0))


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return tuple(part.strip() for part in value.split(",") if part.strip())
    return value


CsvTuple = Annotated[tuple[str, ...], NoDecode]


class Settings(BaseSettings):
    """Every knob of the bot. Numbers are DOMAIN.md's defaults; teams change them here."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    slack_bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    slack_signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    slack_app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    slack_api_url: str = Field(default=DEFAULT_SLACK_API_URL, alias="SLACK_API_URL")
    database_url: str = Field(default="sqlite:///isops.db", alias="DATABASE_URL")
    timezone: str = Field(default="Asia/Tokyo", alias="ISOPS_TIMEZONE")
    remind_at: dt.time = Field(default=dt.time(9, 0), alias="ISOPS_REMIND_AT")
    webhook_token: SecretStr | None = Field(default=None, alias="ISOPS_WEBHOOK_TOKEN")

    # Domain defaults (DOMAIN.md), each changeable per team.
    inbound_cutoff: dt.time = Field(default=dt.time(18, 0), alias="ISOPS_INBOUND_CUTOFF")
    inbound_sources: CsvTuple = Field(
        default=DEFAULT_INBOUND_SOURCES, alias="ISOPS_INBOUND_SOURCES"
    )
    focus_max_days: int = Field(default=60, ge=1, alias="ISOPS_FOCUS_MAX_DAYS")
    target_calls: int = Field(default=5, ge=0, alias="ISOPS_TARGET_CALLS")
    target_mails: int = Field(default=2, ge=0, alias="ISOPS_TARGET_MAILS")
    early_window_days: int = Field(default=7, ge=1, alias="ISOPS_EARLY_WINDOW_DAYS")
    early_target_actions: int = Field(default=5, ge=0, alias="ISOPS_EARLY_TARGET_ACTIONS")
    reapproach_months: int = Field(default=3, ge=0, alias="ISOPS_REAPPROACH_MONTHS")
    reason_codes: CsvTuple = Field(default=DEFAULT_REASON_CODES, alias="ISOPS_REASON_CODES")
    company_holidays: CsvTuple = Field(
        default=DEFAULT_COMPANY_HOLIDAYS,
        alias="ISOPS_COMPANY_HOLIDAYS",
        description="MM-DD (every year) or YYYY-MM-DD, comma separated",
    )
    remind_catchup_until: dt.time = Field(
        default=dt.time(15, 0), alias="ISOPS_REMIND_CATCHUP_UNTIL"
    )
    # Hand-off to FS (issue 12): a verdict is asked for at the meeting's end (start + this),
    # or the next business morning when that is after ISOPS_BUSINESS_END.
    meeting_length: dt.timedelta = Field(
        default=dt.timedelta(hours=2), alias="ISOPS_MEETING_LENGTH"
    )
    business_end: dt.time = Field(default=dt.time(18, 0), alias="ISOPS_BUSINESS_END")
    invalid_reasons: CsvTuple = Field(
        default=DEFAULT_INVALID_REASONS, alias="ISOPS_INVALID_REASONS"
    )
    review_channel: str | None = Field(default=None, alias="ISOPS_REVIEW_CHANNEL")
    # With a shared review channel, may any manager decide (not only the rep's own)?
    review_channel_any_manager: bool = Field(default=True, alias="ISOPS_REVIEW_CHANNEL_ANY_MANAGER")
    # The weekly case post (issue 14): a channel id (C…) the bot is in; unset = no post.
    case_channel: str | None = Field(default=None, alias="ISOPS_CASE_CHANNEL")
    log_level: str = Field(default="INFO", alias="ISOPS_LOG_LEVEL")

    @field_validator("meeting_length", mode="before")
    @classmethod
    def _duration(cls, value: Any) -> dt.timedelta:
        length = _parse_duration(value)
        if not dt.timedelta(minutes=1) <= length <= dt.timedelta(hours=24):
            raise ValueError("1 分から 24 時間までにしてください")
        return length

    @field_validator(
        "remind_at", "inbound_cutoff", "remind_catchup_until", "business_end", mode="before"
    )
    @classmethod
    def _hhmm(cls, value: Any) -> dt.time:
        return _parse_hhmm(value)

    @field_validator(
        "inbound_sources", "reason_codes", "company_holidays", "invalid_reasons", mode="before"
    )
    @classmethod
    def _csv(cls, value: Any) -> Any:
        return _split_csv(value)

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"未知のタイムゾーンです: {value}") from exc
        return value

    @field_validator("database_url")
    @classmethod
    def _db_url(cls, value: str) -> str:
        if "://" not in value:
            raise ValueError(f"URL ではありません: {value!r}")
        return value

    @cached_property
    def targets(self) -> Targets:
        return Targets(
            calls=self.target_calls,
            mails=self.target_mails,
            early_window_days=self.early_window_days,
            early_actions=self.early_target_actions,
            focus_max_days=self.focus_max_days,
        )

    @cached_property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def require(self, *names: str) -> None:
        """Raise a one-line ConfigError for the first of `names` (env names) not set."""
        for name in names:
            field = next(key for key, info in type(self).model_fields.items() if info.alias == name)
            if getattr(self, field) is None:
                raise ConfigError(
                    f"{name} が未設定です: {_SETTING_HINTS.get(name, '')}".rstrip(": ")
                )

    def secret(self, name: str) -> str:
        """The plain value of a secret setting (after `require`)."""
        self.require(name)
        field = next(key for key, info in type(self).model_fields.items() if info.alias == name)
        value: SecretStr = getattr(self, field)
        return value.get_secret_value()


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning validation errors into one Japanese line."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = str(first["loc"][0]) if first["loc"] else "?"
        alias = next(
            (info.alias for key, info in Settings.model_fields.items() if loc in (key, info.alias)),
            loc,
        )
        hint = _SETTING_HINTS.get(alias or loc, "")
        message = first["msg"].removeprefix("Value error, ")
        raise ConfigError(f"{alias} の値が正しくありません ({message}) {hint}".strip()) from None
