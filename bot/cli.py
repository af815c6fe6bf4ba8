"""`isops`: one command line for operators (database, members, the bot itself)."""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from sqlalchemy.exc import OperationalError

from bot.cli_actions import add_actions_parsers
from bot.cli_handoffs import add_handoffs_parsers
from bot.cli_leads import add_leads_parsers
from bot.cli_remind import add_remind_commands
from isops.enums import Role
from isops.errors import IsopsError
from isops.settings import Settings, load_settings

log = logging.getLogger("isops")

# A sub-command: (settings, parsed args) -> exit code.
Handler = Callable[[Settings, argparse.Namespace], int]


class UsageError(IsopsError):
    """Bad arguments: reported in one line with exit code 2."""


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: エラー: {message}\n")


def _cmd_db_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from isops.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"データベースを {args.revision} に更新しました")
    return 0


def _cmd_db_downgrade(settings: Settings, args: argparse.Namespace) -> int:
    from isops.migrate import downgrade

    downgrade(settings.database_url, args.revision)
    print(f"データベースを {args.revision} に戻しました")
    return 0


def _uow(settings: Settings) -> Any:
    from isops.db import make_engine
    from isops.unit_of_work import make_uow_factory

    return make_uow_factory(make_engine(settings.database_url))()


def _cmd_member_add(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.members import add_member

    member = add_member(
        _uow(settings),
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


def _cmd_member_list(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.members import list_members

    members = list_members(_uow(settings))
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


def _cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    from bot.runtime import build_runtime
    from bot.server import HttpServer
    from isops.migrate import upgrade

    socket_mode = settings.slack_app_token is not None and not args.http
    runtime = build_runtime(settings, socket_mode=socket_mode)
    if not args.no_migrate:
        upgrade(settings.database_url)
    # SIGTERM ends the serving loop the way Ctrl-C does; cleanup below then runs.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    runtime.start()
    try:
        if socket_mode:
            log.info("Socket Mode で接続します")
            runtime.connect_socket_mode()
        # The HTTP server runs in both modes: in Socket Mode it still serves /healthz and
        # the webhooks (Slack's own traffic then arrives over the socket instead).
        server = HttpServer(runtime.wsgi_app(), host=args.host, port=args.port)
        server.run()
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        log.info("停止します")
        runtime.stop()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="isops", description="isops — インサイドセールスの活動環境 (Slack bot)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    db = sub.add_parser("db", help="データベースのスキーマ (Alembic)")
    db_sub = db.add_subparsers(dest="db_command", required=True, parser_class=_Parser)
    up = db_sub.add_parser("upgrade", help="スキーマを最新 (または指定の版) にする")
    up.add_argument("revision", nargs="?", default="head", help="版 (既定: head)")
    up.set_defaults(handler=_cmd_db_upgrade)
    down = db_sub.add_parser("downgrade", help="スキーマを指定の版に戻す")
    down.add_argument("revision", help="版 (全部消すなら base)")
    down.set_defaults(handler=_cmd_db_downgrade)

    serve = sub.add_parser(
        "serve",
        help="bot を起動する (SLACK_APP_TOKEN があれば Socket Mode、なければ HTTP)。"
        "どちらでも /healthz と webhook は HTTP で待ち受ける",
    )
    serve.add_argument(
        "--http", action="store_true", help="SLACK_APP_TOKEN があっても HTTP で待ち受ける"
    )
    serve.add_argument("--host", default="0.0.0.0", help="HTTP の待ち受けアドレス (既定: 0.0.0.0)")
    serve.add_argument("--port", type=int, default=3000, help="HTTP のポート (既定: 3000)")
    serve.add_argument("--no-migrate", action="store_true", help="起動時にスキーマを更新しない")
    serve.set_defaults(handler=_cmd_serve)

    member = sub.add_parser("member", help="チームのメンバー")
    member_sub = member.add_subparsers(dest="member_command", required=True, parser_class=_Parser)
    add = member_sub.add_parser("add", help="メンバーを登録 (同じ ID なら更新)")
    add.add_argument("slack_user_id", metavar="SLACK_USER_ID", help="Slack のユーザー ID (U...)")
    add.add_argument("--name", required=True, help="表示名")
    add.add_argument("--role", required=True, choices=[r.value for r in Role], help="役割")
    add.add_argument("--manager", metavar="SLACK_USER_ID", help="上長 (マネージャー) の Slack ID")
    add.add_argument("--team", help="チーム名 (既定: 上長のチーム)")
    add.add_argument("--email", help="メールアドレス")
    add.add_argument("--tz", help="タイムゾーン (既定: ISOPS_TIMEZONE)")
    add.set_defaults(handler=_cmd_member_add)
    lst = member_sub.add_parser("list", help="メンバーの一覧")
    lst.set_defaults(handler=_cmd_member_list)

    for extend in _EXTENSIONS:
        extend(sub)
    return parser


# Feature modules add their sub-commands here (leads import/export, remind, demo, ...).
_EXTENSIONS: list[Callable[[Any], None]] = [
    add_leads_parsers,
    add_actions_parsers,
    add_remind_commands,
    add_handoffs_parsers,
]


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
        logging.basicConfig(
            level=settings.log_level.upper(),
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        logging.getLogger("alembic").setLevel(logging.WARNING)
        handler: Handler = args.handler
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


if __name__ == "__main__":
    sys.exit(main())
