"""The /lead modal (register a lead by hand) and its result shown in place."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids, texts
from bot.blocks.lead_picker import status_label
from bot.blocks.log_button import build_log_button
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, context, escape, input_block, plain, section
from bot.forms.lead import LeadMetadata
from isops import limits
from isops.enums import RoleLevel
from isops.services.lead_registration import LeadRegistration

TITLE = "リードを登録"
RESULT_TITLE = "リード登録"


def _text_input(
    block_id: str,
    label: str,
    *,
    optional: bool = True,
    initial: str | None = None,
    max_length: int,
    kind: str = "plain_text_input",
    hint: str | None = None,
) -> dict[str, Any]:
    element: dict[str, Any] = {"type": kind, "action_id": block_id}
    if kind == "plain_text_input":
        element["max_length"] = max_length
    if initial:
        element["initial_value"] = initial[:max_length]
    return input_block(block_id, label, element, optional=optional, hint=hint)


def build_lead_modal(
    *,
    owner_slack_user_id: str,
    now_local: dt.datetime,
    inbound_sources: Sequence[str],
    company: str = "",
) -> dict[str, Any]:
    """The registration form; CV date/time default to now (in `now_local`'s zone), the owner
    to the user who opened it."""
    tz = now_local.tzinfo
    meta = LeadMetadata(tz=tz.key if isinstance(tz, ZoneInfo) else "Asia/Tokyo")
    role_options = [
        {"text": plain(level.value, MAX_OPTION_TEXT), "value": level.value} for level in RoleLevel
    ]
    sources = "・".join(inbound_sources)
    blocks: list[dict[str, Any]] = [
        _text_input(
            ids.LEAD_COMPANY_BLOCK,
            "会社名",
            optional=False,
            initial=company,
            max_length=limits.COMPANY,
        ),
        _text_input(ids.LEAD_CONTACT_BLOCK, "担当者名", max_length=limits.CONTACT_NAME),
        _text_input(ids.LEAD_TITLE_BLOCK, "役職", max_length=limits.TITLE),
        {
            "type": "input",
            "block_id": ids.LEAD_ROLE_LEVEL_BLOCK,
            "label": plain("役職レベル"),
            "optional": True,
            "element": {
                "type": "static_select",
                "action_id": ids.LEAD_ROLE_LEVEL_BLOCK,
                "placeholder": plain("担当 / マネージャー / 役員"),
                "options": role_options,
            },
        },
        _text_input(ids.LEAD_INDUSTRY_BLOCK, "業種", max_length=limits.INDUSTRY),
        _text_input(
            ids.LEAD_EMAIL_BLOCK,
            "メールアドレス",
            kind="email_text_input",
            max_length=limits.EMAIL,
        ),
        _text_input(ids.LEAD_PHONE_BLOCK, "電話番号", max_length=limits.PHONE),
        _text_input(
            ids.LEAD_SOURCE_BLOCK,
            "流入元",
            max_length=limits.SOURCE,
            hint=f"{sources} はインバウンド (当日中に初回対応)" if sources else None,
        ),
        {
            "type": "input",
            "block_id": ids.LEAD_CV_DATE_BLOCK,
            "label": plain("CV 日"),
            "element": {
                "type": "datepicker",
                "action_id": ids.LEAD_CV_DATE_BLOCK,
                "initial_date": now_local.date().isoformat(),
            },
        },
        {
            "type": "input",
            "block_id": ids.LEAD_CV_TIME_BLOCK,
            "label": plain("CV 時刻"),
            "element": {
                "type": "timepicker",
                "action_id": ids.LEAD_CV_TIME_BLOCK,
                "initial_time": f"{now_local:%H:%M}",
            },
        },
        {
            "type": "input",
            "block_id": ids.LEAD_OWNER_BLOCK,
            "label": plain("担当者 (IS)"),
            "element": {
                "type": "users_select",
                "action_id": ids.LEAD_OWNER_BLOCK,
                "initial_user": owner_slack_user_id,
            },
            "hint": plain("マネージャーはチームのメンバーを指定できます"),
        },
        context(
            "同じメールアドレス、または同じ会社名 + 担当者名のリードがあれば、登録せずにそれを表示します。"
        ),
    ]
    return {
        "type": "modal",
        "callback_id": ids.LEAD_CREATE_VIEW,
        "title": plain(TITLE),
        "submit": plain("登録する"),
        "close": plain(texts.CANCEL),
        "private_metadata": meta.model_dump_json(),
        "blocks": blocks,
    }


def build_lead_result(registration: LeadRegistration, *, zone: ZoneInfo) -> dict[str, Any]:
    """The modal after submitting: the new lead, or the existing one it duplicates."""
    lead = registration.lead
    name = escape(texts.lead_label(lead.company, lead.contact_name))
    if registration.created:
        headline = f"{texts.DONE_MARK} *{name}* を登録しました。"
    else:
        why = (
            "同じメールアドレス" if registration.duplicate_of == "email" else "同じ会社名・担当者名"
        )
        headline = f"{texts.WARNING_MARK} {why}のリードが既に登録されています。新しくは登録していません。\n*{name}*"
    cv_local = lead.cv_at.astimezone(zone)
    fields = [
        f"*{texts.STATUS_FIELD}*\n{escape(status_label(lead.status))}",
        f"*担当者*\n{escape(lead.owner_name) if lead.owner_name else '未割り当て'}",
        f"*メール*\n{escape(lead.email) if lead.email else texts.EMPTY_FIELD}",
        f"*流入元*\n{escape(lead.source) if lead.source else texts.EMPTY_FIELD}",
        f"*CV*\n{texts.jp_moment(cv_local)}",
    ]
    blocks: list[dict[str, Any]] = [
        section(headline),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if lead.may_log:
        blocks.append(
            {
                "type": "actions",
                "block_id": "lead_result_actions",
                "elements": [build_log_button(lead.id, text=texts.LOG_BUTTON)],
            }
        )
    return {
        "type": "modal",
        "callback_id": ids.LEAD_RESULT_VIEW,
        "title": plain(RESULT_TITLE),
        "close": plain(texts.CLOSE),
        "blocks": blocks,
    }
