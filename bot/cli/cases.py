"""`isops cases import|export`: the case library as CSV (the columns and the chain format are
described in isops.csvio.cases_columns and the README, "Case library")."""

from __future__ import annotations

import argparse

from bot.cli import common
from isops.settings import Settings


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio.cases_import import import_cases

    path = common.input_file(args.file)
    try:
        with common.open_uow_factory(settings) as uow_factory, path.open("rb") as stream:
            result = import_cases(
                uow_factory, stream=stream, encoding=args.encoding, dry_run=args.dry_run
            )
    except OSError as exc:
        raise common.CliError(f"{path} を読めません: {exc.strerror or exc}") from None
    common.print_import_report(result)
    return 1 if result.error_count else 0


def _cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio.cases_export import export_cases

    return common.export_csv(
        settings,
        args.file,
        encoding=args.encoding,
        write=lambda uow, out: export_cases(uow, out=out, tz=settings.tz, language=args.headers),
    )


def add_parsers(sub: common.Subparsers) -> None:
    """`isops cases import FILE.csv [--dry-run] [--encoding E]`, `isops cases export FILE.csv`."""
    cases_sub = common.add_group(
        sub, "cases", help="事例ライブラリの CSV 取り込み・書き出し", dest="cases_command"
    )
    imp = cases_sub.add_parser(
        "import",
        help="CSV から事例を取り込む (全行を検証してから 1 トランザクションで保存。"
        "外部ID が同じ事例は更新)",
    )
    imp.add_argument(
        "file",
        metavar="FILE.csv",
        help="列: 外部ID, タイトル, 顧客, 業種, 企業規模, 役職区分, 現状, 課題, 機能, 接続, 便益,"
        " 数値, リンク, アーカイブ (課題〜数値は 1 行に 1 つ、n 行目どうしが 1 組)",
    )
    common.add_import_options(imp)
    imp.set_defaults(handler=_cmd_import)
    exp = cases_sub.add_parser(
        "export", help="全事例 (アーカイブ済みも) を取り込みと同じ列で CSV に書き出す"
    )
    exp.add_argument("file", metavar="FILE.csv", help="書き出し先")
    common.add_export_encoding(exp)
    exp.add_argument(
        "--headers", choices=["ja", "en"], default="ja", help="見出しの言語 (既定: 日本語)"
    )
    exp.set_defaults(handler=_cmd_export)
