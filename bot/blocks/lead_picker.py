"""The log modal's lead picker: its options (a lead as one line of option text, urgent ones
marked), the lead it starts with and the context line under it, and the notice when the
command text did not pick exactly one lead."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from bot import texts
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, escape, plain
from isops.enums import STATUS_LABELS, ActionStatus, Priority
from isops.services.cases_matching import CaseMatch
from isops.services.leads import LeadOption, LeadSnapshot, Urgency

_URGENCY_MARK = {
    Urgency.DUE: texts.NEXT_ACTION_MARK,
    Urgency.INBOUND_WAITING: texts.INBOUND_MARK,
}


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
        parts.append(f"{texts.INBOUND_MARK} インバウンド初回対応")
    line = " · ".join(parts)
    if snapshot.pending_status is not None:
        line += (
            f"\n{texts.PENDING_MARK} {escape(status_label(snapshot.pending_status))}"
            " の承認待ちです。"
            "記録すると申請は取り下げられます (続けて対応不要にする場合は選び直してください)"
        )
    return SelectedLead(id=snapshot.id, text=text, context=line, case_hint=snapshot.case_hint)


def no_match_notice(query: str, matches: int) -> str | None:
    """The line above the picker when the command text did not pick exactly one lead."""
    if not query or matches == 1:
        return None
    if matches == 0:
        return (
            f"「{escape(query)}」に一致する対応中のリードはありません。リード欄で検索してください。"
        )
    return f"「{escape(query)}」に一致するリードが複数あります。リード欄で選んでください。"
