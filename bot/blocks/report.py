"""The five reports (a–e) in Slack: `/isops report a|b|c|d|e [@rep]`.

Pure builders from `isops.services.reports` values. A report shows its first lines (the most
urgent first) within one message's limits; a longer one ends with 「他 N 件」 and the full list
goes to the caller's DM as a CSV file (bot.files).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from bot import texts
from bot.blocks import mrkdwn
from isops.enums import ActionStatus
from isops.services.reports import Report, ReportLine

Block = dict[str, Any]

REPORT_TITLES = {
    "a": "a. インバウンドの当日対応漏れ (期限までに未対応)",
    "b": "b. 次回活動予定日が来た注力リード",
    "c": "c. 対応不要 (4/6) の承認待ちと差し戻し",
    "d": "d. CV から7日以内のアクションが5回未満",
    "e": "e. 1〜2か月以内に予定のある注力リード",
}
REPORT_HINTS = {
    "a": "インバウンドは当日 (18時以降は翌営業日) までに初回対応",
    "b": "予定日が来た注力リードは今日の最優先",
    "c": "差し戻しは「なぜ追うのか」を担当者に伝えたもの",
    "d": "つながらないリードも7日で5回、架電とメールを組み合わせて",
    "e": "この先の予定が入った注力リード (中長期の追客)",
}
# Lines shown in Slack (then 「他 N 件」 and the CSV); lines per section block.
SHOWN_LINES = 40
LINES_PER_BLOCK = 8
COMPANY_CHARS = 40
REASON_CHARS = 200


def _who(line: ReportLine) -> str:
    name = f"*{mrkdwn.escape(mrkdwn.truncate(line.company, COMPANY_CHARS))}*"
    if line.contact_name:
        name += f" {mrkdwn.escape(mrkdwn.truncate(line.contact_name, 20))} 様"
    return name


def _owner(line: ReportLine) -> str:
    return f"{mrkdwn.escape(line.owner_name)} さん" if line.owner_name else "担当なし"


def _local(moment: dt.datetime, tz: ZoneInfo) -> dt.date:
    return moment.astimezone(tz).date()


def line_text(report: Report, line: ReportLine, tz: ZoneInfo) -> str:
    """One lead as a report line (report c: two lines with the reason)."""
    parts = [_who(line), _owner(line)]
    key = report.key
    if key == "a":
        if line.inbound_deadline:
            late = (report.day - line.inbound_deadline).days
            parts.append(f"期限 {texts.jp_date(line.inbound_deadline)} ({late} 日超過)")
        parts.append(mrkdwn.escape(line.source or texts.INBOUND_LABEL))
    elif key in ("b", "e") and line.next_action_date:
        day = line.next_action_date
        if key == "b" and day < report.day:
            parts.append(f"次回 {texts.jp_date(day)} ({(report.day - day).days} 日超過)")
        else:
            parts.append(f"次回 {texts.jp_date(day)}")
    elif key == "d":
        parts.append(f"7日以内 {line.early_actions} アクション")
        parts.append(f"{texts.CALL_MARK}{line.calls} {texts.MAIL_MARK}{line.mails}")
        if line.early_window_end is not None:
            end = _local(line.early_window_end, tz)
            if line.early_window_end > report.as_of:
                parts.append(f"期限 {texts.jp_date(end)}")
            else:
                parts.append(f"期間終了 {texts.jp_date(end)}")
    elif key == "c":
        requested = ActionStatus(line.requested_status or 4).label
        reason = mrkdwn.escape(line.reason_code)
        if line.review_state == "pending":
            when = _local(line.review_at, tz) if line.review_at else None
            parts.append(f"{texts.PENDING_MARK} {texts.PENDING_LABEL} ({requested}・{reason})")
            if when:
                parts.append(f"申請 {texts.jp_date(when)}")
        else:
            by = f"{mrkdwn.escape(line.decided_by)} さん" if line.decided_by else "マネージャー"
            parts.append(
                f"{texts.RETURNED_MARK} {by}が{texts.RETURNED_LABEL} ({requested}・{reason})"
            )
            text = " · ".join(parts)
            why = (
                mrkdwn.escape(mrkdwn.truncate(line.return_reason or "", REASON_CHARS))
                or "(理由なし)"
            )
            return f"{text}\n> {why}"
    return " · ".join(parts)


def build_report_message(
    report: Report, *, tz: ZoneInfo, csv_sent: bool = False, shown: int = SHOWN_LINES
) -> dict[str, Any]:
    """The report (ephemeral): title and scope, the first lines, 「他 N 件」 and where the
    full list went."""
    title = f"{texts.REPORT_MARK} {REPORT_TITLES[report.key]}"
    head = (
        f"*{title}* — {mrkdwn.escape(report.scope)}、"
        f"{texts.jp_date(report.day)} 時点 *{report.total} 件*"
    )
    blocks: list[Block] = [mrkdwn.section(head), mrkdwn.context(REPORT_HINTS[report.key])]
    if not report.lines:
        blocks.append(mrkdwn.section(f"該当するリードはありません {texts.CELEBRATE_MARK}"))
    lines = [f"• {line_text(report, line, tz)}" for line in report.lines[:shown]]
    for start in range(0, len(lines), LINES_PER_BLOCK):
        blocks.append(
            mrkdwn.section(
                mrkdwn.truncate(
                    "\n".join(lines[start : start + LINES_PER_BLOCK]), mrkdwn.MAX_SECTION_TEXT
                )
            )
        )
    hidden = report.total - len(lines)
    if hidden > 0:
        where = (
            "全件を CSV にして DM に送りました"
            if csv_sent
            else f"全件は `isops report {report.key} --format csv` で書き出せます"
        )
        blocks.append(mrkdwn.context(f"…他 {hidden} 件 — {where}"))
    return {
        "response_type": "ephemeral",
        "text": mrkdwn.truncate(f"{title}: {report.total} 件", mrkdwn.MAX_FALLBACK_TEXT),
        "blocks": blocks,
    }


def needs_csv(report: Report) -> bool:
    return report.total > SHOWN_LINES


def report_filename(report: Report) -> str:
    return f"isops-report-{report.key}-{report.day.isoformat()}.csv"


def report_links() -> str:
    """The five reports as commands (App Home, help)."""
    return "\n".join(
        f"`/isops report {key}` — {title.split('. ', 1)[1]}" for key, title in REPORT_TITLES.items()
    )
