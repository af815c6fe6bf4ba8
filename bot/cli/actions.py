"""`isops actions import`: activity history (calls and mails) from a CRM's CSV."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.cli.common import (
    CliError,
    Subparsers,
    add_group,
    add_import_options,
    open_uow_factory,
    print_import_report,
    slack_email_lookup,
    slack_lookup_errors,
)
from isops.settings import Settings


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio.actions_import import import_actions

    path = Path(args.file)
    if not path.is_file():
        raise CliError(f"ファイルがありません: {path}")
    lookup = slack_email_lookup(settings)
    with (
        slack_lookup_errors(),
        open_uow_factory(settings) as uow_factory,
        path.open("rb") as stream,
    ):
        result = import_actions(
            uow_factory,
            stream=stream,
            tz=settings.tz,
            targets=settings.targets,
            lookup_email=lookup,
            dry_run=args.dry_run,
            encoding=args.encoding,
        )
    print_import_report(result)
    return 1 if result.error_count else 0


def add_parsers(sub: Subparsers) -> None:
    """`isops actions import FILE.csv [--dry-run] [--encoding E]`."""
    actions_sub = add_group(
        sub, "actions", help="活動履歴 (架電・メール) の CSV 取り込み", dest="actions_command"
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
    add_import_options(imp)
    imp.set_defaults(handler=_cmd_import)
