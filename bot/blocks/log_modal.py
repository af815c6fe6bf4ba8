"""The log modal (/log-call, /log-mail, 記録 button) and the lead picker's options."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import ids, texts
from bot.blocks.case_card import build_case_hint
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, context, escape, input_block, plain, section
from bot.forms.log import LogMetadata, LogValues, Mode, outcome_value, shown_for, values_for
from isops.enums import OUTCOMES_BY_CHANNEL, STATUS_LABELS, ActionStatus, Channel, Priority
from isops.services.actions import MAX_MEMO, MAX_REASON_MEMO
from isops.services.cases_matching import CaseMatch
from isops.services.leads import LeadOption, LeadSnapshot, LogStart, Urgency

TITLES: dict[str, str] = {"call": "架電を記録", "mail": "メールを記録", "any": "活動を記録"}
SUBMIT = "記録する"
CONFIRM_VALUE = "yes"
_URGENCY_MARK = {
    Urgency.DUE: texts.DUE_MARK,
    Urgency.INBOUND_WAITING: texts.INBOUND_MARK_LOG,
}
_REVIEW_NOTE = "要承認"


@dataclass(frozen=True)
class SelectedLead:
    """The lead the picker starts with: its option text and a context line (mrkdwn)."""

    id: int
    text: str
    context: str | None = None
    case_hint: CaseMatch | None = None  # the case to talk from (issue 14)


def status_label(status: int) -> str:
    return f"{status} {STATUS_LABELS[ActionStatus(status)]}"


def lead_name(company: str, contact_name: str | None) -> str:
    return f"{company} / {contact_name}" if contact_name else company


def _fit(prefix: str, name: str, suffix: str) -> str:
    """`prefix + name + suffix` within Slack's option text limit, cutting the name."""
    room = MAX_OPTION_TEXT - len(prefix) - len(suffix)
    if len(name) > room:
        name = name[: max(1, room - 1)] + "…"
    return (prefix + name + suffix)[:MAX_OPTION_TEXT]


def lead_option_text(option: LeadOption) -> str:
    """`⏰株式会社A / 山田 (2 未接続) 📞2/5 ✉️0/2 担当:佐藤` within 75 characters."""
    prefix = _URGENCY_MARK.get(option.urgency, "")
    state = (
        texts.PENDING_LABEL if option.pending_review else STATUS_LABELS[ActionStatus(option.status)]
    )
    suffix = f" ({state})"
    if option.status in (ActionStatus.UNTOUCHED, ActionStatus.NOT_CONNECTED):
        suffix += f" {texts.five_c2m_label(option.five_c2m)}"
    if option.owner_name:
        suffix += f" 担当:{option.owner_name[:12]}"
    return _fit(prefix, lead_name(option.company, option.contact_name), suffix)


def build_lead_options(options: Sequence[LeadOption]) -> list[dict[str, Any]]:
    """The options-load answer for the lead picker (value = lead id)."""
    return [{"text": plain(lead_option_text(o)), "value": str(o.id)} for o in options]


def selected_lead(snapshot: LeadSnapshot) -> SelectedLead:
    """The picker's initial option and the context line for a lead."""
    state = STATUS_LABELS[ActionStatus(snapshot.status)]
    text = _fit("", lead_name(snapshot.company, snapshot.contact_name), f" ({state})")
    parts = [f"現在: *{escape(status_label(snapshot.status))}*"]
    if snapshot.status in (ActionStatus.UNTOUCHED, ActionStatus.NOT_CONNECTED):
        parts.append(f"5C2M {texts.five_c2m_label(snapshot.five_c2m)}")
    if snapshot.priority:
        parts.append(Priority(snapshot.priority).label)
    if snapshot.owner_name:
        parts.append(f"担当: {escape(snapshot.owner_name)}")
    if snapshot.awaiting_first_approach:
        parts.append(f"{texts.INBOUND_MARK_LOG} インバウンド初回対応")
    line = " · ".join(parts)
    if snapshot.pending_status is not None:
        line += (
            f"\n{texts.PENDING_MARK} {escape(status_label(snapshot.pending_status))}"
            " の承認待ちです。"
            "記録すると申請は取り下げられます (続けて対応不要にする場合は選び直してください)"
        )
    return SelectedLead(id=snapshot.id, text=text, context=line, case_hint=snapshot.case_hint)


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": plain(text, MAX_OPTION_TEXT), "value": value}


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
        "placeholder": plain(placeholder),
        "options": options,
    }
    chosen = _pick(options, initial)
    if chosen is not None:
        element["initial_option"] = chosen
    return element


def _outcome_element(mode: Mode, initial: str | None) -> dict[str, Any]:
    channels = [Channel(mode)] if mode in ("call", "mail") else [Channel.CALL, Channel.MAIL]
    groups = [
        (ch, [_option(o.value, outcome_value(ch, o)) for o in OUTCOMES_BY_CHANNEL[ch]])
        for ch in channels
    ]
    element: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.LOG_OUTCOME_BLOCK,
        "placeholder": plain("結果を選ぶ"),
    }
    if len(groups) == 1:
        element["options"] = groups[0][1]
    else:
        element["option_groups"] = [
            {"label": plain(ch.label), "options": opts} for ch, opts in groups
        ]
    chosen = _pick([o for _, opts in groups for o in opts], initial)
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


def build_log_modal(
    *,
    meta: LogMetadata,
    selected: SelectedLead | None,
    values: LogValues,
    reason_codes: Sequence[str],
    focus_max_days: int,
    notice: str | None = None,
    confirm_gap: str | None = None,
) -> dict[str, Any]:
    """The modal that records one touch and the four CRM fields.

    `meta.shown.lead_id` versions the lead-dependent blocks, so picking another lead shows
    that lead's values (see bot.ids). `confirm_gap` ("📞2/5 ✉️0/2") adds the 5C2M
    confirmation asked for before status 4 is saved.
    """
    version = meta.shown.lead_id if meta.shown else None
    blocks: list[dict[str, Any]] = []
    if notice:
        blocks.append(section(notice))
    if confirm_gap:
        blocks.append(
            section(
                f"{texts.WARNING_MARK} *{confirm_gap} — 5C2M 未完了です。*\n"
                "架電・メールを続ける場合はステータスを選び直してください。"
                "このまま対応不要として申請する場合は、下にチェックして「記録する」を押してください。"
            )
        )
        blocks.append(
            input_block(
                ids.LOG_CONFIRM_BLOCK,
                "確認",
                {
                    "type": "checkboxes",
                    "action_id": ids.LOG_CONFIRM_BLOCK,
                    "options": [_option("5C2M 未完了のまま対応不要として申請する", CONFIRM_VALUE)],
                },
                optional=True,
            )
        )
    picker: dict[str, Any] = {
        "type": "external_select",
        "action_id": ids.LEAD_SELECT,
        "placeholder": plain("会社名・氏名で検索"),
        # 0: the list (most urgent first) loads as soon as the menu opens.
        "min_query_length": 0,
    }
    if selected is not None:
        picker["initial_option"] = _option(selected.text, str(selected.id))
    lead_block = input_block(ids.LOG_LEAD_BLOCK, "リード", picker)
    # Picking a lead sends block_actions, so the modal can show that lead's four fields.
    lead_block["dispatch_action"] = True
    blocks.append(lead_block)
    if selected is not None and selected.context:
        blocks.append(context(selected.context))
    if selected is not None and selected.case_hint is not None:
        blocks.append(build_case_hint(selected.case_hint))

    blocks.append(
        input_block(ids.LOG_OUTCOME_BLOCK, "結果", _outcome_element(meta.mode, values.outcome))
    )
    status_options = [
        _option(
            f"{status_label(s)}{' (' + _REVIEW_NOTE + ')' if s.needs_review else ''}",
            str(int(s)),
        )
        for s in ActionStatus
    ]
    blocks.append(
        input_block(
            ids.versioned(ids.LOG_STATUS_BLOCK, version),
            texts.STATUS_FIELD_LOG_MODAL,
            _select(ids.LOG_STATUS_BLOCK, status_options, values.status, "ステータスを選ぶ"),
        )
    )
    priority_options = [_option(p.label, str(int(p))) for p in Priority]
    blocks.append(
        input_block(
            ids.versioned(ids.LOG_PRIORITY_BLOCK, version),
            texts.PRIORITY_FIELD,
            _select(ids.LOG_PRIORITY_BLOCK, priority_options, values.priority, "注力 / 非注力"),
            optional=True,
        )
    )
    picker_date: dict[str, Any] = {
        "type": "datepicker",
        "action_id": ids.LOG_NEXT_DATE_BLOCK,
        "placeholder": plain("日付を選ぶ"),
    }
    if values.next_action_date is not None:
        picker_date["initial_date"] = values.next_action_date.isoformat()
    blocks.append(
        input_block(
            ids.versioned(ids.LOG_NEXT_DATE_BLOCK, version),
            texts.NEXT_ACTION_DATE_FIELD,
            picker_date,
            optional=True,
            hint=f"注力リードは必須 ({focus_max_days} 日以内)。過去の日付は選べません",
        )
    )
    blocks.append(
        input_block(
            ids.versioned(ids.LOG_MEMO_BLOCK, version),
            "アクションメモ",
            _textinput_block(ids.LOG_MEMO_BLOCK, values.memo, MAX_MEMO),
            optional=True,
            hint="何をしたか・相手の反応・担当領域・欲しい情報",
        )
    )
    reason_options = [_option(code, code) for code in reason_codes][:100]
    blocks.append(
        input_block(
            ids.LOG_REASON_BLOCK,
            "対応不要の理由",
            _select(ids.LOG_REASON_BLOCK, reason_options, values.reason_code, "理由を選ぶ"),
            optional=True,
            hint="ステータス 4・6 (マネージャー承認) のときに必須",
        )
    )
    blocks.append(
        input_block(
            ids.LOG_REASON_MEMO_BLOCK,
            "理由のメモ",
            _textinput_block(ids.LOG_REASON_MEMO_BLOCK, values.reason_memo, MAX_REASON_MEMO),
            optional=True,
            hint="ステータス 4・6 のときに必須: 判断の根拠",
        )
    )
    return {
        "type": "modal",
        "callback_id": ids.LOG_VIEW,
        "title": plain(TITLES[meta.mode]),
        "submit": plain(SUBMIT),
        "close": plain(texts.CANCEL),
        "private_metadata": meta.dump(),
        "blocks": blocks,
    }


def no_match_notice(query: str, matches: int) -> str | None:
    """The line above the picker when the command text did not pick exactly one lead."""
    if not query or matches == 1:
        return None
    if matches == 0:
        return (
            f"「{escape(query)}」に一致する対応中のリードはありません。リード欄で検索してください。"
        )
    return f"「{escape(query)}」に一致するリードが複数あります。リード欄で選んでください。"


def build_log_modal_for(
    start: LogStart,
    *,
    mode: Mode,
    reply_to: str | None,
    reason_codes: Sequence[str],
    focus_max_days: int,
    pushed: bool = False,
) -> dict[str, Any]:
    """The log modal as a command or a 記録 button opens it (lead preselected if known)."""
    lead = start.lead
    meta = LogMetadata(
        mode=mode,
        reply_to=reply_to or None,
        shown=shown_for(lead) if lead else None,
        pushed=pushed,
    )
    return build_log_modal(
        meta=meta,
        selected=selected_lead(lead) if lead else None,
        values=values_for(lead, outcome=start.outcome) if lead else LogValues(),
        reason_codes=reason_codes,
        focus_max_days=focus_max_days,
        notice=no_match_notice(start.query, start.matches),
    )
