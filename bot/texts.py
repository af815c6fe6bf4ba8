"""The bot's vocabulary: the symbol and the word for each concept, the date forms, and the
Japanese strings the listeners share. Every builder in `bot/blocks` takes them from here, so
how a concept looks on Slack is changed in this one file.

Where surfaces disagree today, each variant has a name that says which surface shows it, and a
`# unify:` comment marks what a later change will merge. A sentence that only one surface
says stays with its builder.
"""

from __future__ import annotations

import datetime as dt

from isops import messages
from isops.enums import Channel
from isops.rules import FiveC2M

# -- Symbols ---------------------------------------------------------------------------------------

# unify: an inbound lead is 🔥 in the morning DM, 📥 in the log modal and its confirmation,
# and :inbox_tray: (📥 by its Slack name) in the owner's new-lead DM.
INBOUND_MARK_MORNING = "🔥"  # morning DM, /isops today, a manager's lines for away reps
INBOUND_MARK_LOG = "📥"  # lead picker, the picked lead's context line, log confirmation
INBOUND_MARK_OWNER_DM = ":inbox_tray:"  # the owner's DM for a new lead

# unify: a deadline is ⏰ in the morning DM and the lead picker, :alarm_clock: (the same ⏰ by
# its Slack name) in the owner's new-lead DM; and a focus lead whose date has come is 📅 in
# the morning DM (NEXT_ACTION_MARK) but ⏰ in the lead picker.
DUE_MARK = "⏰"  # morning DM's overdue group, lead picker's due focus leads
DUE_MARK_OWNER_DM = ":alarm_clock:"  # the owner's DM: the first-approach deadline

NEXT_ACTION_MARK = "📅"  # the next action date: morning DM's focus leads, log confirmation
FIVE_C2M_MARK = "🔁"  # morning DM: 5C2M incomplete
RETURNED_MARK = "↩️"  # a decision the manager returned: morning DM, review message, rep's DM
HYGIENE_MARK = "🧹"  # morning DM: focus leads whose date needs attention

# unify: a review waiting for the manager is ⏳ to the rep (morning DM, /isops today, log
# modal and confirmation) and ⚖️ in the manager's part of the morning DM.
PENDING_MARK = "⏳"
PENDING_MARK_MANAGER = "⚖️"

# unify: a withdrawn review is ↩️ in the log confirmation (RETURNED_MARK's symbol) and 🚫 in
# the manager's review message.
WITHDRAWN_MARK_LOG = "↩️"
WITHDRAWN_MARK_REVIEW = "🚫"

CALL_MARK = "📞"
MAIL_MARK = "✉️"
LOG_MARK = "📝"  # the 記録 button
# unify: an "other" touch is 📝 in the log confirmation, the 記録 button's symbol.
CHANNEL_MARKS = {Channel.CALL: CALL_MARK, Channel.MAIL: MAIL_MARK, Channel.OTHER: LOG_MARK}

DONE_MARK = "✅"  # saved, approved, on time
# unify: a warning is ⚠️ everywhere but the managers' DM for a lead nobody could take, which
# writes :warning: (the same ⚠️ by its Slack name).
WARNING_MARK = "⚠️"
WARNING_MARK_UNASSIGNED_DM = ":warning:"
CELEBRATE_MARK = "🎉"  # nothing to do today, 5C2M reached
EARLY_MARK = "⚡"  # behind on the actions within 7 days of CV
AWAY_MARK = "🌴"  # 休暇
MORNING_MARK = "☀️"  # the morning DM's header
TEAM_MARK = "👥"  # a manager's team in the morning DM
FIGURES_MARK = "📊"  # a manager's figures of the previous business day
EDIT_MARK = "✏️"  # edit buttons (case library)
CASE_HINT_MARK = "💡"  # the best-matching case for a lead (log modal, lists)
ARCHIVED_MARK = "🗄"  # an archived case
LINK_MARK = "🔗"  # an external link (a case's source)
CASE_SHARE_MARK = "📚"  # the weekly case post in ISOPS_CASE_CHANNEL
TARGETS_MARK = "🎯"  # a target list built from a case
SENT_TO_MARK = "📨"  # something a manager sends to a rep
INVALID_MARK = "❌"  # not a valid opportunity (FS verdict)
ONLINE_MARK = "💻"  # an online meeting
VISIT_MARK = "🏢"  # a meeting at the customer's
HANDOFF_MARK = "🤝"  # a meeting handed to field sales
MEETING_MARK = "🗓"  # a meeting's date and time
FS_UNRATED_MARK = "🗳"  # meetings FS has not rated (有効商談 or not) after three requests
# The managers' view (issue 13): reports a–e, the weekly scorecard, reassignment, /isops team.
SCORECARD_MARK = "📈"  # the weekly habit scorecard
REPORT_MARK = "📋"  # the five reports (a–e)
HABIT_MARK = "👉"  # the one habit to work on this week
REASSIGN_MARK = "🔀"  # 担当を振り替える
ADMIN_MARK = "🛠"  # /isops team (admins)
UP_MARK = "▲"  # a figure up against the previous week
DOWN_MARK = "▼"  # … down
FLAT_MARK = "→"  # … unchanged
MEDIAN_MARK = "◆"  # the team median beside a rep's own figure
# The weekly scorecard's figures (isops.services.scorecard.FIGURES), and what each habit asks.
SCORECARD_LABELS = {
    "same_day": "当日対応率",
    "five_c2m": "5C2M 完了率",
    "early": "7日5アクション率",
    "both_channels": "両チャネル率",
    "focus_undated": "注力・予定日なし",
    "decisions": "4/6 判断",
    "returned": "差し戻し",
    "meetings": "アポ数",
    "valid": "有効商談数",
    "valid_rate": "有効率",
    "fs_unrated": "FS 未評価",
}
SCORECARD_HABIT_TIPS = {
    "same_day": "インバウンドはその日のうちに最初の連絡を入れましょう",
    "five_c2m": "つながらないリードも架電5回・メール2回まで追いかけましょう",
    "early": "CV から7日以内に5回のアクションを重ねましょう",
    "both_channels": "電話だけ・メールだけにせず、両方のチャネルで接触しましょう",
}
AWAY_WEEK = "休暇 (今週は全日)"


def five_c2m_label(progress: FiveC2M) -> str:
    """`📞2/5 ✉️0/2`: 5C2M progress on every surface."""
    # unify: isops.rules.FiveC2M.label() spells the same for the domain's own messages (the
    # 5C2M confirmation's error) and must change with CALL_MARK / MAIL_MARK.
    return (
        f"{CALL_MARK}{progress.calls}/{progress.target_calls}"
        f" {MAIL_MARK}{progress.mails}/{progress.target_mails}"
    )


# -- Recurring words -------------------------------------------------------------------------------

# The morning DM's sections, also the words `/isops today <section>` accepts.
INBOUND_LABEL = "インバウンド"
FOCUS_LABEL = "注力"
FIVE_C2M_LABEL = "5C2M"
RETURNED_LABEL = "差し戻し"  # also the manager's button and the return modal's title
HYGIENE_LABEL = "整備"
PENDING_LABEL = "承認待ち"  # morning DM, /isops today, lead picker

# The four CRM fields.
# unify: the status field is アクションステータス in the log modal and ステータス elsewhere
# (rep's return DM, /lead result, log confirmation).
STATUS_FIELD_LOG_MODAL = "アクションステータス"
STATUS_FIELD = "ステータス"
PRIORITY_FIELD = "優先リード"  # log modal, return modal, rep's return DM
NEXT_ACTION_DATE_FIELD = "次回活動予定日"  # log modal, return modal, rep's return DM, DMs
NOT_SET = "未設定"  # a field without a value (rep's return DM)
# unify: an empty field shows — in the review message and the new-lead DMs, - after /lead.
EMPTY_FIELD = "—"
EMPTY_FIELD_LEAD_RESULT = "-"

# The 記録 button (opens the log modal with the lead picked).
LOG_BUTTON = f"{LOG_MARK} 記録"
# unify: the same button reads 「📝 このリードに記録」 after /lead and 「記録」 in the rep's DM
# for a returned decision.
LOG_BUTTON_LEAD_RESULT = f"{LOG_MARK} このリードに記録"
LOG_BUTTON_RETURNED_DM = "記録"

CANCEL = "キャンセル"  # a form modal's close button
CLOSE = "閉じる"  # a result or notice modal's close button

# -- Dates and times -------------------------------------------------------------------------------

WEEKDAYS = "月火水木金土日"


def jp_date(day: dt.date, *, year: bool = False) -> str:
    """`11/27(金)` (with the year when asked: `2026/11/27(金)`): the morning DM, /isops today
    and away, the owner's new-lead DM, the command line."""
    prefix = f"{day.year}/" if year else ""
    return f"{prefix}{day.month}/{day.day}({WEEKDAYS[day.weekday()]})"


# unify: the other surfaces' forms below, each different from jp_date.


def log_confirmation_date(day: dt.date) -> str:
    """`2026/11/27 (金)`, zero-padded: the log confirmation's dates."""
    return f"{day:%Y/%m/%d} ({WEEKDAYS[day.weekday()]})"


def review_date(day: dt.date) -> str:
    """`2026/11/27`: the review message's CV and re-approach dates, the rep's return DM."""
    return f"{day:%Y/%m/%d}"


def review_time(local: dt.datetime) -> str:
    """`11/27 10:00` (a local time): when a review was asked for, decided, last contacted."""
    return f"{local:%m/%d %H:%M}"


def lead_result_time(local: dt.datetime) -> str:
    """`2026/11/27 10:00` (a local time): the CV of a lead registered with /lead."""
    return f"{local:%Y/%m/%d %H:%M}"


def new_lead_dm_time(local: dt.datetime) -> str:
    """`11/27(金) 10:00` (a local time): when a new lead arrived, in the new-lead DMs."""
    return f"{jp_date(local.date())} {local:%H:%M}"


# -- Shared by the listeners -----------------------------------------------------------------------

# The same words as the domain error, so the Home tab and a refused command agree.
NOT_REGISTERED = messages.NOT_REGISTERED
UNKNOWN_SUBCOMMAND = (
    "`/isops {name}` というコマンドはありません。`/isops help` で一覧を表示します。"
)
HELP_HEADER = "*isops — インサイドセールスの活動環境*"
SLASH_COMMANDS_HELP = (
    ("/log-call [検索語]", "架電を記録し、4項目 (ステータス・優先・次回活動予定日・メモ) を更新"),
    ("/log-mail [検索語]", "メールを記録し、4項目を更新"),
    ("/lead", "リードを手動で登録 (重複チェックつき)"),
    ("/case [検索語]", "事例ライブラリ: 課題 → 機能 → 便益 で探す (add で追加、map で全体像)"),
)
GENERIC_ERROR = "処理できませんでした。時間をおいてもう一度お試しください。"
# A modal whose payload cannot be ours (e.g. an id out of range): nothing was saved.
UNREADABLE_VIEW = "この画面の内容を読み取れませんでした。閉じて、もう一度開いてください。"
