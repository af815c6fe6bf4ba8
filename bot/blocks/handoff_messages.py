"""Hand-off to FS (issue 12): the FS's hand-off DM, the verdict request, the rep's DM. Pure
builders from `isops.services.handoff_details.HandoffDetail`; user text is escaped.

Times are shown in the reader's zone (`tz`): the FS's for the FS's messages, the rep's for
the rep's DM."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import ARROW, benefit_text, detail_button
from bot.blocks.log_button import build_log_button
from bot.texts import jp_date
from isops.enums import ActionStatus, HandoffVerdict, MeetingMode
from isops.services.handoff_cases import UsedCase
from isops.services.handoff_details import HandoffDetail
from isops.services.handoff_schedule import MAX_REQUESTS

Block = dict[str, Any]

MODE_ICONS = {MeetingMode.ONLINE: texts.ONLINE_MARK, MeetingMode.VISIT: texts.VISIT_MARK}
VERDICT_ICONS = {
    HandoffVerdict.VALID: texts.DONE_MARK,
    HandoffVerdict.INVALID: texts.INVALID_MARK,
    HandoffVerdict.RETURNED: texts.RETURNED_MARK,
}
ACK = "受け取りました"
VALID = f"{texts.DONE_MARK} 有効商談"
INVALID = f"{texts.INVALID_MARK} 有効商談ではない"
RESCHEDULE = f"{texts.NEXT_ACTION_MARK} 日程変更"
RETURN = f"{texts.RETURNED_MARK} IS に戻す"
NONE = "—"
NOTE_CHARS = 1000  # each part of the note (the most a rep can type)
COMPANY_CHARS = 80
SHORT_NOTE = 120
CASE_TITLE_CHARS = 100
USED_CASE = "使った事例"


# -- small formats ---------------------------------------------------------------------------------


def when(moment: dt.datetime, tz: dt.tzinfo) -> str:
    """`12/1(火) 14:00` in `tz`."""
    local = moment.astimezone(tz)
    return texts.jp_moment(local)


def meeting_line(detail: HandoffDetail, tz: dt.tzinfo) -> str:
    """`📅 *12/1(火) 14:00* ・ 💻 オンライン`."""
    mode = detail.meeting_mode
    return (
        f"{texts.MEETING_MARK} *{when(detail.meeting_at, tz)}* ・ {MODE_ICONS[mode]} {mode.label}"
    )


def lead_title(detail: HandoffDetail) -> str:
    """`*株式会社A*　山田 太郎 様 (部長)` (escaped)."""
    title = f"*{mrkdwn.escape(mrkdwn.truncate(detail.company, COMPANY_CHARS))}*"
    if detail.contact_name:
        title += f"　{mrkdwn.escape(detail.contact_name)} 様"
        if detail.title:
            title += f" ({mrkdwn.escape(detail.title)})"
    return title


def touches(detail: HandoffDetail) -> str:
    return f"{texts.CALL_MARK} {detail.calls} ・ {texts.MAIL_MARK} {detail.mails}"


def used_case_line(case: UsedCase) -> str:
    """`💡 *使った事例*: 製造業の営業部が受注率を上げた — 受注率が低い → *受注率の向上* 18%→24%`
    (escaped): which story the rep told, so the FS can pick it up."""
    title = mrkdwn.escape(mrkdwn.truncate(case.title, CASE_TITLE_CHARS))
    line = f"{texts.CASE_HINT_MARK} *{USED_CASE}*: {title}"
    if case.problem or case.benefit or case.figures:
        story = mrkdwn.escape(case.problem) if case.problem else ""
        if case.benefit or case.figures:
            story += (ARROW if story else "") + benefit_text(case.benefit, case.figures)
        line += f" — {story}"
    return mrkdwn.truncate(line, mrkdwn.MAX_SECTION_TEXT)


def _quote(text: str, limit: int = NOTE_CHARS, room: int = mrkdwn.MAX_SECTION_TEXT - 100) -> str:
    """User text as an escaped mrkdwn quote of at most `limit` typed characters, cut before
    escaping (no entity split) so that it also fits in `room` once escaped and quoted."""
    raw = mrkdwn.truncate(text.strip(), limit)
    while True:
        quoted = "\n".join(f"> {line}" for line in (mrkdwn.escape(raw).splitlines() or [""]))
        if len(quoted) <= room or len(raw) <= 1:
            return quoted
        raw = mrkdwn.truncate(raw, max(1, len(raw) * room // len(quoted) - 1))


def verdict_text(detail: HandoffDetail, tz: dt.tzinfo) -> str:
    """`✅ *有効商談* — <@F> さん 12/1(火) 17:00` (+ reason, comment, an admin's change)."""
    verdict = detail.verdict
    if verdict is None:
        return ""
    label = verdict.label
    if verdict is HandoffVerdict.INVALID and detail.invalid_reason:
        label += f" ({mrkdwn.escape(detail.invalid_reason)})"
    head = f"{VERDICT_ICONS[verdict]} *{label}*"
    if detail.changed_by and detail.changed_at:  # an admin's change: theirs, not the FS's
        text = (
            f"{head} — {mrkdwn.user_mention(detail.changed_by.slack_user_id)} さん (管理者) が"
            f" {when(detail.changed_at, tz)} に評価を変更しました"
        )
    elif detail.decided_by and detail.decided_at:
        who = mrkdwn.user_mention(detail.decided_by.slack_user_id)
        text = f"{head} — {who} さん {when(detail.decided_at, tz)}"
    else:
        text = head
    if detail.comment:
        text += "\n" + _quote(detail.comment, 500)
    return mrkdwn.truncate(text, mrkdwn.MAX_SECTION_TEXT)


def _button(action_id: str, text: str, value: str, style: str | None = None) -> dict[str, Any]:
    button: dict[str, Any] = {
        "type": "button",
        "action_id": action_id,
        "text": mrkdwn.plain(text, 75),
        "value": value,
    }
    if style:
        button["style"] = style
    return button


def verdict_buttons(detail: HandoffDetail, *, change: bool = False) -> Block:
    """✅ / ❌ / 📅 / ↩️ for one hand-off (value = its id; `:change` for an admin changing a
    verdict: no 📅, and no ✅ to what already is 有効商談). Who may click is decided from the
    database, not from here."""
    value = f"{detail.id}:change" if change else str(detail.id)
    elements: list[dict[str, Any]] = []
    if not (change and detail.verdict is HandoffVerdict.VALID):  # no change to the same
        elements.append(_button(ids.HANDOFF_VALID_BUTTON, VALID, value, "primary"))
    elements.append(_button(ids.HANDOFF_INVALID_BUTTON, INVALID, value))
    if not change:
        elements.append(_button(ids.HANDOFF_RESCHEDULE_BUTTON, RESCHEDULE, value))
    elements.append(_button(ids.HANDOFF_RETURN_BUTTON, RETURN, value))
    return {
        "type": "actions",
        "block_id": f"{ids.HANDOFF_ACTIONS_BLOCK}:{detail.id}",
        "elements": elements,
    }


def _lead_card(detail: HandoffDetail, tz: dt.tzinfo) -> Block:
    def field(label: str, value: str | None) -> dict[str, str]:
        return {"type": "mrkdwn", "text": f"*{label}*\n{mrkdwn.escape(value) if value else NONE}"}

    return {
        "type": "section",
        "fields": [
            field("役職レベル", detail.role_level),
            field("業種", detail.industry),
            field("流入元", detail.source),
            {"type": "mrkdwn", "text": f"*CV日*\n{jp_date(detail.cv_at.astimezone(tz).date())}"},
            {"type": "mrkdwn", "text": f"*これまでの接触*\n{touches(detail)}"},
            {
                "type": "mrkdwn",
                "text": f"*担当 (IS)*\n{mrkdwn.user_mention(detail.rep.slack_user_id)}",
            },
        ],
    }


# -- the FS's hand-off DM ------------------------------------------------------------------------------


def build_handoff_dm(detail: HandoffDetail, *, tz: dt.tzinfo) -> dict[str, Any]:
    """The FS's DM: the lead card, the meeting, the hand-off note and 受け取りました (with
    📅 日程変更 while undecided); once acknowledged or decided, it says so in place."""
    blocks: list[Block] = [
        mrkdwn.section(
            f"{texts.HANDOFF_MARK} *商談の引き継ぎ* — {mrkdwn.user_mention(detail.rep.slack_user_id)} さんから"
        ),
        mrkdwn.section(f"{lead_title(detail)}\n{meeting_line(detail, tz)}"),
        _lead_card(detail, tz),
        {"type": "divider"},
    ]
    for label, text in detail.notes():
        blocks.append(mrkdwn.section(f"*{label}*\n{_quote(text)}"))
    if detail.case is not None:
        blocks.append(
            mrkdwn.section(used_case_line(detail.case), accessory=detail_button(detail.case.id))
        )
    blocks.extend(_fs_state_blocks(detail, tz))
    fallback = (
        f"{texts.HANDOFF_MARK} 商談の引き継ぎ: {mrkdwn.escape(detail.company)}"
        f"{' ' + mrkdwn.escape(detail.contact_name) + ' 様' if detail.contact_name else ''}"
        f" {when(detail.meeting_at, tz)}"
    )
    return {"text": mrkdwn.truncate(fallback, mrkdwn.MAX_FALLBACK_TEXT), "blocks": blocks}


def _fs_state_blocks(detail: HandoffDetail, tz: dt.tzinfo) -> list[Block]:
    if detail.decided:
        return [mrkdwn.section(verdict_text(detail, tz))]
    blocks: list[Block] = []
    elements: list[dict[str, Any]] = []
    if detail.acknowledged_at is None:
        elements.append(_button(ids.HANDOFF_ACK_BUTTON, ACK, str(detail.id), "primary"))
    elements.append(_button(ids.HANDOFF_RESCHEDULE_BUTTON, RESCHEDULE, str(detail.id)))
    if detail.acknowledged_at is not None:
        blocks.append(
            mrkdwn.section(f"{texts.DONE_MARK} {when(detail.acknowledged_at, tz)} に受け取りました")
        )
    blocks.append(
        {
            "type": "actions",
            "block_id": f"{ids.HANDOFF_ACTIONS_BLOCK}:{detail.id}",
            "elements": elements,
        }
    )
    blocks.append(
        mrkdwn.context(
            f"商談のあと ({when(detail.verdict_due_at, tz)} ごろ) に、有効商談だったかの評価を"
            "お願いする DM が届きます"
        )
    )
    return blocks


# -- the verdict request -------------------------------------------------------------------------------


def build_verdict_request(
    detail: HandoffDetail, *, number: int, version: int, tz: dt.tzinfo
) -> dict[str, Any]:
    """The FS's verdict request (`number` of 3) with ✅ / ❌ / 📅 / ↩️ — or, when it is out of
    date (decided, or the meeting moved since `version`), what happened instead, no buttons."""
    repeat = f" ({number}/{MAX_REQUESTS} 回目)" if number > 1 else ""
    head = mrkdwn.section(f"{texts.FS_UNRATED_MARK} *商談の評価をお願いします*{repeat}")
    lead = mrkdwn.section(
        f"{lead_title(detail)}\n{meeting_line(detail, tz)}"
        f" ・ 担当 {mrkdwn.user_mention(detail.rep.slack_user_id)} さん"
    )
    problem = mrkdwn.context(
        f"課題: {mrkdwn.escape(mrkdwn.truncate(' '.join(detail.problem.split()), SHORT_NOTE))}"
    )
    blocks: list[Block] = [head, lead, problem]
    if detail.decided:
        blocks.append(mrkdwn.section(verdict_text(detail, tz)))
    elif version != detail.version:
        blocks.append(
            mrkdwn.section(
                f"{texts.NEXT_ACTION_MARK} 日程が *{when(detail.meeting_at, tz)}* に変更されました。"
                "その商談のあとに、あらためて評価をお願いします"
            )
        )
    else:
        blocks.append(verdict_buttons(detail))
        blocks.append(
            mrkdwn.context(
                f"有効商談: 課題と検討の意思があり、提案を進められる商談。{texts.DONE_MARK} は押すとすぐ記録されます"
            )
        )
    fallback = (
        f"{texts.FS_UNRATED_MARK} 商談の評価をお願いします: "
        f"{mrkdwn.escape(detail.company)} {when(detail.meeting_at, tz)}"
    )
    return {"text": mrkdwn.truncate(fallback, mrkdwn.MAX_FALLBACK_TEXT), "blocks": blocks}


# -- the rep's DM ------------------------------------------------------------------------------------


def build_rep_notice(
    detail: HandoffDetail, payload: dict[str, Any], *, tz: dt.tzinfo
) -> dict[str, Any] | None:
    """The rep's DM for one event of the hand-off (`payload["event"]`): acknowledged,
    rescheduled, decided or changed. None for an event it does not know."""
    event = payload.get("event")
    # Who acted: the FS, or an admin on the FS's behalf.
    fs = mrkdwn.user_mention(str(payload.get("by_slack_user_id") or detail.fs.slack_user_id))
    lead = f"{lead_title(detail)}\n{meeting_line(detail, tz)}"
    blocks: list[Block]
    if event == "acknowledged":
        text = f"{texts.SENT_TO_MARK} {fs} さんが引き継ぎを受け取りました"
        blocks = [mrkdwn.section(f"{text}\n{lead}")]
    elif event == "rescheduled":
        previous = dt.datetime.fromisoformat(str(payload["previous_meeting_at"]))
        text = f"{texts.NEXT_ACTION_MARK} 商談の日程が変更されました ({fs} さん)"
        blocks = [
            mrkdwn.section(
                f"{text}\n{lead_title(detail)}\n~{when(previous, tz)}~ → {meeting_line(detail, tz)}"
            )
        ]
    elif event in ("decided", "changed"):
        return _verdict_notice(detail, payload, tz)
    else:
        return None
    return {
        "text": mrkdwn.truncate(
            f"{text}: {mrkdwn.escape(detail.company)}", mrkdwn.MAX_FALLBACK_TEXT
        ),
        "blocks": blocks,
    }


def _verdict_notice(
    detail: HandoffDetail, payload: dict[str, Any], tz: dt.tzinfo
) -> dict[str, Any]:
    verdict = HandoffVerdict(str(payload["verdict"]))
    by = mrkdwn.escape(str(payload.get("by") or ""))
    by_mention = (
        mrkdwn.user_mention(str(payload["by_slack_user_id"]))
        if payload.get("by_slack_user_id")
        else by
    )
    head = {
        HandoffVerdict.VALID: f"{texts.DONE_MARK} *有効商談* と評価されました",
        HandoffVerdict.INVALID: f"{texts.INVALID_MARK} *有効商談ではない* と評価されました",
        HandoffVerdict.RETURNED: f"{texts.RETURNED_MARK} *リードが IS に戻されました*",
    }[verdict]
    if payload.get("event") == "changed" and payload.get("previous"):
        previous = HandoffVerdict(str(payload["previous"])).label
        head = f"{texts.EDIT_MARK} 評価が変更されました ({previous} → {verdict.label})"
    blocks: list[Block] = [mrkdwn.section(f"{head} — {by_mention} さんより\n{lead_title(detail)}")]
    facts = [f"商談 {when(detail.meeting_at, tz)}"]
    if verdict is HandoffVerdict.INVALID and payload.get("reason"):
        facts.insert(0, f"*理由*: {mrkdwn.escape(str(payload['reason']))}")
    comment = str(payload.get("comment") or "")
    text = " ・ ".join(facts)
    if comment:
        label = (
            "*FS からのコメント*" if verdict is not HandoffVerdict.RETURNED else "*IS に戻す理由*"
        )
        text += f"\n{label}\n{_quote(comment, 1000)}"
    blocks.append(mrkdwn.section(mrkdwn.truncate(text, mrkdwn.MAX_SECTION_TEXT)))
    if verdict is HandoffVerdict.RETURNED:
        next_date = payload.get("next_action_date")
        day = jp_date(dt.date.fromisoformat(str(next_date))) if next_date else "未設定"
        status = ActionStatus.CONNECTED.label
        blocks.append(
            mrkdwn.section(
                f"ステータス *{status}* ・ 次回活動予定日 *{day}* で、あなたのリストに戻りました"
            )
        )
        blocks.append(
            {
                "type": "actions",
                "elements": [
                    build_log_button(detail.lead_id, text=f"{texts.LOG_MARK} 記録", style="primary")
                ],
            }
        )
    fallback = f"{VERDICT_ICONS[verdict]} {verdict.label}: {mrkdwn.escape(detail.company)}"
    return {"text": mrkdwn.truncate(fallback, mrkdwn.MAX_FALLBACK_TEXT), "blocks": blocks}
