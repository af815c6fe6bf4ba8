"""`/isops report` over HTTP against the fake Slack: the caller's scope, a forged member id
refused without showing anything, 「他 N 件」 with the full list uploaded to the DM as CSV
through the external upload flow, and the command line's table and CSV — on both databases."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest

from bot.cli import main
from isops.enums import Role
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.factories import jst
from tests.harness import BotHarness

NOW = jst(dt.date(2026, 12, 2), 10)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def team(uow: UnitOfWorkFactory, *, overdue: int = 2) -> None:
    factories.manager_with_reps(uow)  # UM1 (山田) and UR1 (佐藤)
    factories.member(uow(), "UM2", role=Role.MANAGER, name="木村")
    factories.member(uow(), "UR9", manager="UM2", name="他チーム")
    cv = NOW - dt.timedelta(days=5)
    for n in range(overdue):
        factories.lead(uow(), owner="UR1", company=f"未対応商事{n}", inbound=True, cv_at=cv)
    factories.lead(uow(), owner="UR9", company="よそ様の会社", inbound=True, cv_at=cv)


def reply(bot: BotHarness) -> dict[str, object]:
    (call,) = bot.fake.wait_for("response_url")
    return call.params


def test_a_manager_sees_the_team_named_leads(bot: BotHarness) -> None:
    team(bot.uow)
    bot.command("/isops", "report a", user_id="UM1")
    answer = reply(bot)
    body = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "未対応商事0" in body and "未対応商事1" in body and "佐藤" in body
    assert "よそ様の会社" not in body
    assert answer["response_type"] == "ephemeral"
    assert not bot.fake.calls_to("files.getUploadURLExternal")


def test_a_forged_member_of_another_team_shows_nothing(bot: BotHarness) -> None:
    team(bot.uow)
    bot.command("/isops", "report a <@UR9|他チーム>", user_id="UM1")
    answer = reply(bot)
    text = json.dumps(answer, ensure_ascii=False)
    assert "表示できません" in text and "よそ様の会社" not in text
    bot.fake.clear()
    bot.command("/isops", "report a UM1", user_id="UR1")  # a rep naming their manager
    assert "表示できません" in json.dumps(reply(bot), ensure_ascii=False)


def test_a_long_report_says_how_many_more_and_sends_the_csv(bot: BotHarness) -> None:
    team(bot.uow, overdue=45)
    bot.command("/isops", "report a", user_id="UM1")
    answer = reply(bot)
    assert len(answer["blocks"]) <= 50  # type: ignore[arg-type]
    body = json.dumps(answer["blocks"], ensure_ascii=False)
    assert "他 5 件" in body and "CSV にして DM に送りました" in body
    (upload,) = bot.fake.uploads()
    assert upload.completed and upload.channel == "DUM1"
    assert upload.filename == "isops-report-a-2026-12-02.csv"
    assert upload.content is not None
    rows = list(csv.reader(io.StringIO(upload.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["isops ID", "会社名", "氏名"]
    assert len(rows) == 46 and {r[1] for r in rows[1:]} == {f"未対応商事{n}" for n in range(45)}


def test_bad_report_key_is_told_where_typed(bot: BotHarness) -> None:
    team(bot.uow)
    bot.command("/isops", "report z", user_id="UM1")
    assert "a・b・c・d・e" in json.dumps(reply(bot), ensure_ascii=False)


def test_cli_table_and_csv(
    cli_db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    team(cli_db)
    assert main(["report", "a", "--team", "UM1", "--date", "2026-12-02"]) == 0
    table = capsys.readouterr().out
    assert "未対応商事0" in table and "よそ様の会社" not in table
    out = tmp_path / "a.csv"
    assert main(["report", "a", "--format", "csv", "--out", str(out)]) == 0
    rows = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"))))
    assert {r[1] for r in rows[1:]} == {"未対応商事0", "未対応商事1", "よそ様の会社"}
    with pytest.raises(SystemExit) as bad:
        main(["report", "x"])
    assert bad.value.code == 2
    assert main(["report", "b", "--team", "UNOBODY"]) == 2
    assert "Traceback" not in capsys.readouterr().err
