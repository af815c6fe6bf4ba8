"""What every `isops` command group shares: the parser, running a command with its one error
policy, and the database, deps and Slack client a command opens.

A command is a `Handler`: (settings, parsed args) -> exit code. Whatever it raises as an
`IsopsError` (bad input: `CliError` here, or a domain error) is printed as one line
`isops: エラー: …` with exit code 2; a database that cannot be used is told the same way.
Heavy imports stay inside the functions, so `isops --help` stays quick.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import os
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TextIO

from sqlalchemy.exc import OperationalError

from isops.errors import IsopsError
from isops.settings import Settings, load_settings

if TYPE_CHECKING:
    from slack_sdk import WebClient

    from bot.deps import Deps
    from bot.slack_lookup import EmailLookup
    from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory

log = logging.getLogger("isops")

# A sub-command: (settings, parsed args) -> exit code.
Handler = Callable[[Settings, argparse.Namespace], int]
# What `add_subparsers()` returns (argparse does not export its type).
Subparsers = Any


class ImportReport(Protocol):
    """What `isops leads import` and `isops actions import` both report."""

    @property
    def errors(self) -> Sequence[object]: ...
    @property
    def error_count(self) -> int: ...
    @property
    def ignored_columns(self) -> Sequence[str]: ...
    @property
    def encoding(self) -> str: ...
    def summary(self) -> str: ...


class CliError(IsopsError):
    """A problem with the command's input, reported in one line (exit code 2)."""


class CliParser(argparse.ArgumentParser):
    """argparse with its usage errors in the same words as every other `isops` error."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: エラー: {message}\n")


# `--encoding` of the CSV commands: an import reads any of these (auto: detected from the
# bytes), an export writes one (utf-8-sig by default: Excel opens it as it is).
IMPORT_ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16")
EXPORT_ENCODINGS = ("utf-8-sig", "utf-8", "cp932")


def add_import_options(parser: argparse.ArgumentParser) -> None:
    """A CSV import's `--dry-run` and `--encoding`."""
    parser.add_argument("--dry-run", action="store_true", help="検証と件数の確認だけで保存しない")
    parser.add_argument(
        "--encoding", choices=IMPORT_ENCODINGS, default="auto", help="文字コード (既定: 自動判別)"
    )


def add_export_encoding(parser: argparse.ArgumentParser) -> None:
    """A CSV export's `--encoding`."""
    parser.add_argument(
        "--encoding",
        choices=EXPORT_ENCODINGS,
        default="utf-8-sig",
        help="文字コード (既定 utf-8-sig: Excel でそのまま開けます。cp932 も可)",
    )


def add_group(sub: Subparsers, name: str, *, help: str, dest: str) -> Subparsers:
    """`isops <name> …`: a command whose sub-commands are added to what this returns.
    `dest` names the missing sub-command in argparse's error ("required: <dest>")."""
    group = sub.add_parser(name, help=help)
    return group.add_subparsers(dest=dest, required=True, parser_class=CliParser)


def run(handler: Handler, args: argparse.Namespace) -> int:
    """Load the settings and run `handler`, turning bad input into one line and exit code 2."""
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        return handler(settings, args)
    except IsopsError as exc:
        print(f"isops: エラー: {exc}", file=sys.stderr)
        return 2
    except OperationalError as exc:
        # Unreachable, locked or gone away: the operator's setting or server to fix, told in
        # one line (the traceback only with ISOPS_LOG_LEVEL=DEBUG).
        log.debug("database error", exc_info=True)
        reason = str(exc.orig or exc).strip().splitlines()[0]
        print(f"isops: エラー: データベースを使えません ({reason})", file=sys.stderr)
        return 2


@contextmanager
def open_uow_factory(settings: Settings) -> Iterator[UnitOfWorkFactory]:
    """Units of work on the settings' database, its connections closed on the way out."""
    from isops.db import make_engine
    from isops.unit_of_work import make_uow_factory

    engine = make_engine(settings.database_url)
    try:
        yield make_uow_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def open_deps(settings: Settings) -> Iterator[Deps]:
    """What the bot's jobs get (calendar, settings, units of work), for commands that run them."""
    from bot.deps import Deps

    with open_uow_factory(settings) as uow_factory:
        yield Deps.build(settings, uow_factory)


def now() -> dt.datetime:
    """The current time (UTC), read when a command needs it."""
    from isops.clock import utcnow

    return utcnow()


def input_file(name: str) -> Path:
    """The file a command reads, or one line saying it is not there."""
    path = Path(name)
    if not path.is_file():
        raise CliError(f"ファイルがありません: {path}")
    return path


def outbox_client(settings: Settings) -> WebClient:
    """The outbox's Slack client (the bot token), for commands that send what a job sends."""
    from bot.slack_client import build_outbox_client

    return build_outbox_client(
        token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
    )


def slack_email_lookup(settings: Settings) -> EmailLookup | None:
    """Owners' e-mails looked up in Slack when a bot token is set (None: members only)."""
    if settings.slack_bot_token is None:
        return None
    from bot.slack_client import build_web_client
    from bot.slack_lookup import email_lookup

    client = build_web_client(
        token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
    )
    return email_lookup(client)


@contextmanager
def slack_lookup_errors() -> Iterator[None]:
    """A Slack refusal while looking e-mails up, as one line (exit code 2)."""
    from slack_sdk.errors import SlackApiError

    try:
        yield
    except SlackApiError as exc:
        raise CliError(
            f"Slack で担当者のメールアドレスを調べられません ({exc.response.get('error')})"
        ) from None


def print_import_report(result: ImportReport) -> None:
    """A CSV import's errors (the first ones and how many more) and ignored columns on
    stderr, and its summary line on stdout."""
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.error_count > len(result.errors):
        print(f"… ほか {result.error_count - len(result.errors)} 件のエラー", file=sys.stderr)
    if result.ignored_columns:
        print("使わなかった列: " + ", ".join(result.ignored_columns), file=sys.stderr)
    print(f"{result.summary()} (文字コード {result.encoding})")


def export_csv(
    settings: Settings,
    file: str,
    *,
    encoding: str,
    write: Callable[[UnitOfWork, TextIO], int],
    unit: str = "件",
) -> int:
    """An export command's run: `write(uow, out)` into `file` in `encoding` as `write_export`
    writes, with a unit of work on the settings' database, then the count on stdout
    (`12 件を書き出しました: FILE`; `unit` names what was written). The exit code."""
    path = Path(file)
    with open_uow_factory(settings) as uow_factory:
        count = write_export(path, encoding=encoding, write=lambda out: write(uow_factory(), out))
    print(f"{count} {unit}を書き出しました: {path}")
    return 0


def write_export(path: Path, *, encoding: str, write: Callable[[TextIO], int]) -> int:
    """Run `write(out)` into `path` and return what it returns (the rows written).

    Written next to the target and renamed at the end, so a failed export leaves no half
    file; a character the encoding cannot hold, or a path that cannot be written, is one line."""
    partial = path.with_name(path.name + ".part")
    try:
        with partial.open("w", encoding=encoding, newline="") as out:
            count = write(out)
        os.replace(partial, path)
    except UnicodeEncodeError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(
            f"{encoding} で表せない文字「{exc.object[exc.start : exc.end]}」があります"
            " (--encoding utf-8-sig なら Excel でもそのまま開けます)"
        ) from None
    except OSError as exc:
        partial.unlink(missing_ok=True)
        raise CliError(f"{path} に書き出せません: {exc.strerror or exc}") from None
    return count
