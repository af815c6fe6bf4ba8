"""Settings come from the environment, and a bad one is one clear Japanese line."""

from __future__ import annotations

import datetime as dt

import pytest

from isops.errors import ConfigError
from isops.settings import DEFAULT_INVALID_REASONS, load_settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: object) -> None:
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]  # no stray .env


def test_defaults_follow_domain_md() -> None:
    settings = load_settings()
    assert settings.timezone == "Asia/Tokyo"
    assert settings.remind_at == dt.time(9, 0)
    assert settings.inbound_cutoff == dt.time(18, 0)
    assert settings.database_url == "sqlite:///isops.db"
    assert settings.slack_api_url == "https://slack.com/api/"
    assert (settings.target_calls, settings.target_mails) == (5, 2)
    assert "その他" in settings.reason_codes


def test_environment_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ISOPS_REMIND_AT", "08:30")
    monkeypatch.setenv("ISOPS_REASON_CODES", "対象外, 予算なし")
    monkeypatch.setenv("ISOPS_TIMEZONE", "Europe/London")
    settings = load_settings()
    assert settings.remind_at == dt.time(8, 30)
    assert settings.reason_codes == ("対象外", "予算なし")
    assert str(settings.tz) == "Europe/London"


def test_missing_bot_token_is_one_line() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings().require("SLACK_BOT_TOKEN")
    message = str(info.value)
    assert message.startswith("SLACK_BOT_TOKEN が未設定です")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("name", "value"),
    [("ISOPS_REMIND_AT", "9am"), ("ISOPS_TIMEZONE", "Tokyo/Nowhere"), ("DATABASE_URL", "isops.db")],
)
def test_malformed_setting_is_one_line(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    assert str(info.value).startswith(f"{name} の値が正しくありません")
    assert "\n" not in str(info.value)


def test_secrets_are_not_in_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-very-secret")
    settings = load_settings()
    assert "xoxb-very-secret" not in repr(settings)
    assert settings.secret("SLACK_BOT_TOKEN") == "xoxb-very-secret"


def test_the_default_invalid_reasons_are_the_ones_fs_is_offered() -> None:
    # The ❌ modal offers these (issue 12); a change here is a change FS sees.
    assert " / ".join(DEFAULT_INVALID_REASONS) == (
        "ニーズなし / 決裁者不在 / 予算なし / 時期が先 / 競合決定済 / 当日キャンセル / その他"
    )
