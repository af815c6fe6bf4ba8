"""The morning DM builders as plain data: order, limits, escaping, the overdue group."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from bot.blocks.mrkdwn import MAX_MESSAGE_BLOCKS
from bot.blocks.reminders import (
    build_morning_dm,
    build_reschedule_result,
    build_section_list,
    build_today,
    render_text,
    section_key,
)
from bot.ids import LOG_LEAD_BUTTON, RESCHEDULE_OVERDUE_BUTTON
from isops.rules import Targets, five_c2m
from isops.services.reminders import (
    AwayRep,
    LeadLine,
    LeadList,
    ManagerDigest,
    MorningDigest,
    PendingReviewSummary,
    RepDigest,
    RepOverdue,
    ReturnedDecision,
    TeamFigures,
)
from isops.services.reschedule import RescheduleResult
from tests.fake_slack.blockkit_limits import message_problems

TODAY = dt.date(2026, 11, 27)
T = Targets()


def line(lead_id: int, company: str = "", **kw: Any) -> LeadLine:
    values: dict[str, Any] = {
        "lead_id": lead_id,
        "company": company or f"株式会社テスト{lead_id}",
        "contact_name": "担当者",
        "source": None,
        "status": 2,
        "cv_at": dt.datetime(2026, 11, 20, tzinfo=dt.UTC),
        "days_since_cv": 7,
        "next_action_date": None,
        "progress": five_c2m(2, 0, T),
        "early_actions": 2,
        "early_target": 5,
        "in_early_window": False,
        "inbound_deadline": None,
    }
    values.update(kw)
    return LeadLine(**values)


def many(start: int, shown: int, total: int, **kw: Any) -> LeadList:
    return LeadList(tuple(line(start + i, **kw) for i in range(shown)), total)


def returned(lead_id: int, reason: str = "課長宛てに送りましょう") -> ReturnedDecision:
    return ReturnedDecision(
        review_id=lead_id,
        lead_id=lead_id,
        company=f"株式会社差戻{lead_id}",
        contact_name=None,
        requested_status=4,
        reason_code="対象外",
        return_reason=reason,
        returned_by="山田",
        returned_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
    )


def digest(rep: RepDigest, manager: ManagerDigest | None = None) -> MorningDigest:
    return MorningDigest(1, "U1", "佐藤", TODAY, rep, manager)


def texts(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def buttons(message: dict[str, Any], action_id: str) -> list[dict[str, Any]]:
    return [
        b["accessory"]
        for b in message["blocks"]
        if b.get("accessory", {}).get("action_id") == action_id
    ]


def test_sections_in_order_each_lead_with_a_log_button() -> None:
    rep = RepDigest(
        inbound=LeadList((line(1, inbound_deadline=TODAY - dt.timedelta(days=1)),), 1),
        focus_due=LeadList((line(2, next_action_date=TODAY),), 1),
        five_c2m=LeadList((line(3),), 1),
        returned=(returned(4),),
        hygiene=LeadList((line(5, status=3),), 1),
    )
    message = build_morning_dm(digest(rep))
    assert message_problems(message) == []
    body = texts(message)
    headings = ["🔥", "📅", "🔁", "↩️", "🧹"]
    assert [body.index(h) for h in headings] == sorted(body.index(h) for h in headings)
    assert [b["value"] for b in buttons(message, LOG_LEAD_BUTTON)] == ["1", "2", "3", "4", "5"]
    assert "期限超過" in body and "📞2/5 ✉️0/2" in body and "次は ✉️ メール" in body
    assert "課長宛てに送りましょう" in body and "山田 さん" in body
    assert "🔥 インバウンド 1 件" in message["text"]


def test_empty_sections_are_left_out() -> None:
    message = build_morning_dm(digest(RepDigest(five_c2m=LeadList((line(3),), 1))))
    body = texts(message)
    assert "🔁" in body
    for absent in ("🔥", "📅", "↩️", "🧹", "👥"):
        assert absent not in body


def test_long_lists_stay_within_slack_limits_with_the_rest_counted() -> None:
    long_text = "長い会社名" * 200
    rep = RepDigest(
        inbound=many(100, 10, 120, company=long_text, inbound_deadline=TODAY),
        focus_due=many(200, 10, 80, next_action_date=TODAY),
        overdue=many(300, 10, 23, next_action_date=TODAY - dt.timedelta(days=9)),
        five_c2m=many(400, 10, 500, in_early_window=True),
        returned=tuple(returned(500 + i, reason="理由" * 3000) for i in range(10)),
        hygiene=many(600, 10, 40),
        awaiting_review=3,
    )
    away = tuple(
        AwayRep(
            name=f"担当{i}",
            slack_user_id=f"UA{i}",
            until=TODAY + dt.timedelta(days=3),
            inbound=many(700 + 10 * i, 5, 30, company=long_text),
        )
        for i in range(8)
    )
    manager = ManagerDigest(
        team_size=12,
        pending=PendingReviewSummary(
            4, "株式会社古い", "鈴木", dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
        ),
        figures=TeamFigures(
            TODAY - dt.timedelta(days=1), 3, 4, 1, 5, (RepOverdue("佐藤", "U1", 12),)
        ),
        away=away,
    )
    message = build_morning_dm(digest(rep, manager))
    assert message_problems(message) == []
    assert len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
    body = texts(message)
    assert "他 " in body and "/isops today 5c2m" in body
    assert "期限切れ 23 件" in body
    assert "承認待ち 4 件" in body and "3/4" in body and "佐藤 12 件" in body
    assert len(message["text"]) <= 3000
    # The most urgent section keeps the most lines.
    shown_inbound = [b for b in buttons(message, LOG_LEAD_BUTTON) if 100 <= int(b["value"]) < 200]
    shown_hygiene = [b for b in buttons(message, LOG_LEAD_BUTTON) if 600 <= int(b["value"]) < 700]
    assert len(shown_inbound) >= len(shown_hygiene) >= 1


def test_overdue_pile_is_one_line_with_the_spread_button() -> None:
    pile = many(1, 10, 23, next_action_date=TODAY - dt.timedelta(days=12))
    message = build_morning_dm(digest(RepDigest(overdue=pile)))
    (button,) = buttons(message, RESCHEDULE_OVERDUE_BUTTON)
    assert button["confirm"]["text"]["text"].startswith("期限切れ 23 件")
    assert buttons(message, LOG_LEAD_BUTTON) == []  # no wall of stale reminders
    assert "12 日超過" in texts(message)

    few = many(1, 3, 3, next_action_date=TODAY - dt.timedelta(days=2))
    message = build_morning_dm(digest(RepDigest(overdue=few)))
    assert buttons(message, RESCHEDULE_OVERDUE_BUTTON) == []
    assert len(buttons(message, LOG_LEAD_BUTTON)) == 3
    assert "2 日超過" in texts(message)


def test_user_text_is_escaped() -> None:
    rep = RepDigest(
        five_c2m=LeadList((line(1, company="<!channel> & <https://evil|click>"),), 1),
        focus_due=LeadList((line(3, company="ACME *bold* _it_"),), 1),
        returned=(returned(2, reason="<@U999> を呼んで"),),
    )
    message = build_morning_dm(digest(rep))
    body = texts(message)
    assert "<!channel>" not in body and "<@U999>" not in body
    assert "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" in body
    assert "*bold*" not in body and "_it_" not in body
    assert "ACME \u2217bold\u2217 \u02cdit\u02cd" in body
    # The plain-text form shows what the user typed.
    assert "<!channel> & <https://evil|click>" in render_text(message)
    assert "ACME *bold* _it_" in render_text(message)


def test_today_and_section_lists() -> None:
    empty = build_today(digest(RepDigest(awaiting_review=2)))
    assert empty["response_type"] == "ephemeral"
    assert "今日のやることはありません" in texts(empty) and "承認待ち 2 件" in texts(empty)

    everything = RepDigest(five_c2m=many(1, 2000, 2000, company="株式会社" + "長" * 60))
    listing = build_section_list(digest(everything), "5c2m")
    assert message_problems(listing) == []
    assert len(listing["blocks"]) <= MAX_MESSAGE_BLOCKS
    body = texts(listing)
    assert body.count("(#") > 100  # far more than the DM's ten, as compact lines
    assert "他 " in body  # and what still does not fit is counted
    assert section_key("5C2M") == "5c2m" and section_key("注力") == "focus"
    assert section_key("なにか") is None


def test_reschedule_answer() -> None:
    moved = build_reschedule_result(
        RescheduleResult(moved=12, per_day=5, first_date=TODAY, last_date=dt.date(2026, 12, 1))
    )
    assert moved["replace_original"] is False
    assert "12 件" in moved["text"] and "11/27(金)〜12/1(火)" in moved["text"]
    nothing = build_reschedule_result(RescheduleResult(moved=0, per_day=5))
    assert "ありません" in nothing["text"]
