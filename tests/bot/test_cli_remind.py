"""`isops remind`, `isops demo` and `isops member away` as an operator types them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from bot.cli import main
from isops.enums import Role
from isops.models import Notification
from isops.services.away import upcoming_away
from isops.services.morning_delivery import KIND_MORNING
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f
from tests.fake_slack import FakeSlack
from tests.harness import BOT_TOKEN

TOKYO = ZoneInfo("Asia/Tokyo")
FRI = dt.date(2026, 11, 27)
DAY = dt.timedelta(days=1)


def jst(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TOKYO).astimezone(dt.UTC)


@pytest.fixture
def db(cli_db: UnitOfWorkFactory) -> UnitOfWorkFactory:
    f.member(cli_db(), "UMGR", role=Role.MANAGER, timezone="Asia/Tokyo")
    f.member(cli_db(), "U001", manager="UMGR", name="佐藤", timezone="Asia/Tokyo")
    f.lead(cli_db(), owner="U001", status=2, company="株式会社みらい")
    return cli_db


def _deliveries(factory: UnitOfWorkFactory) -> int:
    with factory() as uow:
        return int(
            uow.session.scalar(
                select(func.count(Notification.id)).where(Notification.kind == KIND_MORNING)
            )
            or 0
        )


def test_demo_runs_without_any_slack_setting(
    no_slack: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "demo.db"
    with time_machine.travel(jst(FRI, 7), tick=False):
        assert main(["demo", "--db", str(path)]) == 0
    out = capsys.readouterr().out
    assert "11/27(金) 09:00" in out  # this year's date, without the year
    for expected in (
        "=== 山田 花子 (マネージャー) ===",
        "=== 佐藤 健 (担当) ===",
        "休暇中",
        "今日まず",
        "📥 インバウンド",
        "(期限超過 6 件)",
        "日超過",
        "📞 03-",
        "差し戻し",
        "承認待ち",
        "🧹",
        "[⋯ 記録]",
        "[一覧を開く]",
    ):
        assert expected in out, expected
    assert "<" not in out.replace("<!", "")  # readable text, no Slack markup
    with time_machine.travel(jst(FRI, 7), tick=False):
        assert main(["demo", "--db", str(path)]) == 0  # again: the same data is used
    assert "にあるデータを使います" in capsys.readouterr().out


def test_dry_run_prints_messages_and_sends_nothing(
    db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remind", "--dry-run", "--date", "2026-11-27"]) == 0
    out = capsys.readouterr().out
    assert "=== 佐藤 (U001) ===" in out and "株式会社みらい" in out
    assert "=== UMGR (UMGR) ===\n(DM なし" in out
    assert _deliveries(db) == 0


def test_remind_by_date_is_as_of_that_morning_whatever_the_clock(
    db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    lead_id = f.lead(
        db(), owner="U001", status=2, company="株式会社ひかり", cv_at=jst(FRI, 9) - 2 * DAY
    )
    f.action(db(), lead_id, by="U001", acted_at=jst(FRI, 9) - 2 * DAY + dt.timedelta(hours=1))
    with time_machine.travel(dt.datetime(2027, 6, 14, 3, 0, tzinfo=dt.UTC), tick=False):
        assert main(["remind", "--dry-run", "--date", "2026-11-27"]) == 0
    out = capsys.readouterr().out
    # Two days after CV on the 27th: behind on 5 actions within 7 days (⚡), as that morning.
    assert "株式会社ひかり" in out and "⚡ 7日以内 1/5 (CV から 2 日)" in out


def test_remind_sends_once_by_hand(
    db: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with FakeSlack(token=BOT_TOKEN) as fake:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        assert main(["remind", "--date", "2026-11-27"]) == 0
        assert main(["remind", "--date", "2026-11-27"]) == 0
        posted = [c.params["channel"] for c in fake.calls_to("chat.postMessage")]
    assert posted == ["U001"]
    out = capsys.readouterr().out
    assert "送信 1 件" in out and "送信済み・送信中 0 件" in out
    assert "送信 0 件" in out  # the second run


def test_remind_refuses_bad_input_in_one_line(
    db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["remind", "--date", "2026-11-28"]) == 0
    assert "営業日ではない" in capsys.readouterr().out
    assert main(["remind", "--date", "2026-11-27"]) == 2  # no token to send with
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN が未設定です" in err and "Traceback" not in err
    with pytest.raises(SystemExit) as info:
        main(["remind", "--date", "27/11"])
    assert info.value.code == 2
    assert _deliveries(db) == 0


def test_member_away_from_the_command_line(
    db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    with time_machine.travel(jst(FRI, 10), tick=False):
        assert main(["member", "away", "U001", "12/1-12/5"]) == 0
        assert "12/1(火)〜12/5(土)" in capsys.readouterr().out
        assert main(["member", "away", "U001", "12/5-12/1"]) == 2
        assert "終了日が開始日より前" in capsys.readouterr().err
        assert main(["member", "away", "U404", "12/1"]) == 2
        assert main(["member", "away", "U001"]) == 0
        assert "U001\t2026-12-01\t2026-12-05" in capsys.readouterr().out
        periods = upcoming_away(db(), slack_user_id="U001", today=FRI)
        assert [(p.start_date, p.end_date) for p in periods] == [
            (dt.date(2026, 12, 1), dt.date(2026, 12, 5))
        ]
        assert main(["member", "away", "U001", "--cancel"]) == 0
        assert upcoming_away(db(), slack_user_id="U001", today=FRI) == []
