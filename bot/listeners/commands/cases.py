"""`/case [検索語]`, `/case add`, `/case map` and `/isops targets` (issue 14)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, Respond
from slack_sdk import WebClient

from bot.blocks.case_map import build_value_map
from bot.blocks.case_modal import build_case_modal
from bot.blocks.case_search import build_case_search_modal
from bot.blocks.case_targets import build_targets_message
from bot.blocks.mrkdwn import section
from bot.deps import CommandCall, Deps
from bot.forms.cases import CaseEditMeta
from bot.listeners.errors import reports_errors
from isops.errors import NotAllowed
from isops.services.cases import MAY_NOT_ADD, case_access
from isops.services.cases_search import CaseFilters, search_cases, value_map
from isops.services.cases_targets import targets_view
from isops.text import fold, strip_control

ADD_WORDS = frozenset({"add", "new", "追加", "登録", "ツイカ", "トウロク"})
MAP_WORDS = frozenset({"map", "マップ", "バリューマップ"})
HELP_WORDS = frozenset({"help", "ヘルプ", "?"})
USAGE = (
    "*事例ライブラリ* (誰の・どんな課題を・どう解決し・どんな便益が出たか)\n"
    "`/case [検索語]` — 事例を探す (業種・役職・規模・課題で絞り込み)\n"
    "`/case add` — 事例を追加\n"
    "`/case map` — バリューマップ: 課題 → 機能 → 便益 の全体像\n"
    "`/isops targets [検索語]` — 事例に合うリードのターゲットリスト"
)


@reports_errors
def handle_case_command(
    ack: Ack, command: dict[str, Any], client: WebClient, respond: Respond, deps: Deps
) -> None:
    """`/case` opens the search modal (the text is the keyword); `add` the add modal; `map`
    answers with the value map; `help` with the usage."""
    ack()
    user_id = command["user_id"]
    text = strip_control(command.get("text") or "", single_line=True).strip()
    word = fold(text)
    if word in HELP_WORDS:
        respond(response_type="ephemeral", text=USAGE, blocks=[section(USAGE)])
        return
    if word in MAP_WORDS:
        respond(**build_value_map(value_map(deps.uow(), slack_user_id=user_id)))
        return
    if word in ADD_WORDS:
        if not case_access(deps.uow(), slack_user_id=user_id).may_add:
            raise NotAllowed(MAY_NOT_ADD)
        client.views_open(
            trigger_id=command["trigger_id"], view=build_case_modal(None, meta=CaseEditMeta())
        )
        return
    search = search_cases(deps.uow(), slack_user_id=user_id, filters=CaseFilters(keyword=text))
    client.views_open(trigger_id=command["trigger_id"], view=build_case_search_modal(search))


def handle_targets(call: CommandCall) -> None:
    """`/isops targets [検索語]`: the case picker (one matching case is picked at once) and,
    once a case is chosen, the caller's fitting leads (ephemeral)."""
    view = targets_view(call.deps.uow(), slack_user_id=call.user_id, query=call.args)
    call.respond(**build_targets_message(view, tz=call.deps.settings.tz))
