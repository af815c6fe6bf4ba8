"""Review Block Kit builders as plain data, checked against Slack's limits."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine

from bot import ids
from bot.blocks.review import (
    MAX_LISTED,
    build_decision_receipt,
    build_notice_modal,
    build_return_modal,
    build_review_list,
    build_review_message,
    build_review_returned_dm,
)
from isops.enums import ReviewState
from isops.rules import Targets, five_c2m
from isops.services.reviews import PendingReviews, ReviewDetail
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TOKYO = ZoneInfo("Asia/Tokyo")
AT = dt.datetime(2026, 11, 27, 1, 5, tzinfo=dt.UTC)  # 10:05 JST


@pytest.fixture(autouse=True)
def in_2026() -> Any:
    """Dates show their year only outside the current one: read them in 2026."""
    with time_machine.travel(AT, tick=False):
        yield


PENDING = ReviewDetail(
    id=7,
    state=ReviewState.PENDING,
    requested_status=4,
    previous_status=2,
    reason_code="対象外",
    memo="決裁者は本社。\n支店では判断できない",
    requested_at=AT,
    rep_slack_user_id="UR1",
    rep_name="佐藤",
    requested_by_slack_user_id="UR1",
    requested_by_name="佐藤",
    reviewer_slack_user_id="UM1",
    lead_id=42,
    company="株式会社テスト",
    contact_name="鈴木",
    title="部長",
    role_level="マネージャー",
    source="資料請求",
    cv_at=AT,
    lead_status=4,
    priority=None,
    next_action_date=None,
    progress=five_c2m(2, 0, Targets()),
    last_action_at=AT,
    last_outcome="不在",
    decided_by_slack_user_id=None,
    decided_by_name=None,
    decided_at=None,
    return_reason=None,
    reapproach_date=None,
    message_channel=None,
    message_ts=None,
)


def _decided(state: ReviewState, **changes: Any) -> ReviewDetail:
    return dataclasses.replace(
        PENDING,
        state=state,
        decided_by_slack_user_id="UM1",
        decided_by_name="山田",
        decided_at=AT,
        **changes,
    )


def _elements(blocks: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [e for b in blocks if b["type"] == "actions" for e in b["elements"] if e["type"] == kind]


def _all_text(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False)


def test_pending_message_shows_the_lead_the_work_the_reason_and_both_buttons() -> None:
    message = build_review_message(PENDING, tz=TOKYO, reapproach_months=3)
    assert message_problems(message) == []
    text = _all_text(message)
    for expected in (
        "株式会社テスト",
        "鈴木",
        "マネージャー",
        "資料請求",
        "11/27(金)",
        "📞2/5 ✉️0/2",
        "5C2M 未完了",
        "11/27(金) 10:05 不在",
        "対象外",
        "> 決裁者は本社。",
        "<@UR1>",
        "4 対応不要",
    ):
        assert expected in text, expected
    buttons = _elements(message["blocks"], "button")
    assert [(b["action_id"], b["value"]) for b in buttons] == [
        (ids.REVIEW_APPROVE_BUTTON, "7"),
        (ids.REVIEW_RETURN_BUTTON, "7"),
    ]
    assert _elements(message["blocks"], "checkboxes") == []  # rule 6 is for status 6 only
    assert message["text"].startswith("対応不要の承認依頼")


def test_status_6_message_has_the_re_approach_checkbox_ticked() -> None:
    six = dataclasses.replace(PENDING, requested_status=6, previous_status=3)
    message = build_review_message(six, tz=TOKYO, reapproach_months=3)
    assert message_problems(message) == []
    (box,) = _elements(message["blocks"], "checkboxes")
    assert box["action_id"] == ids.REVIEW_REAPPROACH_CHECKBOX
    assert box["initial_options"] == box["options"]
    assert "3か月後" in box["options"][0]["text"]["text"]
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert actions["block_id"] == f"{ids.REVIEW_ACTIONS_BLOCK}:7"
    no_suggestion = build_review_message(six, tz=TOKYO, reapproach_months=0)
    assert _elements(no_suggestion["blocks"], "checkboxes") == []


def test_a_shared_channel_message_pings_the_manager() -> None:
    message = build_review_message(PENDING, tz=TOKYO, reapproach_months=3, mention="UM1")
    assert message["blocks"][0]["text"]["text"].startswith("<@UM1>")


def test_decided_messages_say_who_and_when_without_buttons() -> None:
    approved = build_review_message(
        _decided(ReviewState.APPROVED, reapproach_date=dt.date(2027, 3, 1)),
        tz=TOKYO,
        reapproach_months=3,
    )
    returned = build_review_message(
        _decided(ReviewState.RETURNED, return_reason="来期予算の前に <!here> 再提案"),
        tz=TOKYO,
        reapproach_months=3,
    )
    withdrawn = build_review_message(_decided(ReviewState.WITHDRAWN), tz=TOKYO, reapproach_months=3)
    for message in (approved, returned, withdrawn):
        assert message_problems(message) == []
        assert not [b for b in message["blocks"] if b["type"] == "actions"]
    assert "<@UM1> さんが 11/27(金) 10:05 に承認しました" in _all_text(approved)
    assert "2027/3/1(月)" in _all_text(approved)
    assert "差し戻しました (ステータス → 未接続)" in _all_text(returned)
    assert "&lt;!here&gt; 再提案" in _all_text(returned)
    assert "<!here>" not in _all_text(returned)
    assert "取り下げ" in _all_text(withdrawn) and "<@UR1>" in _all_text(withdrawn)


def test_user_text_is_escaped_and_long_text_fits() -> None:
    hostile = dataclasses.replace(
        PENDING,
        company="<!channel> & <https://evil|株式会社>",
        memo="<@U999> " + "長い" * 3000,
        reason_code="<!everyone>",
    )
    message = build_review_message(hostile, tz=TOKYO, reapproach_months=3)
    assert message_problems(message) == []
    text = _all_text(message)
    assert "<!channel>" not in text and "<!everyone>" not in text and "<@U999>" not in text
    assert "&lt;!channel&gt; &amp; &lt;https://evil|株式会社&gt;" in text
    assert all(len(b["text"]["text"]) <= 3000 for b in message["blocks"] if "text" in b)


def test_user_text_does_not_format_in_the_managers_message_or_the_reps_dm() -> None:
    typed = dataclasses.replace(
        _decided(ReviewState.RETURNED, return_reason="> 引用ではない\n`まだ` 脈あり"),
        company="ACME *bold* _it_",
        contact_name="~取消~",
        memo="*重要* ＊全角＊",
    )
    for payload in (
        build_review_message(typed, tz=TOKYO, reapproach_months=3),
        build_review_returned_dm(typed, tz=TOKYO),
    ):
        text = _all_text(payload)
        assert "ACME \u2217bold\u2217 \u02cdit\u02cd" in text
        for raw in ("*bold*", "_it_", "~取消~", "*重要*", "＊全角＊", "`まだ`", "\\n> 引用"):
            assert raw not in text, raw


def test_the_list_stays_within_50_blocks_and_says_how_many_more() -> None:
    items = tuple(dataclasses.replace(PENDING, id=i) for i in range(1, 41))
    listing = build_review_list(
        PendingReviews(items=items, total=40), tz=TOKYO, reapproach_months=3
    )
    assert message_problems(listing) == []
    assert len(listing["blocks"]) <= 50
    assert listing["response_type"] == "ephemeral"
    approve = [
        b["value"]
        for b in _elements(listing["blocks"], "button")
        if b["action_id"] == ids.REVIEW_APPROVE_BUTTON
    ]
    assert approve == [str(i) for i in range(1, MAX_LISTED + 1)]
    assert f"ほかに {40 - MAX_LISTED} 件" in _all_text(listing)
    block_ids = [b["block_id"] for b in listing["blocks"] if "block_id" in b]
    assert len(block_ids) == len(set(block_ids))


def test_an_empty_list_says_so() -> None:
    listing = build_review_list(PendingReviews(items=(), total=0), tz=TOKYO, reapproach_months=3)
    assert message_problems(listing) == []
    assert "承認待ちはありません" in listing["text"]


def test_return_modal_asks_why_with_optional_date_and_priority() -> None:
    focus = dataclasses.replace(PENDING, priority=1)
    view = build_return_modal(focus, private_metadata='{"review_id": 7}')
    assert view_problems(view) == []
    assert view["callback_id"] == ids.REVIEW_RETURN_VIEW
    assert len(view["title"]["text"]) <= 24
    inputs = {b["block_id"]: b for b in view["blocks"] if b["type"] == "input"}
    assert list(inputs) == [
        ids.REVIEW_RETURN_REASON,
        ids.REVIEW_RETURN_NEXT_DATE,
        ids.REVIEW_RETURN_PRIORITY,
    ]
    assert not inputs[ids.REVIEW_RETURN_REASON].get("optional")
    assert inputs[ids.REVIEW_RETURN_NEXT_DATE]["optional"] is True
    # Slack writes 「(任意)」 after an optional input's label itself: not a second time.
    for block in inputs.values():
        assert "任意" not in block["label"]["text"], block["label"]
    priority = inputs[ids.REVIEW_RETURN_PRIORITY]["element"]
    assert priority["initial_option"]["value"] == "1"
    assert "未接続 に戻ります" in _all_text(view).replace("*", "")


def test_returned_dm_has_the_reason_the_fields_and_a_log_button() -> None:
    returned = _decided(
        ReviewState.RETURNED,
        return_reason="情シス経由で再アプローチを",
        lead_status=2,
        next_action_date=dt.date(2026, 12, 3),
        priority=1,
    )
    dm = build_review_returned_dm(returned, tz=TOKYO)
    assert message_problems(dm) == []
    text = _all_text(dm)
    for expected in ("> 情シス経由で再アプローチを", "対応不要 → 未接続", "12/3(木)", "注力"):
        assert expected in text, expected
    (button,) = _elements(dm["blocks"], "button")
    assert (button["action_id"], button["value"]) == (ids.LOG_LEAD_BUTTON, "42")


def test_receipt_and_notice_are_valid() -> None:
    receipt = build_decision_receipt(_decided(ReviewState.APPROVED), tz=TOKYO)
    assert message_problems(receipt) == []
    assert receipt["replace_original"] is False
    assert view_problems(build_notice_modal("この判断はすでに <山田> さんが承認")) == []


def test_a_decision_logged_by_someone_else_names_them_and_whose_lead_it_is() -> None:
    """The rep's manager logged 4 on the rep's lead: the message, the list, the modal and the
    DM name who decided and whose lead it is (the rep, the owner)."""
    by_manager = dataclasses.replace(
        PENDING, requested_by_slack_user_id="UM1", requested_by_name="山田"
    )
    head = build_review_message(by_manager, tz=TOKYO, reapproach_months=3)["blocks"][0]
    assert "<@UM1> さんの判断 (担当: <@UR1> さん)" in head["text"]["text"]
    listing = build_review_list(
        PendingReviews(items=(by_manager,), total=1), tz=TOKYO, reapproach_months=3
    )
    assert "<@UM1> さんの判断 (担当: <@UR1> さん)" in _all_text(listing)
    view = build_return_modal(by_manager, private_metadata='{"review_id": 7}')
    assert view_problems(view) == []
    assert "山田 さんの判断 (担当: 佐藤 さん)" in _all_text(view)
    dm = build_review_returned_dm(
        dataclasses.replace(by_manager, state=ReviewState.RETURNED, return_reason="再提案を"),
        tz=TOKYO,
    )
    assert message_problems(dm) == []
    assert "の判断 (<@UM1> さん)" in _all_text(dm)
    # The rep's own decision says only theirs.
    own = build_review_message(PENDING, tz=TOKYO, reapproach_months=3)["blocks"][0]
    assert own["text"]["text"].endswith("<@UR1> さんの判断")
