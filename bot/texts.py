"""The bot's vocabulary: one symbol and one word per concept, the date forms, and the Japanese
strings the listeners share. Every builder in `bot/blocks` takes them from here, so how a
concept looks on Slack is changed in this one file.

| concept                                              | symbol | word                     |
|------------------------------------------------------|--------|--------------------------|
| an inbound lead (rule 1)                             | 📥     | インバウンド             |
| a deadline, and anything past its date               | ⏰     | 期限 今日 / 期限超過     |
| the next action date; a focus lead whose date came   | 📅     | 次回 / 注力              |
| 5C2M incomplete (rule 4)                             | 🔁     | 5C2M                     |
| behind on the actions within 7 days of CV (rule 4)   | ⚡     | 7日以内                  |
| a decision the manager returned (rule 3)             | ↩️     | 差し戻し                 |
| a focus lead whose date needs care (rule 5)          | 🧹     | 整備                     |
| a 4/6 decision waiting for the manager               | ⏳     | 承認待ち                 |
| a review withdrawn by a new action                   | 🚫     | 取り下げ                 |
| a call / a mail / another touch                      | 📞 ✉️ 💬 | 架電 / メール / その他 |
| logging a touch (記録)                               | 📝     | 記録                     |
| the action memo                                      | 🗒     | メモ                     |
| saved, done, on time                                 | ✅     |                          |
| a warning                                            | ⚠️     |                          |

The rest (🎉 ☀️ 👥 📊 🌴 ✏️ 💡 🗄 🔗 📚 🎯 📨 ❌ 💻 🏢 🤝 🗓 🗳) each name one thing below.
Symbols are Unicode characters, never Slack's `:name:` forms, so every client and the plain
text of a notification show the same thing.

Dates `12/2(水)`, with the year only when it is not this year (`2027/1/5(火)`); times `13:28`;
both `12/2(水) 13:28` (`isops.date_labels`, so the domain's messages agree). Always 今日 (never
the formal synonym).
A contact's name is always followed by 様; sentences end in です/ます.
"""

from __future__ import annotations

from isops import date_labels, messages
from isops.enums import Channel
from isops.rules import FiveC2M

# -- Symbols ---------------------------------------------------------------------------------------

INBOUND_MARK = "📥"  # an inbound lead (rule 1): lists, lead picker, new-lead DM, confirmation
DEADLINE_MARK = "⏰"  # a deadline (inbound first approach) and anything past its date
NEXT_ACTION_MARK = "📅"  # the next action date; a focus lead whose date has come (rule 2)
FIVE_C2M_MARK = "🔁"  # 5C2M incomplete
EARLY_MARK = "⚡"  # behind on the actions within 7 days of CV
RETURNED_MARK = "↩️"  # a decision the manager returned
HYGIENE_MARK = "🧹"  # focus leads whose date needs attention
PENDING_MARK = "⏳"  # a 4/6 decision waiting for the manager (rep and manager alike)
WITHDRAWN_MARK = "🚫"  # a review withdrawn by a new action

CALL_MARK = "📞"  # a call, and a phone number
MAIL_MARK = "✉️"  # a mail, and an e-mail address
OTHER_CHANNEL_MARK = "💬"  # another touch (letter, SNS, event)
CHANNEL_MARKS = {
    Channel.CALL: CALL_MARK,
    Channel.MAIL: MAIL_MARK,
    Channel.OTHER: OTHER_CHANNEL_MARK,
}
LOG_MARK = "📝"  # logging a touch (記録)
MEMO_MARK = "🗒"  # the action memo

DONE_MARK = "✅"  # saved, approved, on time, logged today
WARNING_MARK = "⚠️"
CELEBRATE_MARK = "🎉"  # nothing to do today, 5C2M reached
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
# The weekly scorecard's figures (scorecard_values.FIGURES), and what each habit asks.
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
    """`📞2/5 ✉️0/2`: 5C2M progress on every Slack surface (the domain's messages say it in
    words, `FiveC2M.label`)."""
    return (
        f"{CALL_MARK}{progress.calls}/{progress.target_calls}"
        f" {MAIL_MARK}{progress.mails}/{progress.target_mails}"
    )


def channel_outcome(channel: Channel, outcome: str) -> str:
    """`📞 不在`: a touch and its result."""
    return f"{CHANNEL_MARKS[channel]} {outcome}"


# -- Recurring words -------------------------------------------------------------------------------

TODAY = "今日"  # the one word for today on every surface

# The lists' sections, also the words `/isops today <section>` accepts.
INBOUND_LABEL = "インバウンド"
FOCUS_LABEL = "注力"
FIVE_C2M_LABEL = "5C2M"
RETURNED_LABEL = "差し戻し"  # also the manager's button and the return modal's title
HYGIENE_LABEL = "整備"
PENDING_LABEL = "承認待ち"  # lists, lead picker, the manager's part of the morning DM

# The four CRM fields.
STATUS_FIELD = "ステータス"
PRIORITY_FIELD = "優先リード"
NEXT_ACTION_DATE_FIELD = "次回活動予定日"
MEMO_FIELD = "アクションメモ"
NOT_SET = "未設定"  # a field without a value (rep's return DM)
EMPTY_FIELD = "—"  # an empty cell of a fields block

HONORIFIC = "様"


def contact_label(contact_name: str) -> str:
    """`山田 太郎 様`: a contact's name, always with 様 (escape it first for mrkdwn)."""
    return f"{contact_name} {HONORIFIC}"


def lead_label(company: str, contact_name: str | None) -> str:
    """`株式会社A 山田 太郎 様` (plain text; escape it for mrkdwn)."""
    return f"{company} {contact_label(contact_name)}" if contact_name else company


# The 記録 button (opens the log modal with the lead picked), the same on every message.
LOG_BUTTON = f"{LOG_MARK} 記録"

CANCEL = "キャンセル"  # a form modal's close button
CLOSE = "閉じる"  # a result or notice modal's close button

# -- Dates and times -------------------------------------------------------------------------------

WEEKDAYS = date_labels.WEEKDAYS
jp_date = date_labels.date_label  # `12/2(水)`, `2027/1/5(火)`
jp_time = date_labels.time_label  # `13:28`
jp_moment = date_labels.moment_label  # `12/2(水) 13:28`

# -- Shared by the listeners -----------------------------------------------------------------------

# The same words as the domain error, so the Home tab and a refused command agree.
NOT_REGISTERED = messages.NOT_REGISTERED
UNKNOWN_SUBCOMMAND = "「/isops {name}」というコマンドはありません。/isops help で一覧を表示します。"
HELP_HEADER = "*isops — インサイドセールスの活動環境*"
# What a rep does, in the order of their day (help, App Home).
SLASH_COMMANDS_HELP = (
    ("/isops today", "今日のリスト (朝の DM と同じ順)。各リードの ⋯ から 1 タップで記録できます"),
    (
        "/log-call [会社名]",
        "架電を記録し、ステータス・優先リード・次回活動予定日・メモを更新します",
    ),
    ("/log-mail [会社名]", "メールを記録し、同じく4項目を更新します"),
    ("/lead", "リードを手で登録します (重複は自動で見つけます)"),
    ("/case [検索語]", "事例を探します: 課題 → 機能 → 便益 (add で追加、map で全体像)"),
)
GENERIC_ERROR = "処理できませんでした。時間をおいてもう一度お試しください。"
# A modal whose payload cannot be ours (e.g. an id out of range): nothing was saved.
UNREADABLE_VIEW = "この画面の内容を読み取れませんでした。閉じて、もう一度開いてください。"
