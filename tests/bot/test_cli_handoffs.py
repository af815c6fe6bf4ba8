"""`isops handoffs export` and `isops handoffs remind` as an operator types them, and the
verdict job as the scheduler holds it (every 15 minutes, caught up at start-up)."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import func, select

from bot.cli import main
from bot.jobs.handoffs import JOB_ID
from isops.enums import HandoffVerdict, MeetingMode, Role
from isops.models import Handoff, Notification
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.bot.cli_checks import refused_cp932_export
from tests.harness import BotHarness

TOKYO = ZoneInfo("Asia/Tokyo")


def jst(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=TOKYO).astimezone(dt.UTC)


@pytest.fixture
def db(cli_db: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """UR1's lead handed to FS UF1: a visit on 12/1 at 14:00, rated valid at 17:00."""
    factories.member(cli_db(), "UR1", name="佐藤")
    factories.member(cli_db(), "UF1", role=Role.FS, name="田中")
    lead_id = factories.lead(cli_db(), owner="UR1", company="株式会社ミライ", status=5)
    factories.handoff(
        cli_db(),
        lead_id,
        rep="UR1",
        fs="UF1",
        meeting_at=jst(1, 14),
        created_at=jst(1, 9),
        decided_by="UF1",
        meeting_mode=MeetingMode.VISIT,
        problem="=1+1 新人が売れない",  # a formula: the export must defuse it
        verdict=HandoffVerdict.VALID,
        decided_at=jst(1, 17),
    )
    return cli_db


def test_export_writes_japanese_headers_in_the_chosen_encoding(
    db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for encoding in ("utf-8-sig", "cp932"):
        path = tmp_path / f"handoffs-{encoding}.csv"
        assert main(["handoffs", "export", str(path), "--encoding", encoding]) == 0
        assert "1 件の引き継ぎを書き出しました" in capsys.readouterr().out
        with path.open(encoding=encoding, newline="") as stream:
            header, row = list(csv.reader(stream))
        record = dict(zip(header, row, strict=True))
        assert record["会社名"] == "株式会社ミライ" and record["評価"] == "有効商談"
        assert record["課題"] == "'=1+1 新人が売れない" and record["形式"] == "訪問"


def test_export_refuses_what_cp932_cannot_write_and_leaves_no_file(
    db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with db() as uow:
        uow.session.scalars(select(Handoff)).one().wants = "🙂 絵文字つき"
        uow.commit()
    path = tmp_path / "out.csv"
    refused_cp932_export(capsys, "handoffs", path, "🙂")
    with pytest.raises(SystemExit) as info:
        main(["handoffs", "export", str(path), "--encoding", "latin-1"])
    assert info.value.code == 2


def test_remind_refuses_a_bad_moment_in_one_line_and_needs_a_token_to_send(
    db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    for bad in ("12/1 16:00", "2026-12-01T16:00+09:00"):
        with pytest.raises(SystemExit) as info:
            main(["handoffs", "remind", "--at", bad])
        assert info.value.code == 2
        assert "Traceback" not in capsys.readouterr().err
    with db() as uow:  # undecided again: a request is due
        handoff = uow.session.scalars(select(Handoff)).one()
        handoff.verdict, handoff.decided_at, handoff.decided_by_id = None, None, None
        uow.commit()
    with time_machine.travel(jst(1, 10), tick=False):
        assert main(["handoffs", "remind", "--at", "2026-12-01T16:00", "--dry-run"]) == 0
        assert "田中 (UF1)\t株式会社ミライ" in capsys.readouterr().out
        assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 2
    err = capsys.readouterr().err
    assert "SLACK_BOT_TOKEN が未設定です" in err and "Traceback" not in err
    with db() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_the_verdict_job_runs_every_15_minutes_and_catches_up_at_start_up(
    bot: BotHarness,
) -> None:
    (job,) = [j for j in bot.runtime.jobs if j.id == JOB_ID]
    assert job.run_at_start and isinstance(job.trigger, CronTrigger)
    start = dt.datetime(2026, 12, 1, 8, 50, tzinfo=TOKYO)
    fires = []
    moment: dt.datetime | None = start
    for _ in range(5):
        moment = job.trigger.get_next_fire_time(None, moment)
        assert moment is not None
        fires.append(f"{moment:%H:%M}")
        moment += dt.timedelta(seconds=1)
    assert fires == ["09:00", "09:15", "09:30", "09:45", "10:00"]
