"""The rep's lists as plain data: the morning DM that fits a phone, `/isops today` and Home's
list, the list modal, the DM's progress in place; order, limits, escaping, links."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
import time_machine

from bot.blocks.lead_lines import dial_number, email_link, phone_link
from bot.blocks.lead_list import build_lead_list, listed_lead_ids
from bot.blocks.morning_dm import (
    FIRST_ITEMS,
    build_morning_dm,
    build_morning_progress,
    first_lead_ids,
)
from bot.blocks.mrkdwn import MAX_MESSAGE_BLOCKS
from bot.blocks.plain_text import render_text
from bot.blocks.today_list import (
    build_list_modal,
    build_reschedule_result,
    build_section_list,
    build_today,
    section_key,
)
from bot.ids import LIST_OPEN_BUTTON, QUICK_LOG_MENU, RESCHEDULE_OVERDUE_BUTTON, UNDO_BUTTON
from isops.enums import Channel, Outcome, RoleLevel
from isops.rules import Targets, five_c2m
from isops.services.cases_matching import CaseMatch
from isops.services.morning_progress import DoneTouch, MorningProgress
from isops.services.reminders import (
    AwayRep,
    LastTouch,
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
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TODAY = dt.date(2026, 11, 27)
T = Targets()
TOKYO = dt.timezone(dt.timedelta(hours=9))


@pytest.fixture(autouse=True)
def in_2026() -> Any:
    """Dates show their year only outside the current one: read them on the digest's day."""
    with time_machine.travel(dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC), tick=False):
        yield


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
        "phone": f"03-1234-{lead_id:04d}",
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
        phone="045-000-1111",
    )


def digest(rep: RepDigest, manager: ManagerDigest | None = None) -> MorningDigest:
    return MorningDigest(1, "U1", "佐藤", TODAY, rep, manager)


def rep_with_35_open_leads() -> RepDigest:
    """A rep's usual morning: 35 open leads, 33 of them listed, 2 waiting for the manager."""
    yesterday = TODAY - dt.timedelta(days=1)
    return RepDigest(
        inbound=LeadList(
            (
                line(1, source="資料請求", inbound_deadline=yesterday),
                line(2, source="問い合わせ", inbound_deadline=TODAY),
                line(3, source="資料請求", inbound_deadline=TODAY),
                line(4, source="資料請求", inbound_deadline=TODAY),
            ),
            4,
        ),
        overdue=many(10, 7, 7, next_action_date=TODAY - dt.timedelta(days=3)),
        focus_due=many(20, 3, 3, next_action_date=TODAY),
        five_c2m=LeadList(
            tuple(line(30 + i, in_early_window=i < 3, days_since_cv=i) for i in range(10)), 15
        ),
        returned=(returned(50),),
        hygiene=many(60, 3, 3),
        awaiting_review=2,
    )


def texts(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def the_block(payload: dict[str, Any], block_id: str) -> dict[str, Any]:
    """The one block of the payload with this id."""
    (found,) = [b for b in payload["blocks"] if b.get("block_id") == block_id]
    return dict(found)


def text_lines(payload: dict[str, Any], block_id: str) -> list[str]:
    """The lines of the text of the payload's block with this id."""
    return str(the_block(payload, block_id)["text"]["text"]).splitlines()


def accessories(blocks: list[dict[str, Any]], action_id: str) -> list[dict[str, Any]]:
    return [b["accessory"] for b in blocks if b.get("accessory", {}).get("action_id") == action_id]


def buttons_anywhere(message: dict[str, Any]) -> list[dict[str, Any]]:
    found = [b["accessory"] for b in message["blocks"] if "accessory" in b]
    found += [e for b in message["blocks"] for e in b.get("elements", []) if "action_id" in e]
    return [e for e in found if e.get("type") == "button"]


# -- the morning DM --------------------------------------------------------------------------------


def test_a_rep_with_35_open_leads_gets_a_dm_that_fits_a_phone() -> None:
    message = build_morning_dm(digest(rep_with_35_open_leads()))
    assert message_problems(message) == []
    assert len(message["blocks"]) <= 15
    assert [b for b in buttons_anywhere(message) if b.get("style") == "primary"] == []
    # 今日まず: overdue inbound, inbound due today, overdue focus — five items, each with
    # its phone as a tel: link and its menu.
    first = [b for b in message["blocks"] if str(b.get("block_id", "")).startswith("first:")]
    assert [b["block_id"] for b in first] == [
        "first:1",
        "first:2",
        "first:3",
        "first:4",
        "first:10",
    ]
    assert first_lead_ids(digest(rep_with_35_open_leads())) == (1, 2, 3, 4, 10)
    for block in first:
        lead_id = int(block["block_id"].split(":")[1])
        assert f"<tel:031234{lead_id:04d}|03-1234-{lead_id:04d}>" in block["text"]["text"]
        assert block["accessory"]["action_id"] == QUICK_LOG_MENU
    assert "⏰ *期限超過* 11/26(木)" in first[0]["text"]["text"]
    assert "⏰ *期限 今日*" in first[1]["text"]["text"]
    assert "3 日超過" in first[4]["text"]["text"]
    # Then one line per section with its count, and one button to the whole list.
    assert text_lines(message, "sections") == [
        "📥 インバウンド *4 件*",
        "📅 注力 *10 件* (期限超過 7 件)",
        "🔁 5C2M *15 件*",
        "↩️ 差し戻し *1 件*",
        "🧹 整備 *3 件*",
    ]
    assert the_block(message, "sections")["accessory"]["action_id"] == LIST_OPEN_BUTTON
    assert "承認待ち 2 件" in texts(message)
    assert "📥 インバウンド 4 件" in message["text"]


def test_first_items_go_from_inbound_to_focus_to_5c2m_behind_in_its_first_days() -> None:
    rep = RepDigest(
        focus_due=many(20, 1, 1, next_action_date=TODAY),
        five_c2m=LeadList(
            (line(30), line(31, in_early_window=True), line(32, in_early_window=True)), 3
        ),
    )
    assert first_lead_ids(digest(rep)) == (20, 31, 32)  # 30 is past its 7 days: not urgent
    item = the_block(build_morning_dm(digest(rep)), "first:31")
    assert "🔁 📞2/5 ✉️0/2 · 次は ✉️ · ⚡ 7日以内 2/5 (CV から 7 日)" in item["text"]["text"]
    assert len(first_lead_ids(digest(rep_with_35_open_leads()))) == FIRST_ITEMS


def test_a_lead_without_a_number_says_so_on_its_first_item() -> None:
    rep = RepDigest(inbound=LeadList((line(1, inbound_deadline=TODAY, phone=None),), 1))
    item = the_block(build_morning_dm(digest(rep)), "first:1")
    assert "📞 番号未登録" in item["text"]["text"]


def test_empty_sections_are_left_out() -> None:
    message = build_morning_dm(digest(RepDigest(five_c2m=LeadList((line(3),), 1))))
    body = texts(message)
    assert "🔁 5C2M *1 件*" in body
    for absent in ("📥", "📅", "↩️", "🧹", "👥", "今日まず"):
        assert absent not in body


def test_the_managers_part_stays_and_everything_fits() -> None:
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
    body = texts(message)
    assert "👥 チーム (12 名)" in body and "⏳ *対応不要の承認待ち 4 件*" in body
    assert "3/4" in body and "佐藤 12 件" in body and "休暇中" in body
    assert "📅 注力 *103 件* (期限超過 23 件)" in body
    assert len(first_lead_ids(digest(rep, manager))) == FIRST_ITEMS
    assert len(message["text"]) <= 3000


def test_user_text_is_escaped() -> None:
    rep = RepDigest(
        inbound=LeadList(
            (line(1, company="<!channel> & <https://evil|click>", inbound_deadline=TODAY),), 1
        ),
        focus_due=LeadList((line(3, company="ACME *bold* _it_", next_action_date=TODAY),), 1),
        returned=(returned(2, reason="<@U999> を呼んで"),),
    )
    for message in (build_morning_dm(digest(rep)), build_today(digest(rep))):
        body = texts(message)
        assert "<!channel>" not in body and "<@U999>" not in body
        assert "&lt;!channel&gt; &amp; &lt;https://evil|click&gt;" in body
        assert "*bold*" not in body and "_it_" not in body
        assert "ACME \u2217bold\u2217 \u02cdit\u02cd" in body
        # The plain-text form shows what the user typed.
        assert "<!channel> & <https://evil|click>" in render_text(message)
        assert "ACME *bold* _it_" in render_text(message)


# -- progress in place -----------------------------------------------------------------------------


def test_progress_marks_touched_items_and_counts_what_is_left() -> None:
    sent = build_morning_dm(digest(rep_with_35_open_leads()))
    first = first_lead_ids(digest(rep_with_35_open_leads()))
    at = dt.datetime(2026, 11, 27, 4, 28, tzinfo=dt.UTC)
    done = {
        2: DoneTouch(
            2,
            "株式会社テスト2",
            "担当者",
            Channel.CALL,
            Outcome.ABSENT,
            at,
            at.astimezone(TOKYO),
            77,
        ),
        3: DoneTouch(
            3, "株式会社テスト3", None, Channel.MAIL, Outcome.SENT, at, at.astimezone(TOKYO), None
        ),
    }
    progress = MorningProgress("U1", "D1", "1.2", sent, first, done)
    updated = build_morning_progress(progress, TODAY)
    assert message_problems(updated) == []
    assert updated["blocks"][0]["text"]["text"] == "☀️ 11/27(金) 今日のやること 残り 3 件"
    by_id = {b.get("block_id"): b for b in updated["blocks"]}
    assert by_id["first:2"]["text"]["text"].startswith("✅ *株式会社テスト2* 担当者 様")
    assert "13:28 📞 不在 を記録しました" in by_id["first:2"]["text"]["text"]
    assert by_id["first:2"]["accessory"] == {
        "type": "button",
        "action_id": UNDO_BUTTON,
        "text": {"type": "plain_text", "text": "取り消す", "emoji": True},
        "value": "77",
    }
    assert "13:28 ✉️ 送信" in by_id["first:3"]["text"]["text"]
    assert "accessory" not in by_id["first:3"]  # not a one-tap log, or its window passed
    assert by_id["first:1"] == the_block(sent, "first:1")
    everything = {lead: done[2] for lead in first}
    finished = build_morning_progress(
        MorningProgress("U1", "D1", "1.2", sent, first, everything), TODAY
    )
    assert finished["blocks"][0]["text"]["text"].endswith("今日のやること 完了 🎉")


# -- /isops today, Home's list, the list modal -----------------------------------------------------


def test_the_list_has_every_item_with_how_to_reach_why_and_the_last_touch() -> None:
    touched = LastTouch(
        at=dt.datetime(2026, 11, 26, 1, 0, tzinfo=dt.UTC),
        local=dt.datetime(2026, 11, 26, 10, 0, tzinfo=TOKYO),
        outcome=Outcome.VOICEMAIL,
    )
    rep = RepDigest(
        focus_due=LeadList(
            (
                line(
                    7,
                    next_action_date=TODAY,
                    phone="０３（１２３４）５６７８ 代表",
                    email="yamada|x>@example.co.jp",
                    last_touch=touched,
                    memo_head="決裁者は部長。<!here> 来週から不在",
                ),
            ),
            1,
        )
    )
    message = build_today(digest(rep))
    assert message_problems(message) == [] and message["response_type"] == "ephemeral"
    assert text_lines(message, "item:7") == [
        "*株式会社テスト7* 担当者 様",
        "📅 *次回 今日*",
        "📞 <tel:0312345678|０３（１２３４）５６７８ 代表>  ✉️ <mailto:yamada%7Cx%3E@example.co.jp|yamada｜x&gt;@example.co.jp>",
        "前回 11/26(木) 📞 留守電 · 🗒 決裁者は部長。&lt;!here&gt; 来週から不在",
    ]
    menu = the_block(message, "item:7")["accessory"]
    assert menu["type"] == "overflow" and menu["action_id"] == QUICK_LOG_MENU
    version = str(int(touched.at.timestamp() * 1_000_000))
    assert [(o["text"]["text"], o["value"]) for o in menu["options"]] == [
        ("📞 不在", f"7:absent:{version}"),
        ("📞 留守電", f"7:voicemail:{version}"),
        ("✉️ 送信", f"7:mail:{version}"),
        ("📞 接続…", f"7:connected:{version}"),
        ("📝 詳しく記録…", f"7:detail:{version}"),
    ]


def test_phone_numbers_dial_digits_and_odd_ones_stay_text() -> None:
    assert dial_number("03-1234-5678") == "0312345678"
    assert dial_number("+81 (3) 1234-5678") == "+81312345678"
    assert dial_number("内線 12") is None
    assert phone_link("内線 12") == "📞 内線 12"
    assert phone_link("  ") == "📞 番号未登録"
    assert email_link(None) == "" and email_link("a@b.jp") == "✉️ <mailto:a@b.jp|a@b.jp>"


def test_today_and_home_list_within_one_message_with_the_rest_counted() -> None:
    rep = RepDigest(
        inbound=many(100, 10, 120, inbound_deadline=TODAY),
        focus_due=many(200, 10, 80, next_action_date=TODAY),
        five_c2m=many(400, 10, 500),
        returned=tuple(returned(500 + i) for i in range(5)),
        hygiene=many(600, 5, 40),
    )
    message = build_today(digest(rep))
    assert message_problems(message) == [] and len(message["blocks"]) <= MAX_MESSAGE_BLOCKS
    listed = listed_lead_ids(message["blocks"])
    # The most urgent section keeps the most lines; each keeps at least one.
    assert len([i for i in listed if i < 200]) >= len([i for i in listed if i >= 600]) >= 1
    more = accessories(message["blocks"], LIST_OPEN_BUTTON)
    assert {m["value"] for m in more} >= {"inbound", "focus", "5c2m", "hygiene"}
    assert "…他 110 件" in texts(message) or "…他 " in texts(message)
    assert listed_lead_ids(build_lead_list(digest(rep))) == listed  # Home lists the same


def test_the_focus_section_offers_to_spread_a_pile_of_overdue_dates() -> None:
    pile = many(1, 10, 23, next_action_date=TODAY - dt.timedelta(days=12))
    blocks = build_lead_list(digest(RepDigest(overdue=pile)))
    (button,) = accessories(blocks, RESCHEDULE_OVERDUE_BUTTON)
    assert button["confirm"]["text"]["text"].startswith("期限超過 23 件")
    assert "style" not in button
    assert "12 日超過" in json.dumps(blocks, ensure_ascii=False)
    few = build_lead_list(digest(RepDigest(overdue=many(1, 3, 3, next_action_date=TODAY))))
    assert accessories(few, RESCHEDULE_OVERDUE_BUTTON) == []


def test_the_list_modal_shows_a_section_in_full() -> None:
    rep = RepDigest(five_c2m=many(1, 300, 300), hygiene=many(400, 2, 2))
    view = build_list_modal(digest(rep), "5c2m")
    assert view_problems(view) == []
    assert len(listed_lead_ids(view["blocks"])) == 97 and view["private_metadata"] == "5c2m"
    assert "他 203 件" in json.dumps(view, ensure_ascii=False)
    everything = build_list_modal(digest(rep), None)
    assert view_problems(everything) == [] and 400 in listed_lead_ids(everything["blocks"])


def test_today_and_section_lists() -> None:
    empty = build_today(digest(RepDigest(awaiting_review=2)))
    assert empty["response_type"] == "ephemeral"
    assert "今日のやることはありません" in texts(empty) and "承認待ち 2 件" in texts(empty)

    everything = RepDigest(five_c2m=many(1, 2000, 2000, company="株式会社" + "長" * 60))
    listing = build_section_list(digest(everything), "5c2m")
    assert message_problems(listing) == []
    assert len(listing["blocks"]) <= MAX_MESSAGE_BLOCKS
    body = texts(listing)
    assert body.count("• ") > 100  # far more than the list's ten, as compact lines
    assert "他 " in body  # and what still does not fit is counted
    assert section_key("5C2M") == "5c2m" and section_key("注力") == "focus"
    assert section_key("📥") == "inbound" and section_key("なにか") is None


def test_reschedule_answer() -> None:
    moved = build_reschedule_result(
        RescheduleResult(moved=12, per_day=5, first_date=TODAY, last_date=dt.date(2026, 12, 1))
    )
    assert moved["replace_original"] is False
    assert "12 件" in moved["text"] and "11/27(金)〜12/1(火)" in moved["text"]
    nothing = build_reschedule_result(RescheduleResult(moved=0, per_day=5))
    assert "ありません" in nothing["text"]


# -- the case to talk from (issue 14) -----------------------------------------------------------------


def case_for(lead_id: int, **kw: Any) -> CaseMatch:
    values: dict[str, Any] = {
        "case_id": 100 + lead_id,
        "title": "製造業 A社",
        "industry": "製造",
        "role_level": RoleLevel.MANAGER,
        "company_size": None,
        "problem": "受注率が低い",
        "benefit": "受注率の向上",
        "figures": "18%→24%",
        "matched": ("業種", "役職"),
    }
    values.update(kw)
    return CaseMatch(**values)


def with_cases(rep: RepDigest, cases: dict[int, CaseMatch]) -> MorningDigest:
    return MorningDigest(1, "U1", "佐藤", TODAY, rep, cases=cases)


def test_list_items_and_first_items_show_their_case_in_one_line() -> None:
    cases = {1: case_for(1, link="https://example.com/a|b>c"), 31: case_for(31), 50: case_for(50)}
    found = with_cases(rep_with_35_open_leads(), cases)
    message = build_morning_dm(found)
    assert message_problems(message) == [] and len(message["blocks"]) <= 15
    first = {b["block_id"]: b["text"]["text"] for b in message["blocks"] if "block_id" in b}
    hint = "💡 製造業界・マネージャー向け: 受注率が低い → *受注率の向上* 18%→24%"
    assert first["first:1"].splitlines()[-1] == (
        f"{hint} · <https://example.com/a%7Cb%3Ec|資料を開く>"
    )
    assert "💡" not in first["first:2"]  # no case for this lead: no line, no guess
    listing = build_today(found)
    items = {b["block_id"]: b["text"]["text"] for b in listing["blocks"] if "block_id" in b}
    assert items["item:31"].splitlines()[-1] == hint
    assert items["item:50"].splitlines()[-1] == hint  # a returned decision too
    assert "💡" not in items["item:30"]
    assert message_problems(listing) == []


def test_a_case_line_escapes_user_text_and_drops_an_overlong_link() -> None:
    hostile = case_for(
        1,
        industry="<!channel> & *IT*",
        problem="<@U123>",
        benefit=None,
        link="https://x/" + "a" * 600,
    )
    message = build_morning_dm(with_cases(rep_with_35_open_leads(), {1: hostile}))
    case_line = text_lines(message, "first:1")[-1]
    assert "<!channel>" not in case_line and "<@U123>" not in case_line
    assert "&lt;!channel&gt; &amp;" in case_line and "資料を開く" not in case_line


def test_a_long_case_part_is_cut_before_it_is_escaped() -> None:
    long = case_for(1, problem="&" * 300, benefit="<" * 300)
    message = build_morning_dm(with_cases(rep_with_35_open_leads(), {1: long}))
    case_line = text_lines(message, "first:1")[-1]
    assert "&amp;" * 99 + "…" in case_line and "&lt;" * 99 + "…" in case_line
    assert not re.search(r"&[a-z]*…", case_line)  # never half an entity
