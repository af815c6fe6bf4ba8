"""`isops scorecard [--week YYYY-Www] [--dry-run] [--out DIR]`: the weekly habit scorecard by hand.

Without `--dry-run` it sends the week's scorecards as the Monday job does (each member's once:
one already queued is not sent again). With `--dry-run` nothing is sent or stored: each
member's message is written as JSON and their chart as a PNG into DIR.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from bot.cli import common
from isops.settings import Settings

if TYPE_CHECKING:
    from isops.services.scorecard_weeks import Week


def _week(text: str) -> Week:
    from isops.errors import InvalidInput
    from isops.services.scorecard_weeks import Week

    try:
        return Week.parse(text)
    except InvalidInput as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _cmd_scorecard(settings: Settings, args: argparse.Namespace) -> int:
    from bot.charts import alt_text, render_trend_png
    from bot.jobs.scorecard import WeeklyScorecards
    from isops.services.scorecard_values import TrendChart
    from isops.services.scorecard_weeks import last_complete_week

    week: Week = args.week or last_complete_week(common.now(), settings.tz)
    out: Path | None = Path(args.out) if args.out else None
    if args.dry_run and out is None:
        out = Path(f"scorecard-{week.label}")
    with common.open_deps(settings) as deps:
        if args.dry_run:
            run = WeeklyScorecards(deps, None).run(week=week, dry_run=True)
        else:
            run = WeeklyScorecards(deps, common.outbox_client(settings)).run(week=week)
    if args.dry_run:
        assert out is not None
        try:
            out.mkdir(parents=True, exist_ok=True)
            for item in run.previews:
                stem = out / f"{item.slack_user_id}"
                chart = TrendChart.from_payload(item.chart) if item.chart else None
                document = {
                    "week": week.label,
                    "slack_user_id": item.slack_user_id,
                    "message": item.message,
                    "chart_alt_text": alt_text(chart, heading=item.chart_heading)
                    if chart
                    else None,
                }
                stem.with_suffix(".json").write_text(
                    json.dumps(document, ensure_ascii=False, indent=2), encoding="utf-8"
                )
                if chart is not None:
                    stem.with_suffix(".png").write_bytes(
                        render_trend_png(chart, heading=item.chart_heading)
                    )
        except OSError as exc:
            raise common.CliError(f"{out} に書き出せません: {exc.strerror or exc}") from None
        print(
            f"{week.label}: {len(run.previews)} 名分の習慣スコアを {out} に書き出しました"
            f" (送信しません、休暇で対象外 {len(run.away)} 名)"
        )
        return 0
    print(
        f"{week.label}: 習慣スコア 送信 {len(run.sent)} 件 / 送信済み・送信中 {len(run.elsewhere)} 件"
        f" / 失敗 {len(run.failed)} 件 / 休暇で対象外 {len(run.away)} 名"
    )
    if run.failed:
        print("失敗した分は outbox が再送します (isops serve の実行中、または次の実行時)")
        return 1
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops scorecard [--week YYYY-Www] [--dry-run] [--out DIR]`."""
    parser = sub.add_parser(
        "scorecard",
        help="週次の習慣スコアを送る (毎週最初の営業日の朝に自動で送るもの)。同じ週は二度送らない",
    )
    parser.add_argument(
        "--week",
        type=_week,
        metavar="YYYY-Www",
        help="この週の数字 (既定: 終わった直近の週。例: 2026-W48)",
    )
    parser.add_argument(
        "--dry-run",
        action="store_true",
        help="送らずに、メッセージ (JSON) とグラフ (PNG) を --out に書き出す",
    )
    parser.add_argument(
        "--out", metavar="DIR", help="--dry-run の書き出し先 (既定: scorecard-<週>)"
    )
    parser.set_defaults(handler=_cmd_scorecard)
