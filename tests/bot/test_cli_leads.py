"""`isops leads import|export|rules` from the command line."""

from __future__ import annotations

import codecs
import subprocess
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bot.cli import main
from isops.enums import Role
from isops.models import Lead
from isops.services.assignment import list_rules
from isops.services.members import add_member
from isops.unit_of_work import UnitOfWorkFactory
from tests.bot.cli_checks import refused_cp932_export, refused_import
from tests.fake_slack import FakeSlack
from tests.processes import start_isops

CSV = (
    "外部ID,会社名,氏名,メール,流入元,担当者,優先度,ステータス,次回活動予定日,メモ\n"
    "C-1,株式会社あおば,山田,yamada@aoba.example,資料請求,U100,注力,未対応,2026/12/01,①資料送付\n"
    "C-2,株式会社かえで,鈴木,suzuki@kaede.example,セミナー,tanaka@example.com,,2,,\n"
)


@pytest.fixture
def env(cli_db: UnitOfWorkFactory) -> UnitOfWorkFactory:
    add_member(cli_db(), slack_user_id="U100", name="佐藤", role=Role.REP)
    add_member(cli_db(), slack_user_id="U200", name="田中", role=Role.REP)
    return cli_db


def test_import_cp932_through_slack_lookup_then_export_round_trip(
    env: UnitOfWorkFactory,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    source = tmp_path / "crm.csv"
    source.write_bytes(CSV.encode("cp932"))
    with FakeSlack(token="xoxb-cli") as fake:
        fake.add_user("U200", email="tanaka@example.com")
        monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-cli")
        monkeypatch.setenv("SLACK_API_URL", fake.api_url)
        assert main(["leads", "import", str(source), "--progress"]) == 0
        assert [c.params["email"] for c in fake.calls_to("users.lookupByEmail")] == [
            "tanaka@example.com"
        ]
    out, err = capsys.readouterr()
    assert "2 行: 新規 2 件, 更新 0 件, 変更なし 0 件 (文字コード cp932)" in out
    assert "検証 [" in err and "取込 [" in err and "100%" in err  # the progress bar

    exported = tmp_path / "out.csv"
    assert main(["leads", "export", str(exported)]) == 0
    data = exported.read_bytes()
    assert data.startswith(codecs.BOM_UTF8) and "①資料送付" in data.decode("utf-8-sig")
    assert not (tmp_path / "out.csv.part").exists()
    capsys.readouterr()
    monkeypatch.delenv("SLACK_BOT_TOKEN")
    assert main(["leads", "import", str(exported)]) == 0  # owners now exported as Slack ids
    assert "新規 0 件, 更新 0 件, 変更なし 2 件" in capsys.readouterr().out


def test_bad_rows_exit_1_and_import_nothing(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(CSV + "C-3,,x,broken,,U999,,,,\n", encoding="utf-8")
    _, err = refused_import(capsys, "leads", source)
    assert "行 4, 列 メール:" in err and "行 4, 列 担当者:" in err
    assert "行 3, 列 担当者: tanaka@example.com は isops のメンバーではありません" in err
    assert "SLACK_BOT_TOKEN" in err  # the hint: e-mails could be looked up in Slack
    assert main(["leads", "export", "-"]) == 0
    assert capsys.readouterr().out.count("\n") == 1  # the header only


def test_dry_run_and_missing_file(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(CSV.replace("tanaka@example.com", "U200"), encoding="utf-8-sig")
    assert main(["leads", "import", str(source), "--dry-run"]) == 0
    assert "(試行のみ・未保存) 2 行: 新規 2 件" in capsys.readouterr().out
    assert main(["leads", "import", str(tmp_path / "none.csv")]) == 2
    assert "ファイルがありません" in capsys.readouterr().err


def test_export_in_cp932_refuses_what_it_cannot_write(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "emoji.csv"
    source.write_text("会社名,メモ\n絵文字社,よろしく🙏\n", encoding="utf-8")
    assert main(["leads", "import", str(source)]) == 0
    refused_cp932_export(capsys, "leads", tmp_path / "sjis.csv", "🙏")


def test_rules_commands(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["leads", "rules", "add", "--source", "資料請求", "--team", "東京"]) == 0
    assert (
        main(["leads", "rules", "add", "--industry", "金融", "--member", "U100", "--position", "1"])
        == 0
    )
    assert main(["leads", "rules", "list"]) == 0
    out = capsys.readouterr().out
    assert "1\t2\t*\t金融\tメンバー U100" in out and "2\t1\t資料請求\t*\tチーム 東京" in out
    assert main(["leads", "rules", "add", "--source", "x"]) == 2
    assert "振り分け先" in capsys.readouterr().err
    path = tmp_path / "rules.yml"
    path.write_text("rules:\n  - source: セミナー\n    team: 大阪\n", encoding="utf-8")
    assert main(["leads", "rules", "load", str(path)]) == 0
    assert [(r.source, r.team) for r in list_rules(env())] == [("セミナー", "大阪")]
    (rule,) = list_rules(env())
    assert main(["leads", "rules", "remove", str(rule.id)]) == 0
    assert main(["leads", "rules", "remove", str(rule.id)]) == 2
    assert list_rules(env()) == []


def _isops(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """The `isops` command in its own process (as an operator runs it), on the test database."""
    process = start_isops(*args, cwd=tmp_path)
    out, err = process.communicate(timeout=120)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


_ROWS = [f"社{n},c{n}@example.com\n" for n in range(1, 1501)]
_ROWS[1199] = "社\x001200,c1200@example.com\n"  # data row 1,200 = spreadsheet row 1,201
_NUL_AT_1201 = "会社名,メール\n" + "".join(_ROWS)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (_NUL_AT_1201, "行 1201, 列 会社名: 制御文字 (NUL など) が含まれています"),
        # A quote never closed: the rest of the file becomes one cell, then a csv.Error.
        ('会社名,メモ\nA社,x\nB社,"' + "y" * 140_000 + "\nC社,z\n", "行 3: セルが長すぎます"),
        ("会社名,流入日時\nA社,0001-01-01\n", "行 2, 列 流入日時: 「0001-01-01」は"),
        ("isops ID,メモ\n12345678901234567890,x\n", "行 2, 列 isops ID: 「12345678901234567890」"),
    ],
    ids=["nul-in-row-1201", "quote-never-closed", "date-0001-01-01", "id-of-20-digits"],
)
def test_bad_files_get_their_row_and_no_traceback(
    env: UnitOfWorkFactory, tmp_path: Path, content: str, message: str
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(content, encoding="utf-8")
    done = _isops(tmp_path, "leads", "import", str(source))
    assert done.returncode == 1, done.stderr
    assert message in done.stderr
    # Not after the message either (e.g. "Exception ignored … underlying buffer has been
    # detached" from the file reader being collected).
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr
    assert "何も取り込んでいません" in done.stdout
    with env() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_an_unreachable_database_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "ok.csv"
    source.write_text(CSV, encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", "postgresql://isops@127.0.0.1:1/none")
    assert main(["leads", "import", str(source)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("isops: エラー: データベースを使えません (") and err.count("\n") == 1
