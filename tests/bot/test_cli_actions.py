"""`isops actions import` from the command line."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
import time_machine
from sqlalchemy import func, select

from bot.cli import main
from isops.enums import Role
from isops.models import Action, Lead
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f
from tests.bot.cli_checks import refused_import

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # Friday 09:00 in Tokyo
CSV = (
    "外部ID,実施日時,種別,結果,メモ,担当者\n"
    "CRM-1,2026/11/20 10:00,架電,不在,①受付,U100\n"
    "CRM-1,2026/11/20 11:00,メール,送信,資料,\n"
)


@pytest.fixture
def env(cli_db: UnitOfWorkFactory) -> Iterator[UnitOfWorkFactory]:
    f.member(cli_db(), "U100", role=Role.REP)
    lead_id = f.lead(cli_db(), owner="U100", cv_at=NOW - dt.timedelta(days=8))
    with cli_db() as uow:
        uow.session.get_one(Lead, lead_id).external_id = "CRM-1"
        uow.commit()
    with time_machine.travel(NOW, tick=False):
        yield cli_db


def _actions(factory: UnitOfWorkFactory) -> int:
    with factory() as uow:
        return int(uow.session.scalar(select(func.count(Action.id))) or 0)


def test_import_then_again_in_another_encoding(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "history.csv"
    source.write_bytes(CSV.encode("cp932"))
    assert main(["actions", "import", str(source), "--dry-run"]) == 0
    assert "(試行のみ・未保存) 2 行: 取込 2 件" in capsys.readouterr().out
    assert _actions(env) == 0
    assert main(["actions", "import", str(source)]) == 0
    out = capsys.readouterr().out
    assert "2 行: 取込 2 件, 取込済み 0 件 (リード 1 件の集計を更新) (文字コード cp932)" in out
    again = tmp_path / "history.tsv"
    again.write_bytes(CSV.replace(",", "\t").encode("utf-16"))
    assert main(["actions", "import", str(again), "--encoding", "utf-16"]) == 0
    assert "取込 0 件, 取込済み 2 件" in capsys.readouterr().out
    assert _actions(env) == 2


def test_a_bad_row_exits_1_and_writes_nothing(
    env: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "history.csv"
    source.write_text(CSV + "CRM-1,2026/11/21 10:00,メール,接続,,\n", encoding="utf-8")
    out, err = refused_import(capsys, "actions", source)
    assert "行 4, 列 結果: 「接続」はメールの結果ではありません" in err
    assert "エラー 1 件のため何も取り込んでいません" in out
    assert _actions(env) == 0


def test_missing_file_is_one_line(
    env: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["actions", "import", "nope.csv"]) == 2
    assert "isops: エラー: ファイルがありません: nope.csv" in capsys.readouterr().err
