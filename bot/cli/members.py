"""`isops member add|set|list|away`: the team, role and manager changes, and members' leave
(休暇)."""

from __future__ import annotations

import argparse

from bot.cli import common
from isops.enums import Role
from isops.settings import Settings


def _cmd_add(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.members import add_member

    with common.open_uow_factory(settings) as uow_factory:
        member = add_member(
            uow_factory(),
            slack_user_id=args.slack_user_id,
            name=args.name,
            role=Role(args.role),
            manager_slack_user_id=args.manager,
            team=args.team,
            email=args.email,
            timezone=args.tz,
        )
    print(f"登録しました: {member.slack_user_id} {member.name} ({member.role.value})")
    return 0


def _cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.members import list_members

    with common.open_uow_factory(settings) as uow_factory:
        members = list_members(uow_factory())
    if not members:
        print("メンバーはまだいません (isops member add で登録します)")
        return 0
    print("slack_user_id\tname\trole\tmanager\tteam\tactive")
    for m in members:
        print(
            f"{m.slack_user_id}\t{m.name}\t{m.role.value}\t{m.manager_slack_user_id or '-'}"
            f"\t{m.team or '-'}\t{'yes' if m.active else 'no'}"
        )
    return 0


def _cmd_away(settings: Settings, args: argparse.Namespace) -> int:
    from bot.texts import jp_date
    from isops.services.away import cancel_away, parse_away_range, set_away, upcoming_away

    with common.open_deps(settings) as deps:
        today = deps.calendar.local_date(common.now())
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
        f" {jp_date(period.start_date)}〜{jp_date(period.end_date)}"
    )
    return 0


def _cmd_set(settings: Settings, args: argparse.Namespace) -> int:
    from bot.cli.common import CliError
    from isops.services.team import change_member

    if args.role is None and args.manager is None and not args.no_manager:
        raise CliError("--role か --manager (または --no-manager) を指定してください")
    with common.open_deps(settings) as deps:
        member = change_member(
            deps.uow(),
            member_slack_user_id=args.slack_user_id,
            role=Role(args.role) if args.role else None,
            manager_slack_user_id=args.manager,
            clear_manager=args.no_manager,
            today=deps.calendar.local_date(common.now()),
        )
    print(
        f"変更しました: {member.slack_user_id} {member.name} ({member.role.value})"
        f" 上長: {member.manager_name or '-'}"
    )
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops member add SLACK_USER_ID …`, `isops member list`, `isops member away …`."""
    member_sub = common.add_group(sub, "member", help="チームのメンバー", dest="member_command")
    add = member_sub.add_parser("add", help="メンバーを登録 (同じ ID なら更新)")
    add.add_argument("slack_user_id", metavar="SLACK_USER_ID", help="Slack のユーザー ID (U...)")
    add.add_argument("--name", required=True, help="表示名")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="役割")
    add.add_argument("--manager", metavar="SLACK_USER_ID", help="上長 (マネージャー) の Slack ID")
    add.add_argument("--team", help="チーム名 (既定: 上長のチーム)")
    add.add_argument("--email", help="メールアドレス")
    add.add_argument("--tz", help="タイムゾーン (既定: ISOPS_TIMEZONE)")
    add.set_defaults(handler=_cmd_add)

    change = member_sub.add_parser(
        "set", help="メンバーの役割・上長を変更 (上長のループや部下のいるマネージャーの降格は不可)"
    )
    change.add_argument("slack_user_id", metavar="SLACK_USER_ID", help="Slack のユーザー ID (U...)")
    change.add_argument("--role", choices=[r.value for r in Role], help="新しい役割")
    manager = change.add_mutually_exclusive_group()
    manager.add_argument("--manager", metavar="SLACK_USER_ID", help="新しい上長の Slack ID")
    manager.add_argument("--no-manager", action="store_true", help="上長なしにする")
    change.set_defaults(handler=_cmd_set)

    lst = member_sub.add_parser("list", help="メンバーの一覧")
    lst.set_defaults(handler=_cmd_list)

    away = member_sub.add_parser("away", help="休暇を登録・表示・取り消し (期間中は朝の DM なし)")
    away.add_argument("slack_user_id", metavar="SLACK_USER_ID", help="Slack のユーザー ID (U...)")
    away.add_argument(
        "range", nargs="?", metavar="RANGE", help="期間 (例: 12/1-12/5、1日なら 12/1)"
    )
    away.add_argument("--cancel", action="store_true", help="今日以降の休暇を取り消す")
    away.set_defaults(handler=_cmd_away)
