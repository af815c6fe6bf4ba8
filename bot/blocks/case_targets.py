"""`/isops targets`: a case picked, the rep's open leads that fit it, each with 注力にする
(article ②). The same message is what a manager sends a rep by DM. Within 50 blocks."""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot import ids, texts
from bot.blocks import mrkdwn
from bot.blocks.case_card import audience, chain_line, detail_button, size_label
from bot.blocks.log_button import build_log_button
from bot.texts import jp_date
from isops.enums import ActionStatus, Priority
from isops.services.cases_targets import CaseOption, TargetLead, TargetsView

TITLE = f"{texts.TARGETS_MARK} *事例からターゲットリスト*"
INTRO = (
    "事例を選ぶと、その *業種 × 役職 × 規模* に合う対応中のリードのうち"
    " 未注力か未アプローチのものを、CV の新しい順に表示します。"
)
NO_CASES = (
    "まだ事例がありません。`/case add` で事例を登録すると、ここでターゲットリストを作れます。"
)
FOCUS = "注力にする"
SEND = texts.SENT_TO_MARK + " {name} さんに送る"
NOTHING = "{name} さんのリードに、この事例に合うものはありません (業種・役職区分・企業規模が未登録のリードは対象外です)。"
COMPANY_CHARS = 60


def _option(text: str, value: str) -> dict[str, Any]:
    return {"text": mrkdwn.plain(text, mrkdwn.MAX_OPTION_TEXT), "value": value}


def case_option_text(case: CaseOption) -> str:
    who = [case.industry]
    if case.role_level:
        who.append(case.role_level.value)
    if case.company_size:
        who.append(case.company_size.label)
    return mrkdwn.truncate(f"{case.title} ({'・'.join(who)})", mrkdwn.MAX_OPTION_TEXT)


def _choices(view: TargetsView) -> dict[str, Any]:
    case_id = view.case.id if view.case else 0
    cases = [_option(case_option_text(c), f"{c.id}:{view.rep.id}") for c in view.cases]
    pick: dict[str, Any] = {
        "type": "static_select",
        "action_id": ids.CASE_TARGETS_PICK,
        "placeholder": mrkdwn.plain("事例を選ぶ"),
        "options": cases,
    }
    chosen = next((o for o in cases if o["value"] == f"{case_id}:{view.rep.id}"), None)
    if chosen is not None:
        pick["initial_option"] = chosen
    elements: list[dict[str, Any]] = [pick]
    if len(view.reps) > 1:
        reps = [_option(f"{r.name} さんのリード", f"{case_id}:{r.id}") for r in view.reps]
        elements.append(
            {
                "type": "static_select",
                "action_id": ids.CASE_TARGETS_REP,
                "placeholder": mrkdwn.plain("担当者"),
                "options": reps,
                "initial_option": next(
                    (o for o in reps if o["value"] == f"{case_id}:{view.rep.id}"), reps[0]
                ),
            }
        )
    return {"type": "actions", "elements": elements}


def lead_text(lead: TargetLead, *, tz: dt.tzinfo) -> str:
    """`*株式会社A* 山田 様 · 部長 · CV 11/20(金) · 未対応 · 📥 未アプローチ`."""
    name = f"*{mrkdwn.escape(mrkdwn.truncate(lead.company, COMPANY_CHARS))}*"
    if lead.contact_name:
        name += f" {mrkdwn.escape(lead.contact_name)} 様"
    parts = [name]
    if lead.title:
        parts.append(mrkdwn.escape(lead.title))
    parts.append(f"CV {jp_date(lead.cv_at.astimezone(tz).date())}")
    # 未対応 and 未アプローチ say the same of an untouched lead: one of them.
    parts.append(
        f"{texts.INBOUND_MARK} 未アプローチ"
        if not lead.approached
        else ActionStatus(lead.status).label
    )
    if lead.priority == Priority.FOCUS:
        parts.append(
            "⭐ 注力"
            + (f" (次回 {jp_date(lead.next_action_date)})" if lead.next_action_date else "")
        )
    return mrkdwn.truncate(" · ".join(parts), mrkdwn.MAX_SECTION_TEXT)


def _focus_button(view: TargetsView, lead: TargetLead) -> dict[str, Any]:
    assert view.case is not None
    return {
        "type": "button",
        "action_id": ids.CASE_TARGETS_FOCUS,
        "text": mrkdwn.plain(FOCUS),
        "style": "primary",
        "value": f"{view.case.id}:{lead.id}:{view.rep.id}",
    }


def build_targets_message(
    view: TargetsView, *, tz: dt.tzinfo, sent_by: str | None = None
) -> dict[str, Any]:
    """The list (ephemeral for `/isops targets`; a DM when `sent_by` names the manager)."""
    blocks: list[dict[str, Any]] = []
    if view.notice:
        blocks.append(mrkdwn.section(mrkdwn.escape(view.notice)))
    if sent_by and view.case is not None:
        blocks.append(
            mrkdwn.section(
                f"{texts.SENT_TO_MARK} *{mrkdwn.escape(sent_by)} さんから、"
                f"事例「{mrkdwn.escape(view.case.title)}」のターゲットリストが届きました*"
            )
        )
    elif view.case is None:
        blocks.append(mrkdwn.section(f"{TITLE}\n{INTRO}"))
    else:
        blocks.append(mrkdwn.section(TITLE))
    if not view.cases:
        blocks.append(mrkdwn.context(NO_CASES))
        return {"response_type": "ephemeral", "text": NO_CASES, "blocks": blocks}
    blocks.append(_choices(view))
    text = f"事例からターゲットリスト ({view.rep.name} さん)"
    case = view.case
    if case is not None:
        story = [
            f"*{mrkdwn.escape(case.title)}*",
            f"{audience(case.industry, case.role_level)} · {size_label(case.company_size)}",
        ]
        story += [chain_line(chain, index) for index, chain in enumerate(case.chains[:2])]
        blocks.append(mrkdwn.section("\n".join(story), accessory=detail_button(case.id)))
        blocks.append({"type": "divider"})
        if view.total:
            header = f"*{mrkdwn.escape(view.rep.name)} さんのリード: {view.total} 件*"
            blocks.append(mrkdwn.section(header))
        else:
            blocks.append(mrkdwn.context(NOTHING.format(name=mrkdwn.escape(view.rep.name))))
        for lead in view.leads:
            accessory = (
                build_log_button(lead.id)
                if lead.priority == Priority.FOCUS
                else _focus_button(view, lead)
            )
            blocks.append(mrkdwn.section(lead_text(lead, tz=tz), accessory=accessory))
        hidden = view.total - len(view.leads)
        if hidden > 0:
            blocks.append(mrkdwn.context(f"他 {hidden} 件 (CV の古いリード)"))
        if view.may_send and view.total:
            blocks.append(
                {
                    "type": "actions",
                    "elements": [
                        {
                            "type": "button",
                            "action_id": ids.CASE_TARGETS_SEND,
                            "text": mrkdwn.plain(
                                SEND.format(name=view.rep.name), mrkdwn.MAX_OPTION_TEXT
                            ),
                            "value": f"{case.id}:{view.rep.id}",
                        }
                    ],
                }
            )
        text = (
            f"事例「{case.title}」のターゲットリスト: {view.rep.name} さんのリード {view.total} 件"
        )
    return {"response_type": "ephemeral", "text": mrkdwn.truncate(text, 3000), "blocks": blocks}
