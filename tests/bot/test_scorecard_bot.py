"""The weekly scorecard end to end against the fake Slack: on the first business morning the
manager's DM and a PNG chart uploaded through the external upload flow, each rep's DM naming
one habit, nobody twice (runs, the command after the job), away reps skipped, and a 429 on the
upload waited out without a second message — on both databases."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import select

from bot.charts import PNG_SIGNATURE
from bot.cli import main
from bot.jobs.scorecard import WeeklyScorecards
from isops.models import Member, Notification
from isops.services.scorecard_delivery import KIND_SCORECARD
from isops.unit_of_work import UnitOfWorkFactory
from tests.harness import BotHarness
from tests.isops.test_scorecard import SEND, W48, build_fixture_team


def run_job(bot: BotHarness, at: dt.datetime = SEND) -> WeeklyScorecards:
    runner = WeeklyScorecards(bot.runtime.deps, bot.runtime.outbox.client)
    with time_machine.travel(at, tick=False):
        runner.run()
    return runner


def scorecard_posts(bot: BotHarness) -> list[dict[str, object]]:
    """chat.postMessage calls of scorecards (the fixture's review request is another DM)."""
    return [
        c.params
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params["metadata"]["event_payload"]["key"].startswith(KIND_SCORECARD)
    ]


def dm_texts(bot: BotHarness, user: str) -> list[str]:
    return [
        m.get("text", "")
        for m in bot.fake.messages(user)
        if (m.get("metadata") or {}).get("event_payload", {}).get("key", "").startswith("score")
    ]


def test_first_business_morning_sends_each_member_once_with_a_chart(bot: BotHarness) -> None:
    build_fixture_team(bot.uow)
    run_job(bot)
    posts = scorecard_posts(bot)
    assert sorted(str(p["channel"]) for p in posts) == ["UM1", "UR1", "UR2"]  # UR3 away
    manager = next(p for p in posts if p["channel"] == "UM1")
    body = json.dumps(manager["blocks"], ensure_ascii=False)
    assert "佐藤" in body and "伊藤" in body and "鈴木" in body and "休暇" in body
    assert "当日 33% ▼67pt" in body  # 1/3 on time, 1/1 the week before
    # Each DM's chart went through getUploadURLExternal → bytes → completeUploadExternal.
    uploads = {u.channel: u for u in bot.fake.uploads()}
    assert set(uploads) == {"DUM1", "DUR1", "DUR2"}
    chart = uploads["DUM1"]
    assert chart.completed and chart.content is not None
    assert chart.content.startswith(PNG_SIGNATURE) and len(chart.content) == chart.length
    assert chart.filename == f"isops-scorecard-{W48.label}-1.png"
    assert chart.alt_txt is not None and "当日対応率 50%" in chart.alt_txt  # team: 2/4
    (sato_dm,) = dm_texts(bot, "UR1")[:1]
    assert "今週の習慣" in sato_dm and "当日対応率" in sato_dm
    assert "伊藤" not in json.dumps(bot.fake.messages("UR1"), ensure_ascii=False)

    # A later run that morning, and the command by hand, send nobody again.
    before = len(scorecard_posts(bot))
    run_job(bot, SEND + dt.timedelta(minutes=15))
    assert len(scorecard_posts(bot)) == before
    with bot.uow() as uow:
        rows = uow.session.execute(
            select(Notification.delivery_key, Notification.state).where(
                Notification.kind == KIND_SCORECARD
            )
        ).all()
    assert len(rows) == 4  # three sent, the away rep settled
    assert next(r for r in rows if r.delivery_key.endswith(":4:" + W48.label)).state == "skipped"


def test_not_on_other_mornings(bot: BotHarness) -> None:
    build_fixture_team(bot.uow)
    run_job(bot, SEND + dt.timedelta(days=1))
    run_job(bot, SEND - dt.timedelta(hours=1))  # 08:00, before ISOPS_REMIND_AT
    assert scorecard_posts(bot) == []


def test_a_429_on_the_upload_is_waited_out_without_a_second_message(bot: BotHarness) -> None:
    build_fixture_team(bot.uow)
    bot.fake.fail_next("files.getUploadURLExternal", retry_after=30)
    run_job(bot)
    first = {p["channel"] for p in scorecard_posts(bot)}
    assert first == {"UM1", "UR1", "UR2"}
    assert len([u for u in bot.fake.uploads() if u.completed]) == 2  # one waits for its retry
    with time_machine.travel(SEND + dt.timedelta(seconds=31), tick=False):
        bot.runtime.outbox.run_once()
    posts = [str(p["channel"]) for p in scorecard_posts(bot)]
    assert sorted(posts) == ["UM1", "UR1", "UR2"]  # no DM twice
    shared = [u.channel for u in bot.fake.uploads() if u.completed]
    assert sorted(shared) == ["DUM1", "DUR1", "DUR2"]


@pytest.mark.usefixtures("cli_db")
def test_dry_run_writes_messages_and_charts(cli_db: UnitOfWorkFactory, tmp_path: Path) -> None:
    build_fixture_team(cli_db)
    with time_machine.travel(SEND, tick=False):
        out = tmp_path / "out"
        assert main(["scorecard", "--week", "2026-W48", "--dry-run", "--out", str(out)]) == 0
    written = sorted(p.name for p in out.iterdir())
    assert written == [
        "UM1.json",
        "UM1.png",
        "UR1.json",
        "UR1.png",
        "UR2.json",
        "UR2.png",
    ]
    assert (out / "UR1.png").read_bytes().startswith(PNG_SIGNATURE)
    document = json.loads((out / "UR1.json").read_text(encoding="utf-8"))
    assert document["week"] == "2026-W48"
    assert "当日対応率" in document["message"]["text"]
    with cli_db() as uow:
        stored = select(Notification.id).where(Notification.kind == KIND_SCORECARD)
        assert uow.session.scalars(stored).all() == []  # nothing stored
        assert uow.session.scalar(select(Member.id).where(Member.slack_user_id == "UR3")) == 4


def test_bad_week_is_one_line(
    cli_db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["scorecard", "--week", "2026-W60", "--dry-run"])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert "第 60 週はありません" in err and "Traceback" not in err
