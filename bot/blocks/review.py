"""Manager review of "no action needed" (DOMAIN.md rule 3): the interactive message, the
`/isops reviews` list, the return (差し戻し) modal and the rep's DM. Pure builders."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.log_button import build_log_button
from isops.enums import ActionStatus, Priority, ReviewState
from isops.services.reviews import RETURN_REASON_MAX, PendingReviews, ReviewDetail

# -- UI text (Japanese) --------------------------------------------------------------------------
TITLE_REQUEST = "対応不要の承認依頼"
APPROVE = "承認"
RETURN_SUBMIT = "差し戻す"
REAPPROACH_OPTION = "承認時に再アプローチ日を設定 ({months}か月後)"
REASON_LABEL = "なぜ追うべきか (担当者にそのまま届きます)"
REASON_PLACEHOLDER = "例: 役員が資料を読んでいた。来期の予算策定前にもう一度提案する価値がある"
NEXT_DATE_LABEL = texts.NEXT_ACTION_DATE_FIELD  # Slack adds (任意) to optional inputs
PRIORITY_LABEL = texts.PRIORITY_FIELD
RETURN_HINT = "差し戻すとステータスは *{status}* に戻ります。担当者は変わりません。"
LIST_EMPTY = "あなたが判断する承認待ちはありません。"
LIST_HEADER = "*承認待ちの「対応不要」判断* ({total} 件、古い順)"
LIST_MORE = "ほかに {more} 件あります。判断すると次の分を `/isops reviews` で表示できます。"
MEMO_PREVIEW = 1500  # characters of the rep's memo shown in the message
LIST_MEMO_PREVIEW = 200
# Each listed review takes 3 blocks (summary, buttons, divider) plus 2 for header and footer.
MAX_LISTED = (mrkdwn.MAX_MESSAGE_BLOCKS - 2) // 3


def _local(moment: dt.datetime, tz: dt.tzinfo) -> dt.datetime:
    return moment.astimezone(tz)


def _when(moment: dt.datetime | None, tz: dt.tzinfo) -> str:
    return texts.jp_moment(_local(moment, tz)) if moment else ""


def _status(code: int) -> str:
    return f"{code} {ActionStatus(code).label}"


def _priority(code: int | None) -> str:
    return Priority(code).label if code else texts.NOT_SET


def _quote(text: str, limit: int) -> str:
    """User text as an escaped mrkdwn quote (cut before escaping, so no entity is split)."""
    lines = mrkdwn.escape(mrkdwn.truncate(text.strip(), limit)).splitlines() or [""]
    return "\n".join(f"> {line}" for line in lines)


def _lead_title(detail: ReviewDetail) -> str:
    contact = mrkdwn.escape(texts.contact_label(detail.contact_name)) if detail.contact_name else ""
    if contact and detail.title:
        contact += f" ({mrkdwn.escape(detail.title)})"
    return f"*{mrkdwn.escape(detail.company)}*" + (f"　{contact}" if contact else "")


def _whose(detail: ReviewDetail) -> str:
    """Whose decision, as mentions: the rep's — or, when someone else (e.g. the rep's
    manager) logged the 4/6 on the rep's lead, theirs and whose lead it is."""
    rep = mrkdwn.user_mention(detail.rep_slack_user_id)
    if detail.requested_by_rep:
        return f"{rep} さんの判断"
    return f"{mrkdwn.user_mention(detail.requested_by_slack_user_id)} さんの判断 (担当: {rep} さん)"


def _progress(detail: ReviewDetail) -> str:
    mark = "5C2M 達成" if detail.progress.complete else "5C2M 未完了"
    return f"{texts.five_c2m_label(detail.progress)} ({mark})"


def _last_contact(detail: ReviewDetail, tz: dt.tzinfo) -> str:
    if detail.last_action_at is None:
        return "まだありません"
    outcome = mrkdwn.escape(detail.last_outcome) if detail.last_outcome else ""
    return f"{_when(detail.last_action_at, tz)} {outcome}".strip()


def _reason(detail: ReviewDetail, limit: int) -> str:
    text = f"*理由*: {mrkdwn.escape(detail.reason_code)}"
    if detail.memo.strip():
        text += "\n" + _quote(detail.memo, limit)
    return text


def _verdict(detail: ReviewDetail, tz: dt.tzinfo) -> str:
    """One line saying who decided what and when (empty while pending)."""
    who = (
        mrkdwn.user_mention(detail.decided_by_slack_user_id)
        if detail.decided_by_slack_user_id
        else ""
    )
    when = _when(detail.decided_at, tz)
    if detail.state is ReviewState.APPROVED:
        text = f"{texts.DONE_MARK} {who} さんが {when} に承認しました。リードは担当者のリストから外れます。"
        if detail.reapproach_date:
            text += f"\n再アプローチ予定日: *{texts.jp_date(detail.reapproach_date)}*"
        return text
    if detail.state is ReviewState.RETURNED:
        status = ActionStatus(detail.returned_status).label
        text = (
            f"{texts.RETURNED_MARK} {who} さんが {when} に差し戻しました (ステータス → {status})。"
        )
        return text + "\n" + _quote(detail.return_reason or "", RETURN_REASON_MAX)
    if detail.state is ReviewState.WITHDRAWN:
        rep = mrkdwn.user_mention(detail.rep_slack_user_id)
        return f"{texts.WITHDRAWN_MARK} {when} に取り下げられました: {rep} さんが新しい活動を記録しました。"
    return ""


def _actions(detail: ReviewDetail, reapproach_months: int) -> dict[str, Any]:
    """承認 / 差し戻し (value = review id), and for status 6 the re-approach checkbox."""
    value = str(detail.id)
    elements: list[dict[str, Any]] = [
        {
            "type": "button",
            "action_id": ids.REVIEW_APPROVE_BUTTON,
            "text": mrkdwn.plain(APPROVE),
            "style": "primary",
            "value": value,
        },
        {
            "type": "button",
            "action_id": ids.REVIEW_RETURN_BUTTON,
            "text": mrkdwn.plain(texts.RETURNED_LABEL),
            "value": value,
        },
    ]
    if detail.requested_status == ActionStatus.NO_ACTION_AFTER_CONNECT and reapproach_months > 0:
        option = {
            "text": mrkdwn.plain(
                REAPPROACH_OPTION.format(months=reapproach_months), mrkdwn.MAX_OPTION_TEXT
            ),
            "value": "reapproach",
        }
        elements.append(
            {
                "type": "checkboxes",
                "action_id": ids.REVIEW_REAPPROACH_CHECKBOX,
                "options": [option],
                "initial_options": [option],
            }
        )
    return {
        "type": "actions",
        "block_id": f"{ids.REVIEW_ACTIONS_BLOCK}:{detail.id}",
        "elements": elements,
    }


def review_actions_block_id(review_id: int) -> str:
    """Where the message's `state.values` hold review `review_id`'s checkbox."""
    return f"{ids.REVIEW_ACTIONS_BLOCK}:{review_id}"


def _fallback(detail: ReviewDetail) -> str:
    head = {
        ReviewState.PENDING: TITLE_REQUEST,
        ReviewState.APPROVED: "承認済み",
        ReviewState.RETURNED: "差し戻し済み",
        ReviewState.WITHDRAWN: "取り下げ",
    }[detail.state]
    return mrkdwn.truncate(
        f"{head}: {mrkdwn.escape(detail.company)} ({mrkdwn.escape(detail.rep_name)} さん、"
        f"{_status(detail.requested_status)})",
        mrkdwn.MAX_FALLBACK_TEXT,
    )


def build_review_message(
    detail: ReviewDetail,
    *,
    tz: dt.tzinfo,
    reapproach_months: int,
    mention: str | None = None,
) -> dict[str, Any]:
    """The manager's message for a review: the lead, what was done, the rep's reason, and
    承認 / 差し戻し while pending — or who decided what once decided (buttons gone).
    `mention` pings the deciding manager when the message goes to a shared channel."""
    head = f"*{TITLE_REQUEST}* — {_whose(detail)}"
    if mention and detail.pending:
        head = f"{mrkdwn.user_mention(mention)} {head}"
    blocks: list[dict[str, Any]] = [
        mrkdwn.section(head),
        mrkdwn.section(
            _lead_title(detail),
            fields=[
                {
                    "type": "mrkdwn",
                    "text": f"*役職レベル*\n{mrkdwn.escape(detail.role_level) or texts.EMPTY_FIELD}",
                },
                {
                    "type": "mrkdwn",
                    "text": f"*ソース*\n{mrkdwn.escape(detail.source) or texts.EMPTY_FIELD}",
                },
                {
                    "type": "mrkdwn",
                    "text": f"*CV日*\n{texts.jp_date(_local(detail.cv_at, tz).date())}",
                },
                {
                    "type": "mrkdwn",
                    "text": f"*判断*\n{_status(detail.requested_status)}"
                    f" (元: {_status(detail.previous_status)})",
                },
                {"type": "mrkdwn", "text": f"*活動*\n{_progress(detail)}"},
                {"type": "mrkdwn", "text": f"*最終接触*\n{_last_contact(detail, tz)}"},
            ],
        ),
        mrkdwn.section(_reason(detail, MEMO_PREVIEW)),
    ]
    if detail.pending:
        blocks.append(_actions(detail, reapproach_months))
    else:
        blocks.append(mrkdwn.section(_verdict(detail, tz)))
    return {"text": _fallback(detail), "blocks": blocks}


def build_review_list(
    listing: PendingReviews, *, tz: dt.tzinfo, reapproach_months: int
) -> dict[str, Any]:
    """`/isops reviews` (ephemeral): pending reviews oldest first, each with the buttons."""
    if not listing.items:
        return {
            "response_type": "ephemeral",
            "text": LIST_EMPTY,
            "blocks": [mrkdwn.section(LIST_EMPTY)],
        }
    header = LIST_HEADER.format(total=listing.total)
    blocks: list[dict[str, Any]] = [mrkdwn.section(header)]
    shown = listing.items[:MAX_LISTED]
    for detail in shown:
        summary = (
            f"{_lead_title(detail)} — {_whose(detail)}"
            f"\n{_status(detail.requested_status)} ・ {_progress(detail)}"
            f" ・ 依頼 {_when(detail.requested_at, tz)}\n{_reason(detail, LIST_MEMO_PREVIEW)}"
        )
        blocks += [
            mrkdwn.section(summary),
            _actions(detail, reapproach_months),
            {"type": "divider"},
        ]
    more = listing.total - len(shown)
    if more > 0:
        blocks.append(mrkdwn.context(LIST_MORE.format(more=more)))
    else:
        blocks.pop()  # no divider after the last one
    return {"response_type": "ephemeral", "text": header, "blocks": blocks}


def build_decision_receipt(detail: ReviewDetail, *, tz: dt.tzinfo) -> dict[str, Any]:
    """Ephemeral confirmation after deciding from the `/isops reviews` list."""
    text = f"{_lead_title(detail)}\n{_verdict(detail, tz)}"
    return {
        "response_type": "ephemeral",
        "replace_original": False,
        "text": _fallback(detail),
        "blocks": [mrkdwn.section(text)],
    }


def build_return_modal(detail: ReviewDetail, *, private_metadata: str) -> dict[str, Any]:
    """The 差し戻し modal: why the lead is worth chasing (required), and optionally a next
    action date and a priority."""
    priority_options = [
        {"text": mrkdwn.plain(p.label), "value": str(p.value)}
        for p in (Priority.FOCUS, Priority.NON_FOCUS)
    ]
    priority: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.REVIEW_RETURN_PRIORITY,
        "placeholder": mrkdwn.plain("変更しない"),
        "options": priority_options,
    }
    if detail.priority:
        priority["initial_option"] = priority_options[detail.priority - 1]
    whose = f"{mrkdwn.escape(detail.rep_name)} さんの判断"
    if not detail.requested_by_rep:
        whose = (
            f"{mrkdwn.escape(detail.requested_by_name)} さんの判断"
            f" (担当: {mrkdwn.escape(detail.rep_name)} さん)"
        )
    return {
        "type": "modal",
        "callback_id": ids.REVIEW_RETURN_VIEW,
        "private_metadata": private_metadata,
        "title": mrkdwn.plain(texts.RETURNED_LABEL, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "submit": mrkdwn.plain(RETURN_SUBMIT, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "close": mrkdwn.plain(texts.CANCEL, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "blocks": [
            mrkdwn.section(
                f"{_lead_title(detail)}\n{whose}: {_status(detail.requested_status)}"
                f" ・ {_progress(detail)}"
            ),
            mrkdwn.section(_reason(detail, LIST_MEMO_PREVIEW)),
            {
                "type": "input",
                "block_id": ids.REVIEW_RETURN_REASON,
                "label": mrkdwn.plain(REASON_LABEL),
                "element": {
                    "type": "plain_text_input",
                    "action_id": ids.REVIEW_RETURN_REASON,
                    "multiline": True,
                    "max_length": RETURN_REASON_MAX,
                    "placeholder": mrkdwn.plain(REASON_PLACEHOLDER),
                },
            },
            {
                "type": "input",
                "block_id": ids.REVIEW_RETURN_NEXT_DATE,
                "optional": True,
                "label": mrkdwn.plain(NEXT_DATE_LABEL),
                "element": {"type": "datepicker", "action_id": ids.REVIEW_RETURN_NEXT_DATE},
            },
            {
                "type": "input",
                "block_id": ids.REVIEW_RETURN_PRIORITY,
                "optional": True,
                "label": mrkdwn.plain(PRIORITY_LABEL),
                "element": priority,
            },
            mrkdwn.context(RETURN_HINT.format(status=ActionStatus(detail.returned_status).label)),
        ],
    }


def build_notice_modal(message: str) -> dict[str, Any]:
    """Replaces the return modal when the review can no longer be returned (and why)."""
    return {
        "type": "modal",
        "callback_id": ids.REVIEW_RETURN_VIEW,
        "title": mrkdwn.plain(texts.RETURNED_LABEL, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "close": mrkdwn.plain(texts.CLOSE, mrkdwn.MAX_PLAIN_TEXT_TITLE),
        "blocks": [mrkdwn.section(mrkdwn.escape(message))],
    }


def build_review_returned_dm(detail: ReviewDetail, *, tz: dt.tzinfo) -> dict[str, Any]:
    """The rep's (the lead owner's) DM on a return: the manager's reason (rule 3: why the
    lead is worth chasing), the lead's fields now, and a 記録 button (value = lead id)."""
    decider = detail.decided_by_slack_user_id
    who = f" — {mrkdwn.user_mention(decider)} さんより" if decider else ""
    by = (
        ""
        if detail.requested_by_rep
        else f" ({mrkdwn.user_mention(detail.requested_by_slack_user_id)} さん)"
    )
    next_date = texts.jp_date(detail.next_action_date) if detail.next_action_date else texts.NOT_SET
    return {
        "text": mrkdwn.truncate(
            f"{texts.RETURNED_MARK} 対応不要の判断が差し戻されました: {mrkdwn.escape(detail.company)}",
            mrkdwn.MAX_FALLBACK_TEXT,
        ),
        "blocks": [
            mrkdwn.section(
                f"{texts.RETURNED_MARK} *対応不要の判断が差し戻されました*{who}"
                f"\n{_lead_title(detail)}"
            ),
            mrkdwn.section(
                "*なぜ追うのか*\n" + _quote(detail.return_reason or "", RETURN_REASON_MAX)
            ),
            mrkdwn.section(
                "*4項目*",
                fields=[
                    {
                        "type": "mrkdwn",
                        "text": f"*{texts.STATUS_FIELD}*"
                        f"\n{ActionStatus(detail.requested_status).label}"
                        f" → {ActionStatus(detail.returned_status).label}",
                    },
                    {
                        "type": "mrkdwn",
                        "text": f"*{texts.NEXT_ACTION_DATE_FIELD}*\n{next_date}",
                    },
                    {
                        "type": "mrkdwn",
                        "text": f"*{texts.PRIORITY_FIELD}*\n{_priority(detail.priority)}",
                    },
                    {"type": "mrkdwn", "text": f"*活動*\n{_progress(detail)}"},
                ],
            ),
            {
                "type": "actions",
                "elements": [
                    build_log_button(detail.lead_id, text=texts.LOG_BUTTON, style="primary")
                ],
            },
            mrkdwn.context(
                f"依頼 {_when(detail.requested_at, tz)} の判断{by}: {mrkdwn.escape(detail.reason_code)}"
            ),
        ],
    }
