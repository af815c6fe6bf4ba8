"""Messages of lead intake: the owner's DM for a new lead (with 記録), the managers' note
when nobody could take it, and the admin's CSV import modal."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.lead_lines import build_quick_buttons, email_link, phone_link, version_of
from bot.texts import jp_date

MAX_PASTED_CSV = 3000  # Slack's limit for a plain_text_input
MAX_ERRORS_SHOWN = 10

ASSIGNED_TITLE = "新しいリードの担当になりました"
UNASSIGNED_TITLE = "担当者を割り当てられなかったリードがあります"
IMPORT_TITLE = "リードの取り込み"
# Slack must be answered within 3 seconds, so the pasted import asks Slack nothing: the
# 担当者 column names registered members only (the CLI import also looks e-mails up in Slack).
IMPORT_HINT = (
    "CSV の見出し行ごと貼り付けてください (会社名, 氏名, メール, 流入元, 担当者, ステータス …)。"
    f" {MAX_PASTED_CSV} 文字まで。"
    " 担当者は isops のメンバーを Slack ユーザー ID (U…) か isops に登録したメールアドレスで"
    "指定してください (ここでは Slack に問い合わせません)。"
    "大きなファイルや、Slack のメールアドレスで担当者を探すときは `isops leads import` を使います。"
)


@dataclass(frozen=True)
class LeadNotice:
    """What the DM shows (the outbox payload written at intake)."""

    lead_id: int
    company: str
    contact_name: str | None
    title: str | None
    industry: str | None
    email: str | None
    phone: str | None
    source: str | None
    inbound: bool
    cv_at: dt.datetime
    deadline: dt.date | None
    same_day: bool
    reason: str

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> LeadNotice:
        deadline = payload.get("deadline")
        return cls(
            lead_id=int(payload["lead_id"]),
            company=str(payload["company"]),
            contact_name=payload.get("contact_name"),
            title=payload.get("title"),
            industry=payload.get("industry"),
            email=payload.get("email"),
            phone=payload.get("phone"),
            source=payload.get("source"),
            inbound=bool(payload.get("inbound")),
            cv_at=dt.datetime.fromisoformat(str(payload["cv_at"])),
            deadline=dt.date.fromisoformat(deadline) if deadline else None,
            same_day=bool(payload.get("same_day")),
            reason=str(payload.get("reason") or ""),
        )


def deadline_text(notice: LeadNotice) -> str | None:
    """DOMAIN.md rule 1: same business day, or the next one after the cut-off."""
    if notice.deadline is None:
        return None
    when = "今日中" if notice.same_day else "翌営業日中"
    return f"{jp_date(notice.deadline)} 中 ({when}) に初回アプローチ"


def _who(notice: LeadNotice) -> str:
    who = f"*{mrkdwn.escape(notice.company)}*"
    if notice.contact_name:
        who += f"  {mrkdwn.escape(texts.contact_label(notice.contact_name))}"
    if notice.title:
        who += f" ({mrkdwn.escape(notice.title)})"
    return who


def _details(notice: LeadNotice, tz: ZoneInfo) -> list[dict[str, Any]]:
    arrived = notice.cv_at.astimezone(tz)
    fields = [
        f"*流入元*\n{mrkdwn.escape(notice.source) or texts.EMPTY_FIELD}"
        + (" (インバウンド)" if notice.inbound else ""),
        f"*流入日時*\n{texts.jp_moment(arrived)}",
    ]
    if notice.industry:
        fields.append(f"*業種*\n{mrkdwn.escape(notice.industry)}")
    if notice.email:  # the phone is in the headline, where the rep taps it
        fields.append(f"*メール*\n{email_link(notice.email)}")
    return [{"type": "mrkdwn", "text": mrkdwn.truncate(f, 2000)} for f in fields]


def build_lead_assigned(notice: LeadNotice, *, tz: ZoneInfo) -> dict[str, Any]:
    """The owner's DM: what came in, from where, the first-approach deadline, the phone to
    call, and the one-tap log buttons (📞 不在 / 📞 留守電 / ✉️ 送信 at once; 📞 接続… and
    📝 詳しく記録… open the log modal)."""
    deadline = deadline_text(notice)
    headline = f"{texts.INBOUND_MARK} *{ASSIGNED_TITLE}*\n{_who(notice)}"
    if deadline:
        headline += f"\n{texts.DEADLINE_MARK} *{deadline}*"
    headline += f"\n{phone_link(notice.phone)}"
    blocks: list[dict[str, Any]] = [
        mrkdwn.section(headline),
        {"type": "section", "fields": _details(notice, tz)},
        {
            "type": "actions",
            "block_id": f"lead_assigned:{notice.lead_id}",
            # A new lead has no touch yet: version "0" (a tap after one is a duplicate).
            "elements": build_quick_buttons(notice.lead_id, version_of(None)),
        },
        mrkdwn.context(f"割り当て: {mrkdwn.escape(notice.reason)}"),
    ]
    fallback = f"{ASSIGNED_TITLE}: {mrkdwn.escape(notice.company)}" + (
        f" — {deadline}" if deadline else ""
    )
    return {"text": mrkdwn.truncate(fallback, mrkdwn.MAX_FALLBACK_TEXT), "blocks": blocks}


def build_lead_unassigned(notice: LeadNotice, *, tz: ZoneInfo) -> dict[str, Any]:
    """A manager's DM: a lead is waiting for an owner (everyone away, or no reps)."""
    deadline = deadline_text(notice)
    text = (
        f"{texts.WARNING_MARK} *{UNASSIGNED_TITLE}*\n{_who(notice)}\n{mrkdwn.escape(notice.reason)}"
    )
    if deadline:
        text += f"\n期限: {deadline}"
    blocks: list[dict[str, Any]] = [
        mrkdwn.section(text),
        {"type": "section", "fields": _details(notice, tz)},
        mrkdwn.context(f"isops リード番号 {notice.lead_id}: 担当者を決めてください"),
    ]
    return {
        "text": mrkdwn.truncate(
            f"{UNASSIGNED_TITLE}: {mrkdwn.escape(notice.company)}", mrkdwn.MAX_FALLBACK_TEXT
        ),
        "blocks": blocks,
    }


def build_import_modal() -> dict[str, Any]:
    """`/isops import`: paste a CSV, optionally only check it."""
    return {
        "type": "modal",
        "callback_id": ids.LEADS_IMPORT_VIEW,
        "title": mrkdwn.plain(IMPORT_TITLE, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "submit": mrkdwn.plain("取り込む"),
        "close": mrkdwn.plain(texts.CANCEL),
        "blocks": [
            mrkdwn.context(IMPORT_HINT),
            {
                "type": "input",
                "block_id": ids.LEADS_IMPORT_CSV,
                "label": mrkdwn.plain("CSV"),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.LEADS_IMPORT_CSV,
                    "multiline": True,
                    "max_length": MAX_PASTED_CSV,
                    "placeholder": mrkdwn.plain(
                        "会社名,氏名,メール,流入元,担当者\n株式会社サンプル,山田 太郎,…"
                    ),
                },
            },
            {
                "type": "input",
                "block_id": ids.LEADS_IMPORT_DRY_RUN,
                "optional": True,
                "label": mrkdwn.plain("試行"),
                "element": {
                    "type": "checkboxes",
                    "action_id": ids.LEADS_IMPORT_DRY_RUN,
                    "options": [
                        {
                            "text": mrkdwn.plain("確認だけして保存しない (dry run)"),
                            "value": "dry_run",
                        }
                    ],
                },
            },
        ],
    }


def import_errors_text(errors: Sequence[str], total: int) -> str:
    """The modal's field error: the first few `行 12, 列 メール: …`, and how many more."""
    shown = list(errors[:MAX_ERRORS_SHOWN])
    more = total - len(shown)
    text = "\n".join(shown) + (f"\nほか {more} 件" if more > 0 else "")
    return "取り込みませんでした。\n" + text


def build_import_result(
    *, summary: str, ignored_columns: Sequence[str], dry_run: bool
) -> dict[str, Any]:
    """The modal after a successful import: the summary line (created / updated / unchanged)."""
    blocks: list[dict[str, Any]] = [
        mrkdwn.section(
            ("試行結果" if dry_run else "取り込みました") + f"\n{mrkdwn.escape(summary)}"
        )
    ]
    if ignored_columns:
        blocks.append(
            mrkdwn.context("使わなかった列: " + mrkdwn.escape(", ".join(ignored_columns)))
        )
    return {
        "type": "modal",
        "callback_id": f"{ids.LEADS_IMPORT_VIEW}.done",
        "title": mrkdwn.plain(IMPORT_TITLE, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "close": mrkdwn.plain(texts.CLOSE),
        "blocks": blocks,
    }
