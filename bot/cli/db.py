"""`isops db upgrade|downgrade`: the database schema (Alembic)."""

from __future__ import annotations

import argparse

from bot.cli import common
from isops.settings import Settings


def _cmd_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    from isops.migrate import upgrade

    upgrade(settings.database_url, args.revision)
    print(f"データベースを {args.revision} に更新しました")
    return 0


def _cmd_downgrade(settings: Settings, args: argparse.Namespace) -> int:
    from isops.migrate import downgrade

    downgrade(settings.database_url, args.revision)
    print(f"データベースを {args.revision} に戻しました")
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops db upgrade [REV]` and `isops db downgrade REV`."""
    db_sub = common.add_group(sub, "db", help="データベースのスキーマ (Alembic)", dest="db_command")
    up = db_sub.add_parser("upgrade", help="スキーマを最新 (または指定の版) にする")
    up.add_argument("revision", nargs="?", default="head", help="版 (既定: head)")
    up.set_defaults(handler=_cmd_upgrade)
    down = db_sub.add_parser("downgrade", help="スキーマを指定の版に戻す")
    down.add_argument("revision", help="版 (全部消すなら base)")
    down.set_defaults(handler=_cmd_downgrade)
