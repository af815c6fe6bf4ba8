"""`isops demo`: a sample team in a SQLite file and this morning's DMs as text (no Slack)."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from bot.cli import common
from isops.settings import Settings


def _cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    from bot.blocks.morning_dm import build_morning_dm
    from bot.blocks.plain_text import render_digests_text
    from bot.texts import jp_date
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
    with common.open_deps(demo_settings) as deps:
        team = build_demo(
            deps.uow(), settings=demo_settings, calendar=deps.calendar, now=common.now()
        )
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
    made = "作りました" if team.created else "にあるデータを使います"
    morning = team.morning.astimezone(deps.calendar.tz)
    print(f"isops デモ: サンプルチーム (マネージャー1名・担当3名) を {path} {made}。")
    print(
        f"{jp_date(team.business_date)} {morning:%H:%M} ({settings.timezone}) に"
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


def add_parsers(sub: common.Subparsers) -> None:
    """`isops demo [--db FILE]`."""
    demo = sub.add_parser(
        "demo", help="Slack なしで試す: サンプルチームを作り、今朝の DM を文字で表示"
    )
    demo.add_argument("--db", metavar="FILE", help="SQLite ファイル (既定: 一時ファイル)")
    demo.set_defaults(handler=_cmd_demo)
