"""Hand-off to FS (issue 12) modals: the hand-off section the log modal shows at status 5, and
the FS's verdict modals (❌ 有効商談ではない, 📅 日程変更, ↩️ IS に戻す). Pure builders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.handoff_messages import lead_title, meeting_line
from bot.forms.handoff import NO_CASE_VALUE
from bot.texts import jp_date
from isops import limits
from isops.enums import ActionStatus, MeetingMode
from isops.services.handoff_cases import CaseChoice
from isops.services.handoff_details import HandoffDetail
from isops.services.handoffs import FsMember

Block = dict[str, Any]

SECTION_HEAD = (
    f"{texts.HANDOFF_MARK} *FS への引き継ぎ* — 商談化 (ステータス 5) には引き継ぎが必要です。"
    "下の項目を入力して「記録する」を押してください。"
)
CASE_LABEL = "使った事例"
CASE_HINT_PLAIN = "提案で話した事例 (FS に伝わり、事例ライブラリの成果に数えられます)"
CASE_HINT = CASE_HINT_PLAIN + "。先頭がこのリードに合うおすすめです"
SUGGESTED_MARK = "おすすめ: "
NO_CASE = "使っていない"
CANCEL = "キャンセル"
CLOSE = "閉じる"


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": mrkdwn.plain(text, mrkdwn.MAX_OPTION_TEXT), "value": value}


def _note_input(block_id: str, label: str, *, optional: bool, hint: str | None = None) -> Block:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": block_id,
        "multiline": True,
        "max_length": limits.HANDOFF_NOTE,
    }
    return mrkdwn.input_block(block_id, label, element, optional=optional, hint=hint)


def case_select(cases: Sequence[CaseChoice], best_case_id: int | None) -> Block | None:
    """使った事例 (optional): the cases as given, the best-matching one first and marked
    おすすめ — suggested, not preselected: a case counts in 「what works」 only when the rep
    says it was used, never by default — then 「使っていない」 (a static_select cannot be
    emptied once chosen). None without cases."""
    if not cases:
        return None
    options = [
        _option(f"{SUGGESTED_MARK}{c.title}" if c.id == best_case_id else c.title, str(c.id))
        for c in cases[:99]
    ]
    options.append(_option(NO_CASE, NO_CASE_VALUE))
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.HANDOFF_CASE_BLOCK,
        "placeholder": mrkdwn.plain("話した事例を選ぶ"),
        "options": options,
    }
    suggested = any(c.id == best_case_id for c in cases[:99])
    hint = CASE_HINT if suggested else CASE_HINT_PLAIN
    return mrkdwn.input_block(ids.HANDOFF_CASE_BLOCK, CASE_LABEL, element, optional=True, hint=hint)


def handoff_section(
    fs_members: Sequence[FsMember],
    *,
    today: dt.date,
    cases: Sequence[CaseChoice] = (),
    best_case_id: int | None = None,
) -> list[Block]:
    """The hand-off inputs: FS, meeting date/time/mode, the note in the article's terms
    (課題 and 求めている情報 required) and the case used. One FS registered: preselected."""
    options = [_option(f"{m.name} ({m.team})" if m.team else m.name, str(m.id)) for m in fs_members]
    fs_select: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.HANDOFF_FS_BLOCK,
        "placeholder": mrkdwn.plain("FS を選ぶ"),
        "options": options,
    }
    if len(options) == 1:
        fs_select["initial_option"] = options[0]
    modes = [_option(mode.label, mode.value) for mode in MeetingMode]
    used_case = case_select(cases, best_case_id)
    return [
        mrkdwn.section(SECTION_HEAD),
        mrkdwn.input_block(ids.HANDOFF_FS_BLOCK, "引き継ぐ FS", fs_select),
        mrkdwn.input_block(
            ids.HANDOFF_DATE_BLOCK,
            "商談日",
            {
                "type": "datepicker",
                "action_id": ids.HANDOFF_DATE_BLOCK,
                "placeholder": mrkdwn.plain("日付を選ぶ"),
            },
            hint=f"今日 ({jp_date(today)}) 以降",
        ),
        mrkdwn.input_block(
            ids.HANDOFF_TIME_BLOCK,
            "開始時刻",
            {
                "type": "timepicker",
                "action_id": ids.HANDOFF_TIME_BLOCK,
                "placeholder": mrkdwn.plain("時刻を選ぶ"),
            },
        ),
        mrkdwn.input_block(
            ids.HANDOFF_MODE_BLOCK,
            "形式",
            {
                "type": "radio_buttons",
                "action_id": ids.HANDOFF_MODE_BLOCK,
                "options": modes,
                "initial_option": modes[0],
            },
        ),
        _note_input(
            ids.HANDOFF_PROBLEM_BLOCK, "課題", optional=False, hint="お客様が困っていること"
        ),
        _note_input(
            ids.HANDOFF_WANTS_BLOCK,
            "求めている情報",
            optional=False,
            hint="商談で知りたいこと (事例・費用・機能 など)",
        ),
        _note_input(ids.HANDOFF_SITUATION_BLOCK, "現状・理想", optional=True),
        _note_input(
            ids.HANDOFF_DECISION_BLOCK,
            "役割・決裁",
            optional=True,
            hint="相手の役割と、決裁までの流れ・決裁者",
        ),
        _note_input(ids.HANDOFF_BUDGET_BLOCK, "予算・時期", optional=True),
        *([used_case] if used_case else []),
        {"type": "divider"},
    ]


# -- the verdict modals -------------------------------------------------------------------------------


def _summary(detail: HandoffDetail, tz: dt.tzinfo) -> Block:
    return mrkdwn.section(f"{lead_title(detail)}\n{meeting_line(detail, tz)}")


def _modal(
    callback_id: str, title: str, submit: str, metadata: str, blocks: list[Block]
) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": callback_id,
        "private_metadata": metadata,
        "title": mrkdwn.plain(title, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "submit": mrkdwn.plain(submit, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "close": mrkdwn.plain(CANCEL, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "blocks": blocks,
    }


def _comment(label: str, *, optional: bool, hint: str, placeholder: str) -> Block:
    return mrkdwn.input_block(
        ids.HANDOFF_COMMENT_INPUT,
        label,
        {
            "type": "plain_text_input",
            "action_id": ids.HANDOFF_COMMENT_INPUT,
            "multiline": True,
            "max_length": limits.HANDOFF_COMMENT,
            "placeholder": mrkdwn.plain(placeholder),
        },
        optional=optional,
        hint=hint,
    )


def build_invalid_modal(
    detail: HandoffDetail,
    *,
    reasons: Sequence[str],
    metadata: str,
    tz: dt.tzinfo,
    change: bool = False,
) -> dict[str, Any]:
    """❌ 有効商談ではない: a reason (ISOPS_INVALID_REASONS) and a comment (required for その他)."""
    options = [_option(reason, reason) for reason in reasons][:100]
    blocks: list[Block] = [_summary(detail, tz)]
    if change:
        blocks.append(mrkdwn.context("管理者として評価を変更します (履歴に残ります)"))
    blocks += [
        mrkdwn.input_block(
            ids.HANDOFF_REASON_INPUT,
            "理由",
            {
                "type": "static_select",
                "action_id": ids.HANDOFF_REASON_INPUT,
                "placeholder": mrkdwn.plain("理由を選ぶ"),
                "options": options,
            },
        ),
        _comment(
            "コメント",
            optional=True,
            hint="「その他」のときは必須。IS の担当者にそのまま届きます",
            placeholder="例: 担当者のみの参加で、決裁者の同席を次回依頼",
        ),
    ]
    return _modal(ids.HANDOFF_INVALID_VIEW, "有効商談ではない", "記録する", metadata, blocks)


def build_reschedule_modal(
    detail: HandoffDetail, *, metadata: str, tz: dt.tzinfo
) -> dict[str, Any]:
    """📅 日程変更: the new date and start time (the verdict request moves with them)."""
    local = detail.meeting_at.astimezone(tz)
    blocks: list[Block] = [
        _summary(detail, tz),
        mrkdwn.input_block(
            ids.HANDOFF_NEW_DATE_INPUT,
            "新しい商談日",
            {
                "type": "datepicker",
                "action_id": ids.HANDOFF_NEW_DATE_INPUT,
                "initial_date": local.date().isoformat(),
            },
        ),
        mrkdwn.input_block(
            ids.HANDOFF_NEW_TIME_INPUT,
            "開始時刻",
            {
                "type": "timepicker",
                "action_id": ids.HANDOFF_NEW_TIME_INPUT,
                "initial_time": f"{local:%H:%M}",
            },
        ),
        mrkdwn.context(
            "評価のお願いは、新しい日時の商談のあとに届きます。担当 (IS) にも伝わります"
        ),
    ]
    return _modal(ids.HANDOFF_RESCHEDULE_VIEW, "日程変更", "変更する", metadata, blocks)


def build_return_modal(
    detail: HandoffDetail,
    *,
    metadata: str,
    tz: dt.tzinfo,
    today: dt.date,
    focus_max_days: int,
    change: bool = False,
) -> dict[str, Any]:
    """↩️ IS に戻す: why (required, the rep reads it) and the rep's next action date (rule 5:
    within `focus_max_days`)."""
    blocks: list[Block] = [_summary(detail, tz)]
    if change:
        blocks.append(mrkdwn.context("管理者として評価を変更します (履歴に残ります)"))
    latest = today + dt.timedelta(days=focus_max_days)
    blocks += [
        _comment(
            "IS に戻す理由・担当者に伝えること",
            optional=False,
            hint="担当者にそのまま届きます",
            placeholder="例: 来期の予算確定後 (2月) に再提案。資料は送付済み",
        ),
        mrkdwn.input_block(
            ids.HANDOFF_NEXT_DATE_INPUT,
            "担当者の次回活動予定日",
            {
                "type": "datepicker",
                "action_id": ids.HANDOFF_NEXT_DATE_INPUT,
                "placeholder": mrkdwn.plain("日付を選ぶ"),
            },
            hint=f"今日から {focus_max_days} 日以内 ({jp_date(latest)} まで)",
        ),
        mrkdwn.context(
            f"リードは {mrkdwn.escape(detail.rep.name)} さんに、ステータス"
            f" *{ActionStatus.CONNECTED.label}* で戻ります (ナーチャリング)"
        ),
    ]
    return _modal(ids.HANDOFF_RETURN_VIEW, "IS に戻す", "戻す", metadata, blocks)


def build_handoff_notice_modal(callback_id: str, title: str, message: str) -> dict[str, Any]:
    """Replaces a verdict modal when it can no longer be submitted (and why)."""
    return {
        "type": "modal",
        "callback_id": callback_id,
        "title": mrkdwn.plain(title, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "close": mrkdwn.plain(CLOSE, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "blocks": [mrkdwn.section(mrkdwn.escape(message))],
    }
