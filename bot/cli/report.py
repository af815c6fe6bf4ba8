"""`isops report a|b|c|d|e [--team MANAGER] [--date D] [--format table|csv] [--out FILE]`: the
article's five reports (DOMAIN.md a–e) for a manager's team or everyone, as a table to read or
a CSV for a spreadsheet."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from bot.cli import common
from isops.settings import Settings

FORMATS = ("table", "csv")


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip().replace("/", "-"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください: {text!r}"
        ) from None


def _key(text: str) -> str:
    from isops.errors import InvalidInput
    from isops.services.reports import parse_report_key

    try:
        return parse_report_key(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_report(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.plain_text import render_text
    from bot.blocks.report import SHOWN_LINES, build_report_message
    from isops.services.reports import build_report, write_report_csv

    with common.open_deps(settings) as deps:
        day = args.date or deps.calendar.local_date(common.now())
        report = build_report(
            deps.uow(),
            key=args.key,
            day=day,
            settings=settings,
            calendar=deps.calendar,
            manager_slack_user_id=args.team,
        )
    if args.format == "csv":
        if args.out:
            path = Path(args.out)
            count = common.write_export(
                path,
                encoding="utf-8-sig",
                write=lambda out: write_report_csv(report, out, tz=settings.tz),
            )
            print(f"{count} 件を書き出しました: {path}")
        else:
            write_report_csv(report, sys.stdout, tz=settings.tz)
        return 0
    # The table: what Slack shows, every line (no 「他 N 件」 on the command line).
    text = render_text(
        build_report_message(report, tz=settings.tz, shown=max(SHOWN_LINES, report.total))
    )
    if args.out:
        try:
            Path(args.out).write_text(text + "\n", encoding="utf-8")
        except OSError as exc:
            raise common.CliError(f"{args.out} に書き出せません: {exc.strerror or exc}") from None
        print(f"{report.total} 件を書き出しました: {args.out}")
    else:
        print(text)
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops report KEY [--team MANAGER] [--date D] [--format table|csv] [--out FILE]`."""
    parser = sub.add_parser(
        "report",
        help="レポート a〜e: a 当日対応漏れ / b 予定日の来た注力 / c 承認待ちと差し戻し /"
        " d 7日5回未満 / e 1〜2か月先の注力",
    )
    parser.add_argument("key", type=_key, metavar="a|b|c|d|e", help="レポートの種類")
    parser.add_argument(
        "--team", metavar="SLACK_USER_ID", help="このマネージャーのチームだけ (既定: 全員)"
    )
    parser.add_argument(
        "--date", type=_day, metavar="YYYY-MM-DD", help="この日の朝の時点で (既定: 今日)"
    )
    parser.add_argument("--format", choices=FORMATS, default="table", help="表示形式 (既定: table)")
    parser.add_argument("--out", metavar="FILE", help="ファイルに書き出す (csv は UTF-8 BOM 付き)")
    parser.set_defaults(handler=_cmd_report)
