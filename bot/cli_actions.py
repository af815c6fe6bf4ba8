"""`isops actions import`: activity history (calls and mails) from a CRM's CSV."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from isops.errors import IsopsError
from isops.settings import Settings

ENCODINGS = ("auto", "utf-8", "utf-8-sig", "cp932", "shift_jis", "utf-16")


class ActionsCliError(IsopsError):
    """A problem with the command's input, reported in one line (exit code 2)."""


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from slack_sdk.errors import SlackApiError

    from isops.csvio.actions_import import import_actions
    from isops.db import make_engine
    from isops.unit_of_work import make_uow_factory

    path = Path(args.file)
    if not path.is_file():
        raise ActionsCliError(f"ファイルがありません: {path}")
    lookup = None
    if settings.slack_bot_token is not None:
        from bot.slack_client import build_web_client
        from bot.slack_lookup import email_lookup

        client = build_web_client(
            token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
        )
        lookup = email_lookup(client)
    engine = make_engine(settings.database_url)
    try:
        with path.open("rb") as stream:
            result = import_actions(
                make_uow_factory(engine),
                stream=stream,
                tz=settings.tz,
                targets=settings.targets,
                lookup_email=lookup,
                dry_run=args.dry_run,
                encoding=args.encoding,
            )
    except SlackApiError as exc:
        raise ActionsCliError(
            f"Slack で担当者のメールアドレスを調べられません ({exc.response.get('error')})"
        ) from None
    finally:
        engine.dispose()
    for error in result.errors:
        print(error, file=sys.stderr)
    if result.error_count > len(result.errors):
        print(f"… ほか {result.error_count - len(result.errors)} 件のエラー", file=sys.stderr)
    if result.ignored_columns:
        print("使わなかった列: " + ", ".join(result.ignored_columns), file=sys.stderr)
    print(f"{result.summary()} (文字コード {result.encoding})")
    return 1 if result.error_count else 0


def add_actions_parsers(sub: Any) -> None:
    """`isops actions import` (registered in bot.cli._EXTENSIONS)."""
    actions = sub.add_parser("actions", help="活動履歴 (架電・メール) の CSV 取り込み")
    parser_class = type(actions)
    actions_sub = actions.add_subparsers(
        dest="actions_command", required=True, parser_class=parser_class
    )
    imp = actions_sub.add_parser(
        "import",
        help="CRM の活動履歴を取り込む (全行を検証してから 1 トランザクションで保存。"
        "同じ行の再取り込みは何もしない)",
    )
    imp.add_argument(
        "file",
        metavar="FILE.csv",
        help="列: isops ID / 外部ID / メール (リード), 実施日時, 種別, 結果, メモ, 担当者",
    )
    imp.add_argument("--dry-run", action="store_true", help="検証と件数の確認だけで保存しない")
    imp.add_argument(
        "--encoding", choices=ENCODINGS, default="auto", help="文字コード (既定: 自動判別)"
    )
    imp.set_defaults(handler=_cmd_import)
