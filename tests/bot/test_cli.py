"""The `isops` command: clear one-line errors, exit code 2, nothing written on bad input."""

from __future__ import annotations

import pytest

from bot.cli import main
from isops.db import make_engine
from isops.services.members import list_members
from isops.unit_of_work import make_uow_factory


@pytest.fixture
def env(monkeypatch: pytest.MonkeyPatch, database_url: str, tmp_path: object) -> str:
    monkeypatch.chdir(tmp_path)  # type: ignore[arg-type]
    monkeypatch.setenv("DATABASE_URL", database_url)
    for name in ("SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return database_url


def _members(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        return [m.slack_user_id for m in list_members(make_uow_factory(engine)())]
    finally:
        engine.dispose()


def test_member_add_and_list(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["member", "add", "U100", "--name", "山田", "--role", "manager"]) == 0
    assert (
        main(["member", "add", "U200", "--name", "佐藤", "--role", "rep", "--manager", "U100"]) == 0
    )
    assert main(["member", "list"]) == 0
    out = capsys.readouterr().out
    assert "U200\t佐藤\trep\tU100" in out


@pytest.mark.parametrize(
    "argv",
    [
        ["member", "add", "U200", "--name", "佐藤", "--role", "boss"],
        ["member", "add", "U200", "--role", "rep"],
        ["member", "add", "U200", "--name", "佐藤", "--role", "rep", "--manager", "U999"],
        ["member", "add", "not-an-id", "--name", "佐藤", "--role", "rep"],
    ],
)
def test_bad_arguments_exit_2_and_write_nothing(
    env: str, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "エラー" in err and "Traceback" not in err
    assert _members(env) == []


def test_serve_without_token_is_one_line(env: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["serve", "--http", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("isops: エラー: SLACK_BOT_TOKEN が未設定です")
    assert "\n" not in err


def test_malformed_setting_is_one_line(
    env: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("ISOPS_REMIND_AT", "25:99")
    assert main(["member", "list"]) == 2
    err = capsys.readouterr().err.strip()
    assert "ISOPS_REMIND_AT" in err and "\n" not in err


def test_help_is_plain_words(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["--help"])
    assert info.value.code == 0
    assert "member" in capsys.readouterr().out
