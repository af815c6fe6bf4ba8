"""Slash commands, and the `/isops` sub-commands in the order `/isops help` lists them."""

from __future__ import annotations

from slack_bolt import App

from bot.deps import Subcommands
from bot.listeners.commands import (
    cases,
    handoffs,
    isops_command,
    lead,
    leads_import,
    log,
    reminders,
    reports,
    reviews,
    team,
)


def register(app: App, subcommands: Subcommands) -> None:
    app.command("/isops")(isops_command.handle_isops)
    app.command("/log-call")(log.handle_log_command)
    app.command("/log-mail")(log.handle_log_command)
    app.command("/lead")(lead.handle_lead)
    app.command("/case")(cases.handle_case_command)
    _add_subcommands(subcommands)


def _add_subcommands(subcommands: Subcommands) -> None:
    add = subcommands.add
    add(
        "reviews",
        usage="/isops reviews",
        summary="承認待ちの「対応不要」(ステータス 4・6) を古い順に表示し、承認・差し戻し",
        handler=reviews.handle_reviews,
    )
    add(
        "import",
        usage="/isops import",
        summary="CSV を貼り付けてリードを取り込む・更新する (管理者)",
        handler=leads_import.handle_import_command,
    )
    add(
        "today",
        usage=reminders.TODAY_USAGE,
        summary="今日のやること (朝の DM と同じ一覧) をいま表示。種類を付けると全件",
        handler=reminders.handle_today,
    )
    add(
        "away",
        usage="/isops away 12/1-12/5 | cancel",
        summary="休暇を登録 (期間中は朝の DM を止め、急ぎの案件はマネージャーへ)",
        handler=reminders.handle_away,
    )
    add(
        "targets",
        usage="/isops targets [事例の検索語]",
        summary="事例を選び、その業種 × 役職 × 規模に合う自分のリード (未注力・未アプローチ) を一覧して注力に",
        handler=cases.handle_targets,
    )
    add(
        "handoffs",
        usage="/isops handoffs",
        summary="FS への引き継ぎ: FS は評価待ちと予定の商談、担当は自分の引き継ぎ、"
        "マネージャーはチームの分",
        handler=handoffs.handle_handoffs,
    )
    add(
        "report",
        usage=reports.USAGE,
        summary="レポート a〜e (当日対応漏れ・予定日の来た注力・承認待ちと差し戻し・7日5回未満・"
        "1〜2か月先の注力) を表示。長いときは CSV を DM へ",
        handler=reports.handle_report,
    )
    add(
        "team",
        usage="/isops team",
        summary="(管理者) メンバー・役割・上長・休暇の一覧。役割と上長を変更",
        handler=team.handle_team,
    )
