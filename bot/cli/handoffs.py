"""`isops handoffs remind|export`: the verdict requests by hand (what the scheduler runs every
15 minutes) and the CSV export of hand-offs for the CRM (hand-off to FS, 有効商談)."""

from __future__ import annotations

import argparse
import datetime as dt

from bot.cli import common
from isops.settings import Settings


def _moment(text: str) -> dt.datetime:
    """`YYYY-MM-DDTHH:MM` (or with a space), a local time in ISOPS_TIMEZONE (zone added later)."""
    try:
        moment = dt.datetime.fromisoformat(text.strip().replace(" ", "T"))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日時は YYYY-MM-DDTHH:MM 形式で指定してください: {text!r}"
        ) from None
    if moment.tzinfo is not None:
        raise argparse.ArgumentTypeError(
            f"日時にタイムゾーンは付けないでください (ISOPS_TIMEZONE で読みます): {text!r}"
        )
    return moment


def _cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.handoff_messages import when
    from bot.jobs.handoffs import VerdictRequests
    from isops.clock import utcnow

    with common.open_deps(settings) as deps:
        at = args.at.replace(tzinfo=settings.tz).astimezone(dt.UTC) if args.at else None
        label = when(at or utcnow(), settings.tz)
        if args.dry_run:
            preview = VerdictRequests(deps, None).run(at=at, dry_run=True)
            if not preview.due:
                print(f"{label} 時点で送る評価依頼はありません")
                return 0
            print(f"{label} 時点で送る評価依頼 (送信しません):")
            for item in preview.due:
                print(
                    f"  {item.fs_name} ({item.fs_slack_user_id})\t{item.company}"
                    f"\t商談 {when(item.meeting_at, settings.tz)}\t{item.number}/3 回目"
                )
            return 0
        run = VerdictRequests(deps, common.outbox_client(settings)).run(at=at)
    print(
        f"{label}: 評価依頼 送信 {len(run.sent)} 件 / 送信済み・送信中 {len(run.elsewhere)} 件"
        f" / 失敗 {len(run.failed)} 件"
    )
    if run.failed:
        print("失敗した依頼は outbox が再送します (isops serve の実行中、または次の実行時)")
        return 1
    return 0


def _cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.handoff_reports import export_handoffs

    return common.export_csv(
        settings,
        args.file,
        encoding=args.encoding,
        write=lambda uow, out: export_handoffs(uow, out=out, tz=settings.tz),
        unit="件の引き継ぎ",
    )


def add_parsers(sub: common.Subparsers) -> None:
    """`isops handoffs remind [--at YYYY-MM-DDTHH:MM] [--dry-run]`, `isops handoffs export FILE`."""
    handoffs_sub = common.add_group(
        sub,
        "handoffs",
        help="FS への引き継ぎ: 評価依頼の送信と CSV 書き出し",
        dest="handoffs_command",
    )
    remind = handoffs_sub.add_parser(
        "remind",
        help="その時点で期限の来た評価依頼を FS に送る (スケジューラーが 15 分ごとに実行するもの)。"
        "同じ依頼は二度送らない",
    )
    remind.add_argument(
        "--at",
        type=_moment,
        metavar="YYYY-MM-DDTHH:MM",
        help="この時点 (ISOPS_TIMEZONE) で期限の来た依頼を送る (既定: 今)",
    )
    remind.add_argument("--dry-run", action="store_true", help="送らずに、送る依頼を表示する")
    remind.set_defaults(handler=_cmd_remind)

    export = handoffs_sub.add_parser(
        "export", help="すべての引き継ぎと評価を CSV に書き出す (日本語の見出し、CRM 向け)"
    )
    export.add_argument("file", metavar="FILE", help="書き出す CSV ファイル")
    common.add_export_encoding(export)
    export.set_defaults(handler=_cmd_export)
