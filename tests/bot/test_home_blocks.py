"""App Home and the one-tap answers as plain data: parts, limits, escaping, the undo button."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot.blocks.home import build_home
from bot.blocks.lead_list import listed_lead_ids
from bot.blocks.mrkdwn import MAX_VIEW_BLOCKS, section
from bot.blocks.quick_log import build_quick_confirmation, build_undo_done
from bot.blocks.today_list import build_today
from bot.ids import UNDO_BUTTON
from isops.enums import Channel, Outcome
from isops.rules import Targets, five_c2m
from isops.services.home import HomeContent
from isops.services.morning_progress import DoneTouch
from isops.services.quick_log import QuickLogResult, UndoResult
from isops.services.reminders import MorningDigest, RepDigest
from tests.bot.test_reminder_blocks import TODAY, digest, rep_with_35_open_leads
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TOKYO = ZoneInfo("Asia/Tokyo")
AT = dt.datetime(2026, 11, 27, 4, 28, tzinfo=dt.UTC)  # 13:28 in Tokyo


@pytest.fixture(autouse=True)
def in_2026() -> Any:
    with time_machine.travel(AT, tick=False):
        yield


def _touch(undo: int | None) -> DoneTouch:
    return DoneTouch(
        1, "<!here> 商事", "山田 太郎", Channel.CALL, Outcome.ABSENT, AT, AT.astimezone(TOKYO), undo
    )


def test_home_lists_the_same_leads_as_isops_today_with_the_latest_touch_on_top() -> None:
    rep = digest(rep_with_35_open_leads())
    home = build_home(HomeContent(digest=rep, recent=_touch(undo=42)))
    assert view_problems(home) == [] and home["type"] == "home"
    assert listed_lead_ids(home["blocks"]) == listed_lead_ids(build_today(rep)["blocks"])
    banner = home["blocks"][1]
    assert banner["text"]["text"] == (
        "✅ 13:28 *&lt;!here&gt; 商事* 山田 太郎 様 に 📞 不在 を記録しました"
    )
    assert (banner["accessory"]["action_id"], banner["accessory"]["value"]) == (UNDO_BUTTON, "42")
    body = json.dumps(home, ensure_ascii=False)
    assert "できること" in body and "/log-call" in body and "承認待ち 2 件" in body
    without_undo = build_home(HomeContent(digest=rep, recent=_touch(undo=None)))
    assert "accessory" not in without_undo["blocks"][1]


def test_home_makes_room_for_other_parts_within_slacks_100_blocks() -> None:
    rep = digest(rep_with_35_open_leads())
    team_view = [section(f"チーム {i}") for i in range(40)]
    too_big = [section("入りきらない") for _ in range(80)]
    home = build_home(HomeContent(digest=rep), extra_parts=[team_view, too_big])
    assert view_problems(home) == [] and len(home["blocks"]) <= MAX_VIEW_BLOCKS
    body = json.dumps(home, ensure_ascii=False)
    assert "チーム 39" in body and "入りきらない" not in body
    assert home["blocks"][-1]["text"]["text"].startswith("*できること*")  # help stays last


def test_home_for_someone_without_a_list() -> None:
    stranger = build_home(HomeContent(refusal="isops にメンバー登録されていません。"))
    assert view_problems(stranger) == []
    assert "メンバー登録されていません" in json.dumps(stranger, ensure_ascii=False)
    nothing = build_home(HomeContent(digest=MorningDigest(1, "U1", "佐藤", TODAY, RepDigest())))
    assert "今日のやることはありません" in json.dumps(nothing, ensure_ascii=False)


def _result(**kw: Any) -> QuickLogResult:
    values: dict[str, Any] = {
        "action_id": 9,
        "duplicate": False,
        "lead_id": 1,
        "company": "<!channel> 商事",
        "contact_name": "*山田*",
        "channel": Channel.CALL,
        "outcome": Outcome.VOICEMAIL,
        "acted_at": AT,
        "status_before": 1,
        "status_after": 2,
        "next_action_date": dt.date(2026, 11, 30),
        "progress": five_c2m(1, 0, Targets()),
        "updates_morning_dm": False,
    }
    values.update(kw)
    return QuickLogResult(**values)


def test_the_one_tap_confirmation_says_what_changed_and_offers_undo_for_ten_minutes() -> None:
    message = build_quick_confirmation(_result(), tz=TOKYO)
    assert message_problems(message) == [] and message["response_type"] == "ephemeral"
    first = message["blocks"][0]
    assert first["text"]["text"].splitlines() == [
        "✅ 13:28 *&lt;!channel&gt; 商事* \u2217山田\u2217 様 に 📞 留守電 を記録しました",
        "ステータス 未対応 → 未接続 · 📅 次回 11/30(月) · 🔁 📞1/5 ✉️0/2",
    ]
    assert (first["accessory"]["action_id"], first["accessory"]["value"]) == (UNDO_BUTTON, "9")
    assert "13:38 まで (10 分間) 取り消せます" in json.dumps(message, ensure_ascii=False)
    assert "<!channel>" not in message["text"]
    again = build_quick_confirmation(_result(duplicate=True), tz=TOKYO)
    assert "(記録済みです)" in again["blocks"][0]["text"]["text"]
    assert "記録済み" in again["text"]


def test_the_undone_answer_replaces_the_confirmation() -> None:
    undone = UndoResult(1, "A社", None, Channel.MAIL, Outcome.SENT, AT, 1, None, False)
    message = build_undo_done(undone, tz=TOKYO)
    assert message_problems(message) == [] and message["replace_original"] is True
    assert message["blocks"][0]["text"]["text"] == (
        "13:28 の ✉️ 送信 (*A社*) を取り消しました。\nステータスは 未対応 に戻りました。"
    )
