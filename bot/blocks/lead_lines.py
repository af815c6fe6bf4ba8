"""A lead as a list item: who, how to reach them (tappable phone and e-mail), why it is listed,
its last touch and memo, and its one-tap log menu. Used by the morning DM, App Home,
`/isops today` and the list modal, so a lead reads the same everywhere.

User text is escaped; phone numbers become `tel:` links with a normalised number (a phone
dials digits, not `03-1234-5678 (代表)`), e-mails `mailto:` links with the address
percent-encoded where mrkdwn would read it (`|`, `>`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
import urllib.parse
from typing import Any

from bot import ids, texts
from bot.blocks.mrkdwn import MAX_OPTION_TEXT, escape, plain, truncate
from isops.enums import OUTCOMES_BY_CHANNEL, Channel, Outcome
from isops.services.quick_log import QuickChoice, touch_version
from isops.services.reminders import LastTouch, LeadLine, ReturnedDecision

COMPANY_CHARS = 60
CONTACT_CHARS = 30
REASON_CHARS = 200
# A number a phone can dial: at least this many digits once separators are dropped.
MIN_PHONE_DIGITS = 6

# The menu's choices that open the log modal instead of logging at once.
OPEN_CONNECTED = "connected"
OPEN_DETAIL = "detail"
MENU_CHOICES: tuple[tuple[str, str], ...] = (
    (QuickChoice.ABSENT.value, texts.channel_outcome(Channel.CALL, Outcome.ABSENT.value)),
    (QuickChoice.VOICEMAIL.value, texts.channel_outcome(Channel.CALL, Outcome.VOICEMAIL.value)),
    (QuickChoice.MAIL_SENT.value, texts.channel_outcome(Channel.MAIL, Outcome.SENT.value)),
    # "…": these open the log modal (something to note), the others log at once.
    (OPEN_CONNECTED, texts.channel_outcome(Channel.CALL, Outcome.CONNECTED.value) + "…"),
    (OPEN_DETAIL, f"{texts.LOG_MARK} 詳しく記録…"),
)

_NOT_DIALLED = re.compile(r"[^0-9+]")


def who(company: str, contact_name: str | None) -> str:
    """`*株式会社A* 山田 太郎 様` (escaped)."""
    name = f"*{escape(truncate(company, COMPANY_CHARS))}*"
    if contact_name:
        name += f" {escape(texts.contact_label(truncate(contact_name, CONTACT_CHARS)))}"
    return name


def dial_number(phone: str) -> str | None:
    """The number a `tel:` link dials: full-width digits folded, separators dropped, a
    leading + kept; None when too few digits remain to be a number."""
    folded = unicodedata.normalize("NFKC", phone).strip()
    digits = _NOT_DIALLED.sub("", folded)
    plus = digits.startswith("+")
    digits = digits.replace("+", "")
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    return ("+" if plus else "") + digits


def _link_label(text: str) -> str:
    # Inside <url|label>, `|` would end nothing (the first one splits) but reads oddly.
    return escape(text).replace("|", "｜")


def phone_link(phone: str | None) -> str:
    """`📞 <tel:0312345678|03-1234-5678>`, the number as typed when it cannot be dialled,
    or 番号未登録."""
    if not phone or not phone.strip():
        return f"{texts.CALL_MARK} 番号未登録"
    number = dial_number(phone)
    if number is None:
        return f"{texts.CALL_MARK} {escape(phone)}"
    return f"{texts.CALL_MARK} <tel:{number}|{_link_label(phone.strip())}>"


def email_link(email: str | None) -> str:
    """`✉️ <mailto:a@b.jp|a@b.jp>` ("" without an address)."""
    if not email or not email.strip():
        return ""
    address = email.strip()
    url = urllib.parse.quote(address, safe="@.+-_~!$'()*,;=:")
    return f"{texts.MAIL_MARK} <mailto:{url}|{_link_label(address)}>"


def contacts(phone: str | None, email: str | None) -> str:
    """The phone, then the e-mail, on one line."""
    return "  ".join(part for part in (phone_link(phone), email_link(email)) if part)


def _channel_of(outcome: Outcome) -> Channel:
    """The channel an outcome belongs to (the lead keeps its last outcome, not its channel)."""
    return next(
        (channel for channel, found in OUTCOMES_BY_CHANNEL.items() if outcome in found),
        Channel.OTHER,
    )


def last_touch_text(touch: LastTouch | None, today: dt.date) -> str:
    """`前回 12/1(火) 📞 不在`, or 未アプローチ."""
    if touch is None:
        return "未アプローチ"
    when = (
        texts.jp_time(touch.local)
        if touch.local.date() == today
        else texts.jp_date(touch.local.date(), today=today)
    )
    if touch.outcome is None:
        return f"前回 {when}"
    return f"前回 {when} {texts.channel_outcome(_channel_of(touch.outcome), touch.outcome.value)}"


def history_line(touch: LastTouch | None, memo_head: str, today: dt.date) -> str:
    """The last touch and the memo's first line: `前回 12/1(火) 📞 不在 · 🗒 部長は月曜不在`."""
    parts = [last_touch_text(touch, today)]
    if memo_head:
        parts.append(f"{texts.MEMO_MARK} {escape(memo_head)}")
    return " · ".join(parts)


# -- why a lead is listed ------------------------------------------------------------------------


def inbound_reason(line: LeadLine, today: dt.date) -> str:
    """Rule 1: `📥 資料請求 · ⏰ 期限 今日` / `⏰ 期限超過 12/1(火)`."""
    deadline = line.inbound_deadline
    if deadline is None or deadline >= today:
        due = f"{texts.DEADLINE_MARK} *期限 {texts.TODAY}*"
    else:
        due = f"{texts.DEADLINE_MARK} *期限超過* {texts.jp_date(deadline, today=today)}"
    source = escape(line.source) if line.source else texts.INBOUND_LABEL
    return f"{texts.INBOUND_MARK} {source} · {due}"


def focus_reason(line: LeadLine, today: dt.date) -> str:
    """Rule 2: `📅 次回 今日` / `📅 次回 11/30(月) · 2 日超過` / `(休日分)`."""
    day = line.next_action_date
    if day is None:
        return f"{texts.NEXT_ACTION_MARK} {texts.FOCUS_LABEL}"
    if day == today:
        return f"{texts.NEXT_ACTION_MARK} *次回 {texts.TODAY}*"
    label = texts.jp_date(day, today=today)
    if day > today:
        return f"{texts.NEXT_ACTION_MARK} 次回 {label} (休日分)"
    return f"{texts.NEXT_ACTION_MARK} 次回 {label} · *{(today - day).days} 日超過*"


def five_c2m_reason(line: LeadLine) -> str:
    """Rule 4: `🔁 📞2/5 ✉️0/2 · 次は ✉️ · ⚡ 7日以内 2/5 (CV から 5 日)`."""
    parts = [f"{texts.FIVE_C2M_MARK} {texts.five_c2m_label(line.progress)}"]
    channel = line.progress.next_channel()
    if channel is not None:
        parts.append(f"次は {texts.CHANNEL_MARKS[channel]}")
    if line.early_behind:
        parts.append(
            f"{texts.EARLY_MARK} 7日以内 {line.early_actions}/{line.early_target}"
            f" (CV から {line.days_since_cv} 日)"
        )
    return " · ".join(parts)


def hygiene_reason(line: LeadLine, today: dt.date) -> str:
    """Rule 5: `🧹 次回活動予定日なし` / `🧹 次回 2027/3/1(月) · 遠すぎます (94 日後)`."""
    day = line.next_action_date
    if day is None:
        return f"{texts.HYGIENE_MARK} 次回活動予定日なし"
    return (
        f"{texts.HYGIENE_MARK} 次回 {texts.jp_date(day, today=today)}"
        f" · 遠すぎます ({(day - today).days} 日後)"
    )


def returned_reason(decision: ReturnedDecision) -> str:
    """Rule 3: `↩️ 山田 さんが差し戻し: 「予算は来期に確保予定」`."""
    by = f"{escape(decision.returned_by)} さん" if decision.returned_by else "マネージャー"
    reason = escape(truncate(" ".join(decision.return_reason.split()), REASON_CHARS))
    return f"{texts.RETURNED_MARK} {by}が差し戻し: 「{reason or '理由なし'}」"


# -- the one-tap menu ------------------------------------------------------------------------------


def menu_value(lead_id: int, choice: str, version: str) -> str:
    return f"{lead_id}:{choice}:{version}"


def version_of(last_touch: LastTouch | None) -> str:
    """The lead's version an item carries (see isops.services.quick_log)."""
    return touch_version(last_touch.at if last_touch else None)


def build_quick_menu(lead_id: int, version: str) -> dict[str, Any]:
    """The item's overflow menu (⋯): 📞 不在 / 📞 留守電 / ✉️ 送信 log at once; 📞 接続… and
    📝 詳しく記録… open the log modal with the lead (and the outcome) filled."""
    return {
        "type": "overflow",
        "action_id": ids.QUICK_LOG_MENU,
        "options": [
            {"text": plain(label, MAX_OPTION_TEXT), "value": menu_value(lead_id, choice, version)}
            for choice, label in MENU_CHOICES
        ],
    }


def build_quick_buttons(lead_id: int, version: str) -> list[dict[str, Any]]:
    """The same choices as buttons (one lead per message: the new-lead DM)."""
    return [
        {
            "type": "button",
            "action_id": f"{ids.QUICK_LOG_MENU}:{choice}",
            "text": plain(label, 75),
            "value": menu_value(lead_id, choice, version),
        }
        for choice, label in MENU_CHOICES
    ]
