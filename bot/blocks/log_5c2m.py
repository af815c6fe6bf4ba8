"""The small 5C2M confirmation pushed over the log modal when 4 is chosen with 5C2M
incomplete (rule 4), and its private_metadata (the log modal under it)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from bot import ids, texts
from bot.blocks.mrkdwn import MAX_PLAIN_TEXT_TITLE, context, plain, section
from bot.forms.log import LogMetadata
from bot.forms.payload_ids import SlackId
from isops.enums import Channel
from isops.rules import FiveC2M

CONFIRM_TITLE = "5C2M 未完了"
CONFIRM_SUBMIT = "このまま申請する"
CONFIRM_CLOSE = {Channel.CALL: "架電を続ける", Channel.MAIL: "メールを続ける"}


class ConfirmMetadata(BaseModel):
    """The 5C2M confirmation's private_metadata: the log modal under it and its metadata."""

    parent_view_id: SlackId
    log: LogMetadata

    def dump(self) -> str:
        return self.model_dump_json(exclude_none=True, exclude_defaults=True)

    @classmethod
    def load(cls, text: str | None) -> ConfirmMetadata | None:
        """None when the text cannot be ours (nothing to go back to)."""
        try:
            return cls.model_validate_json(text or "{}")
        except ValidationError:
            return None


def remaining_text(progress: FiveC2M) -> str:
    """`あと架電 3 回・メール 2 回` (only what is missing)."""
    parts = []
    if progress.calls < progress.target_calls:
        parts.append(f"{Channel.CALL.label} {progress.target_calls - progress.calls} 回")
    if progress.mails < progress.target_mails:
        parts.append(f"{Channel.MAIL.label} {progress.target_mails - progress.mails} 回")
    return "あと" + "・".join(parts)


def cv_day_text(days_since_cv: int) -> str:
    """`CV 4 日目` (the CV's own day: `CV 当日`), as the morning DM counts days."""
    return "CV 当日" if days_since_cv <= 0 else f"CV {days_since_cv} 日目"


def build_5c2m_confirmation(
    progress: FiveC2M, *, days_since_cv: int, metadata: ConfirmMetadata
) -> dict[str, Any]:
    """The small view pushed when 4 is chosen with 5C2M incomplete (rule 4): 「あと架電 N 回・
    メール M 回 (CV D 日目)」 with このまま申請する (submit) and 架電を続ける (close: the
    encouraged answer is also what dismissing the view does)."""
    behind = progress.next_channel() or Channel.CALL
    # 架電を続ける, unless the calls are done and only mails are missing.
    keep_on = Channel.CALL if progress.calls < progress.target_calls else Channel.MAIL
    return {
        "type": "modal",
        "callback_id": ids.LOG_5C2M_VIEW,
        "title": plain(CONFIRM_TITLE, MAX_PLAIN_TEXT_TITLE),
        "submit": plain(CONFIRM_SUBMIT, MAX_PLAIN_TEXT_TITLE),
        "close": plain(CONFIRM_CLOSE[keep_on], MAX_PLAIN_TEXT_TITLE),
        "notify_on_close": True,
        "private_metadata": metadata.dump(),
        "blocks": [
            section(
                f"{texts.WARNING_MARK} *{remaining_text(progress)}* ({cv_day_text(days_since_cv)})"
            ),
            context(
                f"5C2M {texts.five_c2m_label(progress)} (この記録を含む)。"
                "対応不要にする前に、もう一度アプローチしませんか"
                f" (次は {texts.CHANNEL_MARKS[behind]} {behind.label}がおすすめ)。"
                "申請するとマネージャーの承認待ちになります。"
            ),
        ],
    }
