"""The add / edit modal of a case (`/case add`, 編集): who it is for, the state before, and
one group of inputs per chain 課題 → 機能 (接続) → 便益, with a button for one more."""

from __future__ import annotations

from typing import Any

from bot import ids
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, context, input_block, plain, section
from bot.forms.cases import UNSET, CaseEditMeta
from isops.case_vocabulary import CompanySize
from isops.enums import RoleLevel
from isops.services import case_drafts as limits
from isops.services.case_drafts import MAX_CHAINS, CaseDraft, ChainDraft

ADD_TITLE = "事例を追加"
EDIT_TITLE = "事例を編集"
SAVE = "保存する"
CANCEL = "キャンセル"
ADD_CHAIN = "＋ 課題 → 機能 → 便益 を追加"
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩"
INTRO = (
    "1 つの事例を *誰の (業種・規模・役職)・どんな課題を・どの機能で・どう解決し・どんな便益が出たか*"
    " に分けて残します。課題・機能・便益は入力すると全事例で共通のタグになります。"
)

_PARTS: tuple[tuple[str, str, int, str], ...] = (
    ("problem", "課題", limits.TAG_NAME, "例: 受注率が低い"),
    ("feature", "機能", limits.TAG_NAME, "例: 商談の録画・分析"),
    (
        "connection",
        "接続 (機能が課題をどう解決するか)",
        limits.CONNECTION,
        "例: 成功事例を共有し、勝ちパターンを真似できる",
    ),
    ("benefit", "便益", limits.TAG_NAME, "例: 受注率の向上"),
    ("figures", "数値 (わかれば)", limits.FIGURES, "例: 受注率 18% → 24% (6か月)"),
)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


def _text_input(
    action_id: str,
    value: str,
    max_length: int,
    *,
    placeholder: str | None = None,
    multiline: bool = False,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "max_length": max_length,
        "multiline": multiline,
    }
    if value:
        element["initial_value"] = value[:max_length]
    if placeholder:
        element["placeholder"] = plain(placeholder)
    return element


def _select(action_id: str, options: list[dict[str, Any]], value: str | None) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": plain("指定なし"),
        "options": options,
    }
    chosen = next((o for o in options if o["value"] == (value or UNSET)), None)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _chain_inputs(index: int, chain: ChainDraft) -> list[dict[str, Any]]:
    mark = CIRCLED[index] if index < len(CIRCLED) else str(index + 1)
    blocks: list[dict[str, Any]] = [
        {"type": "divider"},
        section(f"*{mark} 課題 → 機能 → 便益*"),
    ]
    for part, label, max_length, placeholder in _PARTS:
        block_id = ids.chain_block(part, index)
        blocks.append(
            input_block(
                block_id,
                label,
                _text_input(block_id, getattr(chain, part), max_length, placeholder=placeholder),
                # The first problem is required; everything else is checked on save (a
                # case needs at least one benefit, a chain with parts needs its problem).
                optional=not (index == 0 and part == "problem"),
                hint="少なくとも 1 つの便益が必要です"
                if index == 0 and part == "benefit"
                else None,
            )
        )
    return blocks


def build_case_modal(
    draft: CaseDraft | None, *, meta: CaseEditMeta, may_archive: bool = False
) -> dict[str, Any]:
    """The modal; `draft` pre-fills it (None: empty). `meta.chains` groups are shown (at
    least the draft's), and a button adds one more up to MAX_CHAINS."""
    draft = draft or CaseDraft(title="", industry="")
    chains = list(draft.chains)
    shown = max(meta.chains, len(chains), 1)
    chains += [ChainDraft()] * (shown - len(chains))
    meta = meta.model_copy(update={"chains": shown})
    size_options = [_option("指定なし", UNSET)] + [_option(s.label, s.value) for s in CompanySize]
    role_options = [_option("指定なし", UNSET)] + [_option(r.value, r.value) for r in RoleLevel]
    blocks: list[dict[str, Any]] = [context(INTRO)]
    blocks.append(
        input_block(
            ids.CASE_TITLE_BLOCK,
            "タイトル",
            _text_input(
                ids.CASE_TITLE_BLOCK,
                draft.title,
                limits.TITLE,
                placeholder="例: 製造業の営業部が受注率を 6 ポイント上げた",
            ),
        )
    )
    blocks.append(
        input_block(
            ids.CASE_CUSTOMER_BLOCK,
            "顧客",
            _text_input(
                ids.CASE_CUSTOMER_BLOCK,
                draft.customer,
                limits.CUSTOMER,
                placeholder="例: 製造業 A社",
            ),
            optional=True,
            hint="社名を出せない場合は「製造業 A社」のように匿名で",
        )
    )
    blocks.append(
        input_block(
            ids.CASE_INDUSTRY_BLOCK,
            "業種",
            _text_input(
                ids.CASE_INDUSTRY_BLOCK, draft.industry, limits.INDUSTRY, placeholder="例: 製造"
            ),
            hint="リードの業種と同じ書き方にすると、記録画面とターゲットリストで使われます",
        )
    )
    blocks.append(
        input_block(
            ids.CASE_SIZE_BLOCK,
            "企業規模",
            _select(ids.CASE_SIZE_BLOCK, size_options, draft.company_size),
            optional=True,
        )
    )
    blocks.append(
        input_block(
            ids.CASE_ROLE_BLOCK,
            "相手の役職区分",
            _select(ids.CASE_ROLE_BLOCK, role_options, draft.role_level),
            optional=True,
        )
    )
    blocks.append(
        input_block(
            ids.CASE_SITUATION_BLOCK,
            "現状 (導入前のお客様の状態)",
            _text_input(
                ids.CASE_SITUATION_BLOCK,
                draft.situation,
                limits.SITUATION,
                multiline=True,
                placeholder="例: 商談はベテラン頼みで、受注率が担当者ごとに大きく違った",
            ),
            optional=True,
        )
    )
    for index, chain in enumerate(chains):
        blocks += _chain_inputs(index, chain)
    if shown < MAX_CHAINS:
        blocks.append(
            {
                "type": "actions",
                "block_id": ids.CASE_ADD_CHAIN_BUTTON,
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.CASE_ADD_CHAIN_BUTTON,
                        "text": plain(ADD_CHAIN),
                    }
                ],
            }
        )
    blocks.append(
        input_block(
            ids.CASE_LINK_BLOCK,
            "リンク",
            _text_input(
                ids.CASE_LINK_BLOCK,
                draft.link,
                limits.LINK,
                placeholder="https://… (事例記事・資料)",
            ),
            optional=True,
        )
    )
    if may_archive and meta.case_id is not None:
        archive: dict[str, Any] = {
            "type": "checkboxes",
            "action_id": ids.CASE_ARCHIVED_BLOCK,
            "options": [_option("アーカイブする (検索・提案・共有の対象外)", "yes")],
        }
        if draft.archived:
            archive["initial_options"] = archive["options"]
        blocks.append(input_block(ids.CASE_ARCHIVED_BLOCK, "アーカイブ", archive, optional=True))
    return {
        "type": "modal",
        "callback_id": ids.CASE_EDIT_VIEW,
        "title": plain(EDIT_TITLE if meta.case_id is not None else ADD_TITLE),
        "submit": plain(SAVE),
        "close": plain(CANCEL),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }
