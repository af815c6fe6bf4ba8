"""`isops remind`, `isops demo` and `isops member away` (the morning reminders feature)."""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # imported when a command runs, so `isops --help` stays quick
    from bot.deps import Deps
    from isops.settings import Settings


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"日付は YYYY-MM-DD 形式で指定してください: {text!r}"
        ) from None


def _deps(settings: Settings) -> tuple[Deps, Any]:
    from bot.deps import Deps
    from isops.db import make_engine
    from isops.unit_of_work import make_uow_factory

    engine = make_engine(settings.database_url)
    return Deps.build(settings, make_uow_factory(engine)), engine


def _cmd_remind(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.dates import jp_date
    from bot.blocks.reminders import render_digests_text
    from bot.jobs.reminders import MorningReminders

    deps, engine = _deps(settings)
    try:
        day: dt.date = args.date or deps.calendar.local_date(_now())
        if not deps.calendar.is_business_day(day):
            print(f"{jp_date(day, year=True)} は営業日ではないため、朝の DM はありません")
            return 0
        if args.dry_run:
            run = MorningReminders(deps, None).run(on=day, dry_run=True)
            if not run.previews:
                print("対象のメンバーがいません (休暇中・未登録を除く)")
                return 0
            print(f"{jp_date(day, year=True)} の朝の DM (送信しません):\n")
            print(
                render_digests_text(
                    [(f"{d.name} ({d.slack_user_id})", message) for d, message in run.previews]
                )
            )
            return 0
        from bot.slack_client import build_outbox_client

        client = build_outbox_client(
            token=settings.secret("SLACK_BOT_TOKEN"), base_url=settings.slack_api_url
        )
        run = MorningReminders(deps, client).run(on=day)
        print(
            f"{jp_date(day, year=True)}: 送信 {len(run.sent)} 件 / 対象なし {len(run.empty)} 件"
            f" / 送信済み・送信中 {len(run.elsewhere)} 件 / 失敗 {len(run.failed)} 件"
        )
        if run.failed:
            print("失敗した人には次の実行 (15 分ごと、またはもう一度 isops remind) で再送します:")
            print("  " + " ".join(run.failed))
            return 1
        return 0
    finally:
        engine.dispose()


def _now() -> dt.datetime:
    from isops.clock import utcnow

    return utcnow()


def _cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.dates import jp_date
    from bot.blocks.reminders import build_morning_dm, render_digests_text
    from isops.demo import build_demo
    from isops.migrate import upgrade
    from isops.services.reminders import compute_digests, due_recipients

    if args.db:
        path = Path(args.db).resolve()
    else:
        path = Path(tempfile.mkdtemp(prefix="isops-demo-")) / "demo.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    demo_settings = settings.model_copy(update={"database_url": url})
    deps, engine = _deps(demo_settings)
    try:
        team = build_demo(deps.uow(), settings=demo_settings, calendar=deps.calendar, now=_now())
        recipients = due_recipients(
            deps.uow(),
            now=team.morning,
            settings=demo_settings,
            calendar=deps.calendar,
            on=team.business_date,
            include_settled=True,
        )
        digests = {
            d.slack_user_id: d
            for d in compute_digests(
                deps.uow(),
                recipients=recipients,
                now=team.morning,
                settings=demo_settings,
                calendar=deps.calendar,
            )
        }
    finally:
        engine.dispose()
    made = "作りました" if team.created else "にあるデータを使います"
    morning = team.morning.astimezone(deps.calendar.tz)
    print(f"isops デモ: サンプルチーム (マネージャー1名・担当3名) を {path} {made}。")
    print(
        f"{jp_date(team.business_date, year=True)} {morning:%H:%M} ({settings.timezone}) に"
        " Slack で届く朝の DM:\n"
    )
    role_names = {"manager": "マネージャー", "rep": "担当"}
    sections: list[tuple[str, dict[str, Any] | None]] = []
    for member in team.members:
        who = f"{member.name} ({role_names.get(member.role.value, member.role.value)})"
        if member.away_until is not None:
            sections.append(
                (
                    f"{who} — 休暇中 (〜{jp_date(member.away_until)})",
                    {
                        "text": "休暇中は DM を送りません。急ぎの案件はマネージャーの DM に載ります",
                        "blocks": [],
                    },
                )
            )
            continue
        digest = digests.get(member.slack_user_id)
        message = None if digest is None or digest.is_empty else build_morning_dm(digest)
        sections.append((who, message))
    print(render_digests_text(sections))
    print(
        "\n試してみる: "
        f"DATABASE_URL=sqlite:///{path} isops remind --dry-run --date {team.business_date}"
    )
    return 0


def _cmd_member_away(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.dates import jp_date
    from isops.services.away import cancel_away, parse_away_range, set_away, upcoming_away

    deps, engine = _deps(settings)
    try:
        today = deps.calendar.local_date(_now())
        if args.cancel:
            count = cancel_away(deps.uow(), slack_user_id=args.slack_user_id, on=today)
            print(f"{args.slack_user_id} の休暇 {count} 件を取り消しました")
            return 0
        if args.range is None:
            periods = upcoming_away(deps.uow(), slack_user_id=args.slack_user_id, today=today)
            if not periods:
                print(f"{args.slack_user_id} に予定されている休暇はありません")
            for p in periods:
                print(f"{args.slack_user_id}\t{p.start_date}\t{p.end_date}")
            return 0
        start, end = parse_away_range(args.range, today=today)
        period = set_away(
            deps.uow(), slack_user_id=args.slack_user_id, start_date=start, end_date=end
        )
        print(
            f"休暇を登録しました: {period.slack_user_id}"
            f" {jp_date(period.start_date, year=True)}〜{jp_date(period.end_date, year=True)}"
        )
        return 0
    finally:
        engine.dispose()


def _subcommands(parser: argparse.ArgumentParser) -> Any:
    """The sub-command action of `parser` (argparse offers no public accessor)."""
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action
    raise LookupError(f"{parser.prog} has no sub-commands")


def add_remind_commands(sub: Any) -> None:
    """Add `remind`, `demo` and `member away` to the `isops` parser's sub-commands."""
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

    demo = sub.add_parser(
        "demo", help="Slack なしで試す: サンプルチームを作り、今朝の DM を文字で表示"
    )
    demo.add_argument("--db", metavar="FILE", help="SQLite ファイル (既定: 一時ファイル)")
    demo.set_defaults(handler=_cmd_demo)

    member_sub = _subcommands(sub.choices["member"])
    away = member_sub.add_parser("away", help="休暇を登録・表示・取り消し (期間中は朝の DM なし)")
    away.add_argument("slack_user_id", metavar="SLACK_USER_ID", help="Slack のユーザー ID (U...)")
    away.add_argument(
        "range", nargs="?", metavar="RANGE", help="期間 (例: 12/1-12/5、1日なら 12/1)"
    )
    away.add_argument("--cancel", action="store_true", help="今日以降の休暇を取り消す")
    away.set_defaults(handler=_cmd_member_away)
