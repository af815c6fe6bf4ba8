"""`/case [検索語]`: the search modal — a keyword, a problem keyword, industry / role level /
size selects — and its hits as 「課題 → 機能 → 便益」 with the customer and role."""

from __future__ import annotations

from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import chain_line, detail_button, edit_button, facts, outcome_short
from bot.forms.cases import ANY
from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.services.cases_search import CaseFilters, CaseSearch

TITLE = "事例ライブラリ"
SEARCH = "検索"
CLOSE = "閉じる"
ADD = "＋ 事例を追加"
KEYWORD_LABEL = "キーワード"
KEYWORD_PLACEHOLDER = "会社名・機能・便益など (Enter で検索)"
PROBLEM_LABEL = "課題で絞り込む"
PROBLEM_PLACEHOLDER = "例: 受注率 (Enter で検索)"
NONE_YET = "まだ事例がありません。`/case add` か「＋ 事例を追加」で最初の事例を登録してください。"
NO_HITS = "条件に合う事例はありません。条件を減らしてみてください。"
CHAINS_SHOWN = 3  # chain lines per hit; the rest are in 詳細


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": mrkdwn.plain(text, mrkdwn.MAX_OPTION_TEXT), "value": value}


def _select(
    action_id: str, placeholder: str, options: list[dict[str, Any]], value: str | None
) -> dict[str, Any]:
    chosen = next((o for o in options if o["value"] == (value or ANY)), options[0])
    return {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": mrkdwn.plain(placeholder),
        "options": options,
        "initial_option": chosen,
    }


def _dispatching_input(block_id: str, label: str, placeholder: str, value: str) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "placeholder": mrkdwn.plain(placeholder),
        "max_length": 100,
        "dispatch_action_config": {"trigger_actions_on": ["on_enter_pressed"]},
    }
    if value:
        element["initial_value"] = value[:100]
    return {
        "type": "input",
        "block_id": block_id,
        "label": mrkdwn.plain(label),
        "element": element,
        "optional": True,
        "dispatch_action": True,
    }


def _filters(search: CaseSearch) -> dict[str, Any]:
    filters = search.filters
    industries = [_option("すべての業種", ANY)] + [
        _option(i.label, i.key) for i in search.industries
    ]
    roles = [_option("すべての役職", ANY)] + [_option(r.value, r.value) for r in RoleLevel]
    sizes = [_option("すべての規模", ANY)] + [_option(s.label, s.value) for s in CompanySize]
    elements: list[dict[str, Any]] = [
        _select(ids.CASE_SEARCH_INDUSTRY, "業種", industries, filters.industry),
        _select(
            ids.CASE_SEARCH_ROLE,
            "役職",
            roles,
            filters.role_level.value if filters.role_level else None,
        ),
        _select(
            ids.CASE_SEARCH_SIZE,
            "規模",
            sizes,
            filters.company_size.value if filters.company_size else None,
        ),
    ]
    if search.may_edit:
        archived: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": ids.CASE_SEARCH_ARCHIVED,
            "options": [_option("アーカイブ済みも表示", "yes")],
        }
        if filters.include_archived:
            archived["initial_options"] = archived["options"]
        elements.append(archived)
    return {"type": "actions", "block_id": ids.CASE_SEARCH_FILTERS_BLOCK, "elements": elements}


def hit_text(search: CaseSearch, index: int) -> str:
    case = search.hits[index]
    lines = [
        f"*{mrkdwn.escape(case.title)}*" + (f" {texts.ARCHIVED_MARK}" if case.archived else "")
    ]
    details = facts(case)
    if case.outcome is not None:
        details = " · ".join(p for p in (details, outcome_short(case.outcome)) if p)
    if details:
        lines.append(details)
    lines += [chain_line(chain, index) for index, chain in enumerate(case.chains[:CHAINS_SHOWN])]
    if len(case.chains) > CHAINS_SHOWN:
        lines.append(f"ほか {len(case.chains) - CHAINS_SHOWN} 件の課題は「詳細」で")
    return mrkdwn.truncate("\n".join(lines), mrkdwn.MAX_SECTION_TEXT)


def _summary(search: CaseSearch) -> str:
    if not search.hits:
        return NONE_YET if search.filters.empty and search.total == 0 else NO_HITS
    shown = len(search.hits)
    text = f"{search.total} 件" + ("" if search.filters.empty else " 該当")
    if search.total > shown:
        text += (
            f" (新しい順に {shown} 件を表示。他 {search.total - shown} 件は条件を絞ってください)"
        )
    else:
        text += " (更新の新しい順)"
    return text


def build_case_search_modal(
    search: CaseSearch, *, filters: CaseFilters | None = None
) -> dict[str, Any]:
    """The search modal with its current filters and hits (≤ 100 blocks: 15 hits × 2 + 8)."""
    filters = filters or search.filters
    blocks: list[dict[str, Any]] = [
        _dispatching_input(
            ids.CASE_SEARCH_KEYWORD, KEYWORD_LABEL, KEYWORD_PLACEHOLDER, filters.keyword
        ),
        _dispatching_input(
            ids.CASE_SEARCH_PROBLEM, PROBLEM_LABEL, PROBLEM_PLACEHOLDER, filters.problem
        ),
        _filters(search),
    ]
    if search.may_add:
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    {"type": "button", "action_id": ids.CASE_ADD_BUTTON, "text": mrkdwn.plain(ADD)}
                ],
            }
        )
    blocks += [{"type": "divider"}, mrkdwn.context(_summary(search))]
    for index, case in enumerate(search.hits):
        if index:
            blocks.append({"type": "divider"})
        blocks.append(mrkdwn.section(hit_text(search, index), accessory=detail_button(case.id)))
        if search.may_edit:
            blocks.append({"type": "actions", "elements": [edit_button(case.id)]})
    return {
        "type": "modal",
        "callback_id": ids.CASE_SEARCH_VIEW,
        "title": mrkdwn.plain(TITLE),
        "submit": mrkdwn.plain(SEARCH),
        "close": mrkdwn.plain(CLOSE),
        "blocks": blocks,
    }
