"""`isops remind`: the morning DMs of a business day, now (or printed with --dry-run)."""

from __future__ import annotations

import argparse
import datetime as dt

from bot.cli import common
from isops.settings import Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください: {text!r}"
        ) from None


def _cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.plain_text import render_digests_text
    from bot.jobs.reminders import MorningReminders
    from bot.texts import jp_date

    with common.open_deps(settings) as deps:
        day: dt.date = args.date or deps.calendar.local_date(common.now())
        if not deps.calendar.is_business_day(day):
            print(f"{jp_date(day)} は営業日ではないため、朝の DM はありません")
            return 0
        if args.dry_run:
            run = MorningReminders(deps, None).run(on=day, dry_run=True)
            if not run.previews:
                print("対象のメンバーがいません (休暇中・未登録を除く)")
                return 0
            print(f"{jp_date(day)} の朝の DM (送信しません):\n")
            print(
                render_digests_text(
                    [(f"{d.name} ({d.slack_user_id})", message) for d, message in run.previews]
                )
            )
            return 0
        run = MorningReminders(deps, common.outbox_client(settings)).run(on=day)
    print(
        f"{jp_date(day)}: 送信 {len(run.sent)} 件 / 対象なし {len(run.empty)} 件"
        f" / 送信済み・送信中 {len(run.elsewhere)} 件 / 失敗 {len(run.failed)} 件"
    )
    if run.failed:
        print("失敗した人には次の実行 (15 分ごと、またはもう一度 isops remind) で再送します:")
        print("  " + " ".join(run.failed))
        return 1
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops remind [--date YYYY-MM-DD] [--dry-run]`."""
    remind = sub.add_parser(
        "remind", help="朝の DM を今すぐ送る (同じ日に送信済みの人には送らない)"
    )
    remind.add_argument(
        "--date",
        type=_date,
        metavar="YYYY-MM-DD",
        help="営業日 (既定: ISOPS_TIMEZONE の今日)。その日の ISOPS_REMIND_AT 時点の内容で作る",
    )
    remind.add_argument(
        "--dry-run", action="store_true", help="送らずに、各メンバーへのメッセージを文字で表示"
    )
    remind.set_defaults(handler=_cmd_remind)
