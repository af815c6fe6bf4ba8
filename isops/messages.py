"""The Japanese messages the domain gives a user, one wording per concept.

Services raise `isops.errors` with these texts, and the Slack forms that check the same thing
before a service runs (`bot/forms`) import them instead of retyping, so a rep reads the same
sentence whichever check caught the problem. A CSV file's cell messages stay with the import's
parsers (`isops.csvio`), and an admin command's with its service: one place uses each.
"""

from __future__ import annotations

from isops import limits

# -- who is acting ----------------------------------------------------------------------------------

NOT_REGISTERED = (
    "isops にメンバー登録されていません。管理者に `isops member add` で登録してもらってください。"
)
INACTIVE = "isops のメンバー登録が無効になっています。管理者に確認してください。"

# -- leads ------------------------------------------------------------------------------------------

LEAD_NOT_FOUND = "リードが見つかりません (削除された可能性があります)"
LEAD_NOT_YOURS = "このリードを記録する権限がありません (自分 / チームのリードのみ)"
COMPANY_REQUIRED = "会社名を入力してください"
NOT_AN_EMAIL = "メールアドレスの形式ではありません"
NOT_A_PHONE = "電話番号は数字とハイフンで入力してください"
OWNER_NOT_REGISTERED = "担当者が isops に登録されていません"
OWNER_NOT_ON_TEAM = "担当者には自分 (マネージャーはチームのメンバー) を指定してください"
# An identifier a program sent (webhook `external_id`, `owner`): compared exactly, so refused.
CONTROL_IN_IDENTIFIER = "制御文字・改行・不正な文字は使えません"


def too_long(label: str, limit: int) -> str:
    """`会社名は 200 文字以内にしてください`."""
    return f"{label}は {limit} 文字以内にしてください"


# -- logging an action (the log modal's fields) ----------------------------------------------------


def choose_outcome(channel_label: str) -> str:
    """`架電の結果を選んでください`: an outcome the channel cannot have."""
    return f"{channel_label}の結果を選んでください"


CHOOSE_STATUS = "アクションステータスを選んでください"
CHOOSE_PRIORITY = "優先リードは 注力 か 非注力 を選んでください"
MEMO_TOO_LONG = too_long("アクションメモ", limits.MEMO)
REASON_CODE_REQUIRED = "ステータス 4・6 には対応不要の理由を選んでください"
REASON_MEMO_REQUIRED = "ステータス 4・6 には理由のメモを書いてください"
REASON_MEMO_TOO_LONG = too_long("理由のメモ", limits.MEMO)


def five_c2m_incomplete(progress_label: str) -> str:
    """Status 4 with 5C2M incomplete (rule 4): the rep confirms first."""
    return f"{progress_label} — 5C2M 未完了です"


# Rule 5: the next action date.
PAST_NEXT_ACTION_DATE = "次回活動予定日に過去の日付は指定できません"
FOCUS_NEEDS_NEXT_ACTION_DATE = "注力リードには次回活動予定日が必要です"
FOCUS_DATE_AFTER_TODAY = (
    "注力リードの次回活動予定日は明日以降にしてください (今日の分は記録済みです)"
)


def focus_date_too_far(max_days: int, limit_label: str) -> str:
    """A focus lead's next action date beyond `max_days` (rule 5: within 1–2 months)."""
    return f"注力リードの次回活動予定日は {max_days} 日以内 ({limit_label} まで) にしてください"


# A touch logged late (実施日時).
ACTED_AT_IN_FUTURE = "実施日時に未来の日時は指定できません"


def acted_at_too_old(days: int) -> str:
    """A touch logged more than `days` days after it happened."""
    return (
        f"実施日時は {days} 日前までにしてください (それより前の活動は管理者が CSV で取り込めます)"
    )


# -- manager review (rule 3) -----------------------------------------------------------------------

REVIEW_NOT_FOUND = "この承認依頼は見つかりません (リードが削除された可能性があります)"
OWN_DECISION = "自分の「対応不要」の判断を自分で承認・差し戻しすることはできません"
OWN_LEAD = "自分が担当するリードの「対応不要」を自分で承認・差し戻しすることはできません"
NOT_THE_MANAGER = "この判断を承認・差し戻しできるのは、担当者のマネージャーか管理者だけです"
RETURN_REASON_REQUIRED = "差し戻す理由 (なぜ追うべきか) を入力してください"


def return_reason_too_long(limit: int) -> str:
    return f"理由は {limit} 文字以内で入力してください"


def review_withdrawn(when: str) -> str:
    """A decision on a review the rep's new action withdrew (`when`: `11/27 10:00`)."""
    return f"この承認依頼は {when} に取り下げられました (担当者が新しい活動を記録しました)"


def review_already_decided(name: str | None, when: str, verb: str) -> str:
    """A decision on a review someone else decided first (`verb`: 承認 or 差し戻し)."""
    return f"この判断はすでに {name} さんが {when} に{verb}しています"


# A CSV row may not settle a lead whose 4/6 waits for the manager.
PENDING_REVIEW_LOCKED = (
    "承認待ちのため変更できません (対応不要の申請をマネージャーが判断してから取り込んでください)"
)

# -- one-tap logging and its undo (issue 11) -------------------------------------------------------

UNDO_NOT_FOUND = "取り消す記録が見つかりません (すでに取り消されています)"
UNDO_ONLY_QUICK = (
    "取り消せるのは 1 タップの記録だけです。内容を直すときは「詳しく記録」を使ってください"
)
UNDO_LATER_ACTION = "このリードにはその後の記録があるため取り消せません"
UNDO_LEAD_CHANGED = "このリードはその後変更されたため取り消せません"
UNDO_WITHDREW_REVIEW = (
    "承認待ちの申請を取り下げた記録は取り消せません。「詳しく記録」で直してください"
)


def undo_too_late(minutes: int, logged_at: str) -> str:
    """An undo after its window (`logged_at`: `13:28`)."""
    return f"取り消せるのは記録から {minutes} 分以内です ({logged_at} に記録)"
