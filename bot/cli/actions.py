"""`isops actions import`: activity history (calls and mails) from a CRM's CSV."""

from __future__ import annotations

import argparse

from bot.cli import common
from isops.settings import Settings


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio.actions_import import import_actions

    path = common.input_file(args.file)
    lookup = common.slack_email_lookup(settings)
    with (
        common.slack_lookup_errors(),
        common.open_uow_factory(settings) as uow_factory,
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
    common.print_import_report(result)
    return 1 if result.error_count else 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops actions import FILE.csv [--dry-run] [--encoding E]`."""
    actions_sub = common.add_group(
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
    common.add_import_options(imp)
    imp.set_defaults(handler=_cmd_import)
