"""The log modal (/log-call, /log-mail, 記録 button); its lead picker is in lead_picker.py, the
5C2M confirmation pushed over it in log_5c2m.py.

The modal asks only what applies: the outcome as radio buttons of one channel (a button
switches to the other), the reasons only while 4 or 6 is chosen, the hand-off to FS only while
5 is; the next action date comes suggested, with one-tap choices beside it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import build_case_hint
from bot.blocks.handoff_modals import handoff_section
from bot.blocks.lead_picker import SelectedLead, no_match_notice, selected_lead, status_label
from bot.forms.log import (
    LogMetadata,
    LogValues,
    Mode,
    mode_for,
    outcome_value,
    shown_for,
    values_for,
)
from isops.enums import (
    NEEDS_REVIEW_STATUSES,
    OPEN_STATUSES,
    OUTCOMES_BY_CHANNEL,
    ActionStatus,
    Channel,
    Priority,
)
from isops.rules import QuickDate, outcome_channel
from isops.services.actions import MAX_MEMO, MAX_REASON_MEMO
from isops.services.handoff_cases import CaseChoice
from isops.services.handoffs import NO_FS_MEMBER, FsMember
from isops.services.leads import LogStart

TITLES: dict[Channel, str] = {Channel.CALL: "架電を記録", Channel.MAIL: "メールを記録"}
SUBMIT = "記録する"
_REVIEW_NOTE = "要承認"
# The quick date choices: (label, label when tomorrow is a day off).
QUICK_DATE_LABELS: dict[QuickDate, str] = {
    QuickDate.NEXT_BUSINESS_DAY: "明日",
    QuickDate.THREE_BUSINESS_DAYS: "3営業日後",
    QuickDate.ONE_WEEK: "1週間後",
    QuickDate.ONE_MONTH: "1ヶ月後",
}
NEXT_BUSINESS_DAY_LABEL = "翌営業日"  # 明日 when tomorrow is not a business day
SWITCH_TO = {
    Channel.MAIL: f"{texts.MAIL_MARK} メールの記録に切り替える",
    Channel.CALL: f"{texts.CALL_MARK} 架電の記録に切り替える",
}
ACTED_AT_LABEL = "実施日時"
ACTED_AT_HINT = "あとから記録するときだけ選びます (7 日前まで)。空欄なら今の時刻で記録します"
REASON_LABEL = "対応不要の理由"
REASON_MEMO_LABEL = "理由のメモ"
REASON_MEMO_HINT = "判断の根拠 (マネージャーが読みます)"
MEMO_LABEL = "アクションメモ"
MEMO_HINT = "何をしたか・相手の反応・担当領域・欲しい情報"
CONFIRMED_NOTE = (
    f"{texts.WARNING_MARK} 5C2M 未完了のまま対応不要として申請します"
    " (やめる場合はステータスを選び直してください)"
)


@dataclass(frozen=True)
class LogModalOptions:
    """What the modal offers besides the lead's values: the team's settings, the quick date
    choices of the rep's today, and the FS to hand off to (None: not looked up)."""

    reason_codes: Sequence[str]
    focus_max_days: int
    today: dt.date | None = None
    quick_dates: Mapping[QuickDate, dt.date] = field(default_factory=dict)
    fs_members: Sequence[FsMember] | None = None
    handoff_cases: Sequence[CaseChoice] = ()  # 使った事例 choices (issue 14)
    best_case_id: int | None = None  # suggested first (おすすめ), never preselected


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": mrkdwn.plain(text, mrkdwn.MAX_OPTION_TEXT), "value": value}


def _pick(options: list[dict[str, Any]], value: Any) -> dict[str, Any] | None:
    wanted = None if value is None else str(value)
    return next((o for o in options if o["value"] == wanted), None)


def _select(
    action_id: str,
    options: list[dict[str, Any]],
    initial: Any,
    placeholder: str,
) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": action_id,
        "placeholder": mrkdwn.plain(placeholder),
        "options": options,
    }
    chosen = _pick(options, initial)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _outcome_element(channel: Channel, initial: str | None) -> dict[str, Any]:
    """Radio buttons: one tap, every choice visible (5 for a call, 3 for a mail)."""
    options = [_option(o.value, outcome_value(channel, o)) for o in OUTCOMES_BY_CHANNEL[channel]]
    element: dict[str, Any] = {
        "type": "radio_buttons",
        "action_id": ids.LOG_OUTCOME_BLOCK,
        "options": options,
    }
    chosen = _pick(options, initial)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _textinput_block(action_id: str, initial: str | None, max_length: int) -> dict[str, Any]:
    element: dict[str, Any] = {
        "type": "plain_text_input",
        "action_id": action_id,
        "multiline": True,
        "max_length": max_length,
    }
    if initial:
        element["initial_value"] = initial[:max_length]
    return element


def quick_date_label(kind: QuickDate, day: dt.date, today: dt.date | None) -> str:
    """`明日 11/30(月)`: the choice and its date (翌営業日 when tomorrow is a day off)."""
    label = QUICK_DATE_LABELS[kind]
    if (
        kind is QuickDate.NEXT_BUSINESS_DAY
        and today is not None
        and day != today + dt.timedelta(days=1)
    ):
        label = NEXT_BUSINESS_DAY_LABEL
    return f"{label} {texts.jp_date(day)}"


def _quick_dates_block(
    quick_dates: Mapping[QuickDate, dt.date], chosen: dt.date | None, today: dt.date | None
) -> dict[str, Any]:
    buttons = []
    for kind, day in quick_dates.items():
        button: dict[str, Any] = {
            "type": "button",
            "action_id": f"{ids.LOG_QUICK_DATE}:{kind.value}",
            "text": mrkdwn.plain(quick_date_label(kind, day, today)),
            "value": day.isoformat(),
        }
        if day == chosen:
            button["style"] = "primary"  # the date the picker holds
        buttons.append(button)
    return {"type": "actions", "block_id": ids.LOG_QUICK_DATES_BLOCK, "elements": buttons}


def _date_hint(meta: LogMetadata, values: LogValues, focus_max_days: int) -> str:
    rule = f"注力リードは明日〜{focus_max_days} 日以内"
    shown = meta.shown
    suggested = shown.suggested_next_action_date if shown else None
    if suggested is not None and values.next_action_date == suggested:
        return f"リードの状態からの提案日です。{rule}"
    return rule


def _version(lead: int | None, changes: int) -> str | None:
    """A block's version: the lead it shows, and how often the bot reset its value."""
    if lead is None:
        return f"n{changes}" if changes else None
    return f"{lead}.{changes}" if changes else str(lead)


def build_log_modal(
    *,
    meta: LogMetadata,
    selected: SelectedLead | None,
    values: LogValues,
    options: LogModalOptions,
    notice: str | None = None,
) -> dict[str, Any]:
    """The modal that records one touch and the four CRM fields.

    Block ids are versioned by the lead shown (`meta.shown.lead_id`) and the metadata's
    counters, never by a value, so a rebuild that does not know what the rep typed (the
    5C2M confirmation's answer) keeps it; picking another lead shows that lead's values
    (see bot.ids). Status 4/6 adds the reasons, status 5 the hand-off section."""
    lead = meta.shown.lead_id if meta.shown else None
    channel = meta.channel
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(mrkdwn.section(notice))
    picker: dict[str, Any] = {
        "type": "external_select",
        "action_id": ids.LEAD_SELECT,
        "placeholder": mrkdwn.plain("会社名・氏名で検索"),
        # 0: the list (most urgent first) loads as soon as the menu opens.
        "min_query_length": 0,
    }
    if selected is not None:
        picker["initial_option"] = _option(selected.text, str(selected.id))
    lead_block = mrkdwn.input_block(ids.LOG_LEAD_BLOCK, "リード", picker)
    # Picking a lead sends block_actions, so the modal can show that lead's four fields.
    lead_block["dispatch_action"] = True
    blocks.append(lead_block)
    if selected is not None and selected.context:
        blocks.append(mrkdwn.context(selected.context))
    if selected is not None and selected.case_hint is not None:
        blocks.append(build_case_hint(selected.case_hint))

    blocks.append(
        mrkdwn.input_block(
            ids.versioned(ids.LOG_OUTCOME_BLOCK, channel.value),
            f"{texts.CHANNEL_MARKS[channel]} {channel.label}の結果",
            _outcome_element(channel, values.outcome),
        )
    )
    other = Channel.MAIL if channel == Channel.CALL else Channel.CALL
    blocks.append(
        {
            "type": "actions",
            "block_id": ids.LOG_CHANNEL_BLOCK,
            "elements": [
                {
                    "type": "button",
                    "action_id": ids.LOG_SWITCH_CHANNEL,
                    "text": mrkdwn.plain(SWITCH_TO[other]),
                    "value": other.value,
                }
            ],
        }
    )

    status_options = [
        _option(
            f"{status_label(s)}{' (' + _REVIEW_NOTE + ')' if s.needs_review else ''}",
            str(int(s)),
        )
        for s in ActionStatus
    ]
    status_block = mrkdwn.input_block(
        ids.versioned(ids.LOG_STATUS_BLOCK, _version(lead, meta.status_resets)),
        texts.STATUS_FIELD,
        _select(ids.LOG_STATUS_BLOCK, status_options, values.status, "ステータスを選ぶ"),
    )
    # Choosing a status sends block_actions: the modal shows what that status needs.
    status_block["dispatch_action"] = True
    blocks.append(status_block)
    blocks += _status_blocks(meta, values, options)

    picker_date: dict[str, Any] = {
        "type": "datepicker",
        "action_id": ids.LOG_NEXT_DATE_BLOCK,
        "placeholder": mrkdwn.plain("日付を選ぶ"),
    }
    if values.next_action_date is not None:
        picker_date["initial_date"] = values.next_action_date.isoformat()
    blocks.append(
        mrkdwn.input_block(
            ids.versioned(ids.LOG_NEXT_DATE_BLOCK, _version(lead, meta.date_picks)),
            texts.NEXT_ACTION_DATE_FIELD,
            picker_date,
            # A focus lead needs one (rule 5): Slack then asks before sending.
            optional=not (values.priority == Priority.FOCUS and values.status in OPEN_STATUSES),
            hint=_date_hint(meta, values, options.focus_max_days),
        )
    )
    if options.quick_dates:
        blocks.append(
            _quick_dates_block(options.quick_dates, values.next_action_date, options.today)
        )
    priority_options = [_option(p.label, str(int(p))) for p in Priority]
    blocks.append(
        mrkdwn.input_block(
            ids.versioned(ids.LOG_PRIORITY_BLOCK, lead),
            texts.PRIORITY_FIELD,
            _select(ids.LOG_PRIORITY_BLOCK, priority_options, values.priority, "注力 / 非注力"),
            optional=True,
        )
    )
    blocks.append(
        mrkdwn.input_block(
            ids.versioned(ids.LOG_MEMO_BLOCK, lead),
            MEMO_LABEL,
            _textinput_block(ids.LOG_MEMO_BLOCK, values.memo, MAX_MEMO),
            optional=True,
            hint=MEMO_HINT,
        )
    )
    acted_at: dict[str, Any] = {"type": "datetimepicker", "action_id": ids.LOG_ACTED_AT_BLOCK}
    if values.acted_at is not None:
        acted_at["initial_date_time"] = int(values.acted_at.timestamp())
    blocks.append(
        mrkdwn.input_block(
            ids.LOG_ACTED_AT_BLOCK, ACTED_AT_LABEL, acted_at, optional=True, hint=ACTED_AT_HINT
        )
    )
    return {
        "type": "modal",
        "callback_id": ids.LOG_VIEW,
        "title": mrkdwn.plain(TITLES[channel]),
        "submit": mrkdwn.plain(SUBMIT),
        "close": mrkdwn.plain(texts.CANCEL),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }


def _status_blocks(
    meta: LogMetadata, values: LogValues, options: LogModalOptions
) -> list[dict[str, Any]]:
    """What the chosen status needs: the reasons for 4/6 (required, so Slack asks before
    sending), the hand-off to FS for 5."""
    status = values.status
    if status in NEEDS_REVIEW_STATUSES:
        blocks: list[dict[str, Any]] = []
        if meta.confirm and status == ActionStatus.NO_ACTION_BEFORE_CONNECT:
            blocks.append(mrkdwn.context(CONFIRMED_NOTE))
        reason_options = [_option(code, code) for code in options.reason_codes][:100]
        blocks.append(
            mrkdwn.input_block(
                ids.LOG_REASON_BLOCK,
                REASON_LABEL,
                _select(ids.LOG_REASON_BLOCK, reason_options, values.reason_code, "理由を選ぶ"),
            )
        )
        blocks.append(
            mrkdwn.input_block(
                ids.LOG_REASON_MEMO_BLOCK,
                REASON_MEMO_LABEL,
                _textinput_block(ids.LOG_REASON_MEMO_BLOCK, values.reason_memo, MAX_REASON_MEMO),
                hint=REASON_MEMO_HINT,
            )
        )
        return blocks
    shown_status = meta.shown.status if meta.shown else None
    if status == ActionStatus.MEETING and shown_status != ActionStatus.MEETING:
        if options.fs_members is None or options.today is None:
            return []  # not looked up: the submission asks for the hand-off
        if not options.fs_members:
            return [mrkdwn.context(f"{texts.WARNING_MARK} {mrkdwn.escape(NO_FS_MEMBER)}")]
        return handoff_section(
            options.fs_members,
            today=options.today,
            cases=options.handoff_cases,
            best_case_id=options.best_case_id,
        )
    return []


def build_log_modal_for(
    start: LogStart,
    *,
    mode: Mode,
    reply_to: str | None,
    reason_codes: Sequence[str],
    focus_max_days: int,
    pushed: bool = False,
) -> dict[str, Any]:
    """The log modal as a command or a 記録 button opens it (lead preselected if known; a
    preset outcome chosen, and its channel's outcomes offered)."""
    lead = start.lead
    meta = LogMetadata(
        mode=mode_for(mode, start.outcome),
        reply_to=reply_to or None,
        shown=shown_for(lead) if lead else None,
        pushed=pushed,
    )
    if lead is not None:
        values = values_for(lead, outcome=start.outcome)
    elif start.outcome is not None:
        values = LogValues(outcome=outcome_value(outcome_channel(start.outcome), start.outcome))
    else:
        values = LogValues()
    return build_log_modal(
        meta=meta,
        selected=selected_lead(lead) if lead else None,
        values=values,
        options=LogModalOptions(
            reason_codes=reason_codes,
            focus_max_days=focus_max_days,
            today=start.today,
            quick_dates=start.quick_dates or {},
        ),
        notice=no_match_notice(start.query, start.matches),
    )
