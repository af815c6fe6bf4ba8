"""The `isops` command: clear one-line errors, exit code 2, nothing written on bad input."""

from __future__ import annotations

import pkgutil

import pytest

import bot.cli
from bot.cli import GROUPS, main
from isops.services.members import list_members
from isops.unit_of_work import UnitOfWorkFactory


def _members(uow_factory: UnitOfWorkFactory) -> list[str]:
    return [m.slack_user_id for m in list_members(uow_factory())]


def test_member_add_and_list(cli_db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]) -> None:
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
    cli_db: UnitOfWorkFactory, argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        raise SystemExit(main(argv))
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "エラー" in err and "Traceback" not in err
    assert _members(cli_db) == []


def test_serve_without_token_is_one_line(
    cli_db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve", "--http", "--port", "0"]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("isops: エラー: SLACK_BOT_TOKEN が未設定です")
    assert "\n" not in err


def test_malformed_setting_is_one_line(
    cli_db: UnitOfWorkFactory, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
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


def test_every_command_group_module_is_listed_in_groups() -> None:
    """A group is a module in bot/cli with `add_parsers`, listed once in GROUPS."""
    modules = {
        info.name
        for info in pkgutil.iter_modules(bot.cli.__path__)
        if info.name not in ("common", "__main__")
    }
    listed = [add_parsers.__module__.removeprefix("bot.cli.") for add_parsers in GROUPS]
    assert sorted(listed) == sorted(modules) and len(set(listed)) == len(listed)
