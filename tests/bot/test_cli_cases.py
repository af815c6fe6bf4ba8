"""`isops cases import|export` and the demo's cases, from the command line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.cli import main
from isops.db import make_engine
from isops.models import Case
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests.bot.cli_checks import refused_cp932_export, refused_import

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)
pytestmark = pytest.mark.time_machine(NOW, tick=False)
CSV = (
    "外部ID,タイトル,業種,役職区分,企業規模,課題,機能,便益,数値\n"
    'C-1,受注率改善,製造,マネージャー,300〜999名,"受注率が低い\n採用が増える",'
    '"商談の録画・分析\n受注商談の共有","受注率の向上\n立ち上がりが早い","18%→24%\n"\n'
)


def _titles(factory: UnitOfWorkFactory) -> list[str]:
    with factory() as uow:
        return list(uow.session.scalars(select(Case.title).order_by(Case.id)))


def test_import_export_and_import_again(
    cli_db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "cases.csv"
    source.write_text(CSV, encoding="cp932")
    assert main(["cases", "import", str(source), "--dry-run"]) == 0
    assert "(試行のみ・未保存) 1 行: 新規 1 件" in capsys.readouterr().out
    assert _titles(cli_db) == []
    assert main(["cases", "import", str(source)]) == 0
    assert "1 行: 新規 1 件, 更新 0 件, 変更なし 0 件 (文字コード cp932)" in capsys.readouterr().out
    exported = tmp_path / "out.csv"
    assert main(["cases", "export", str(exported)]) == 0
    assert "1 件を書き出しました" in capsys.readouterr().out
    assert exported.read_bytes().startswith(b"\xef\xbb\xbf")  # Excel opens it as UTF-8
    assert main(["cases", "import", str(exported)]) == 0
    assert "変更なし 1 件" in capsys.readouterr().out
    assert _titles(cli_db) == ["受注率改善"]


def test_bad_rows_are_listed_and_nothing_is_written(
    cli_db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "bad.csv"
    source.write_text(CSV + "C-2,,製造,部長,,課題,,,\n", encoding="utf-8")
    out, err = refused_import(capsys, "cases", source)
    assert "行 3, 列 役職区分: 「部長」は読めません" in err
    assert "エラー 1 件のため何も取り込んでいません" in out
    assert _titles(cli_db) == []


def test_bad_arguments_are_one_line(
    cli_db: UnitOfWorkFactory, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["cases", "import", str(tmp_path / "none.csv")]) == 2
    assert capsys.readouterr().err.strip().startswith("isops: エラー: ファイルがありません")
    source = tmp_path / "emoji.csv"
    source.write_text(CSV.replace("受注率改善", "受注率改善 🚀"), encoding="utf-8")
    assert main(["cases", "import", str(source)]) == 0
    capsys.readouterr()
    refused_cp932_export(capsys, "cases", tmp_path / "out.csv", "🚀")


def test_the_demo_has_the_articles_cases(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "demo.db"
    assert main(["demo", "--db", str(db)]) == 0
    capsys.readouterr()
    engine = make_engine(f"sqlite:///{db}")
    try:
        titles = _titles(make_uow_factory(engine))
    finally:
        engine.dispose()
    assert len(titles) == 3 and any("受注率" in t for t in titles)
