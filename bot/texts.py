"""Japanese UI strings shared across listeners (feature-specific ones live with their blocks)."""

from __future__ import annotations

from isops import messages

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
)
GENERIC_ERROR = "処理できませんでした。時間をおいてもう一度お試しください。"
# A modal whose payload cannot be ours (e.g. an id out of range): nothing was saved.
UNREADABLE_VIEW = "この画面の内容を読み取れませんでした。閉じて、もう一度開いてください。"
