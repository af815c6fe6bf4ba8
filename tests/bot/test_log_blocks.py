"""The log and /lead builders as plain data: Slack's limits, escaping, the coaching lines."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import ids
from bot.blocks.lead_modal import build_lead_modal, build_lead_result
from bot.blocks.log_button import build_log_button
from bot.blocks.log_confirmation import build_log_confirmation
from bot.blocks.log_modal import (
    build_lead_options,
    build_log_modal,
    build_log_modal_for,
    lead_option_text,
    selected_lead,
)
from bot.forms.log import (
    LogMetadata,
    LogValues,
    ShownModel,
    parse_log_form,
    shown_for,
    values_after_lead_change,
)
from isops.enums import Channel, Outcome
from isops.rules import FiveC2M
from isops.services.actions import ActionResult, memo_digest
from isops.services.leads import (
    LeadOption,
    LeadRegistration,
    LeadSnapshot,
    LeadSummary,
    LogStart,
    Urgency,
)
from isops.settings import DEFAULT_REASON_CODES
from tests.bot.modal_state import block_id, fill
from tests.fake_slack.blockkit_limits import message_problems, view_problems

LONG = "株式会社" + "長" * 196  # the column's 200 characters
EVIL = "<!channel> & <https://evil.example|click>"


def _snapshot(**kw: Any) -> LeadSnapshot:
    values: dict[str, Any] = {
        "id": 7,
        "company": "株式会社ABC",
        "contact_name": "山田",
        "owner_name": None,
        "status": 2,
        "pending_status": None,
        "priority": 1,
        "next_action_date": dt.date(2026, 12, 1),
        "memo": "決裁は部長",
        "five_c2m": FiveC2M(2, 0, 5, 2),
        "inbound": False,
        "first_action_at": None,
    }
    values.update(kw)
    return LeadSnapshot(**values)


def _result(**kw: Any) -> ActionResult:
    values: dict[str, Any] = {
        "action_id": 1,
        "lead_id": 7,
        "company": "株式会社ABC",
        "contact_name": "山田",
        "channel": Channel.CALL,
        "outcome": Outcome.ABSENT,
        "acted_at": dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC),
        "status_before": 1,
        "status_after": 2,
        "priority": None,
        "next_action_date": None,
        "calls": 3,
        "mails": 0,
        "target_calls": 5,
        "target_mails": 2,
    }
    values.update(kw)
    return ActionResult(**values)


@pytest.mark.parametrize("mode", ["call", "mail", "any"])
def test_log_modal_is_valid_at_the_limits(mode: Any) -> None:
    lead = _snapshot(
        company=LONG, contact_name=LONG, owner_name=EVIL, memo="メ" * 3000, pending_status=4
    )
    view = build_log_modal_for(
        LogStart(lead, "", 1),
        mode=mode,
        reply_to="C" + "1" * 20,
        reason_codes=[f"理由{i}" * 30 for i in range(120)],
        focus_max_days=60,
    )
    assert view_problems(view) == []
    assert len(view["title"]["text"]) <= 24
    assert len(view["private_metadata"]) < 3000
    assert EVIL not in json.dumps(view, ensure_ascii=False)  # the owner's name is escaped


def test_confirmation_step_adds_the_gap_and_a_checkbox() -> None:
    meta = LogMetadata(mode="call", shown=ShownModel(lead_id=7), confirm=True)
    view = build_log_modal(
        meta=meta,
        selected=selected_lead(_snapshot()),
        values=LogValues(status=4),
        reason_codes=DEFAULT_REASON_CODES,
        focus_max_days=60,
        confirm_gap="📞2/5 ✉️0/2",
    )
    assert view_problems(view) == []
    assert "📞2/5 ✉️0/2 — 5C2M 未完了です" in view["blocks"][0]["text"]["text"]
    assert view["blocks"][1]["block_id"] == ids.LOG_CONFIRM_BLOCK


def test_lead_options_fit_slack_and_show_urgency_and_5c2m() -> None:
    options = [
        LeadOption(
            id=i,
            company=LONG,
            contact_name=LONG,
            status=2,
            urgency=Urgency.DUE,
            five_c2m=FiveC2M(2, 0, 5, 2),
            owner_name="とても長い名前の担当者さん",
        )
        for i in range(50)
    ]
    built = build_lead_options(options)
    assert all(len(o["text"]["text"]) <= 75 for o in built)
    text = built[0]["text"]["text"]
    assert text.startswith("📅株式会社長") and "(未接続) 📞2/5 ✉️0/2 担当:" in text
    pending = LeadOption(7, "A社", None, 4, Urgency.PENDING_REVIEW, FiveC2M(0, 0, 5, 2), None)
    assert lead_option_text(pending) == "A社 (承認待ち)"


def test_confirmation_coaches_and_escapes() -> None:
    message = build_log_confirmation(
        _result(
            company=EVIL,
            contact_name="<@U1>",
            next_action_date=dt.date(2026, 12, 2),
            priority=1,
            inbound_deadline=dt.date(2026, 11, 27),
            inbound_deadline_met=True,
            early_actions=3,
            early_target=5,
            early_window_days=7,
        )
    )
    assert message_problems(message) == []
    text = message["blocks"][0]["text"]["text"]
    assert "<!channel>" not in text and "<@U1>" not in text and "<!channel>" not in message["text"]
    assert "&lt;!channel&gt; &amp;" in text
    assert "ステータス: 1 未対応 → *2 未接続*" in text
    assert "5C2M 📞3/5 ✉️0/2 — 次は ✉️ *メール* がおすすめです" in text
    assert "期限 11/27(金) に間に合いました" in text
    assert "CV から 7 日以内の活動: 3/5" in text
    assert "12/2(水)* (注力)" in text


def test_confirmation_for_a_review_request_and_a_late_inbound() -> None:
    text = build_log_confirmation(
        _result(
            status_before=2,
            status_after=4,
            review_requested=True,
            reason_code="対象外",
            inbound_deadline=dt.date(2026, 11, 24),
            inbound_deadline_met=False,
        )
    )["blocks"][0]["text"]["text"]
    assert "*4 対応不要* (理由: 対象外) をマネージャーに申請しました" in text
    assert "⚠️ インバウンド初回対応の期限 11/24(火) を過ぎていました" in text
    assert "5C2M" not in text  # no longer chased once 4 is asked for
    complete = build_log_confirmation(_result(calls=5, mails=2))["blocks"][0]["text"]["text"]
    assert "🎉 5C2M 達成 📞5/5 ✉️2/2" in complete
    assert "次回活動予定日が未設定です" in complete


def test_first_approach_line_only_for_an_inbound_lead_nobody_approached() -> None:
    waiting = selected_lead(_snapshot(inbound=True, status=1))
    assert "📥 インバウンド初回対応" in waiting.context
    # Imported as 未接続: approached in the CRM before isops, though no touch is logged.
    imported = selected_lead(_snapshot(inbound=True, status=2))
    assert "インバウンド初回対応" not in imported.context
    touched = selected_lead(
        _snapshot(inbound=True, status=1, first_action_at=dt.datetime(2026, 11, 26, tzinfo=dt.UTC))
    )
    assert "インバウンド初回対応" not in touched.context


def test_log_button_carries_only_the_lead_id() -> None:
    assert build_log_button(42) == {
        "type": "button",
        "action_id": ids.LOG_LEAD_BUTTON,
        "text": {"type": "plain_text", "text": "📝 記録", "emoji": True},
        "value": "42",
    }
    assert build_log_button(42, distinct=True)["action_id"] == f"{ids.LOG_LEAD_BUTTON}:42"


def test_lead_modal_and_result_are_valid() -> None:
    view = build_lead_modal(
        owner_slack_user_id="U1",
        now_local=dt.datetime(2026, 11, 27, 10, 30, tzinfo=ZoneInfo("Asia/Tokyo")),
        inbound_sources=("資料請求", "問い合わせ"),
        company=LONG + "余分",
    )
    assert view_problems(view) == []
    assert json.loads(view["private_metadata"]) == {"tz": "Asia/Tokyo"}
    summary = LeadSummary(
        id=3,
        company=EVIL,
        contact_name=None,
        email="a@b.example",
        owner_name="<!here>",
        status=1,
        source=None,
        cv_at=dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC),
        may_log=False,
    )
    result = build_lead_result(
        LeadRegistration(summary, created=False, duplicate_of="email"), zone=ZoneInfo("Asia/Tokyo")
    )
    assert view_problems(result) == []
    dumped = json.dumps(result, ensure_ascii=False)
    assert "<!channel>" not in dumped and "<!here>" not in dumped
    assert "11/27(金) 10:30" in dumped
    assert all(b["type"] != "actions" for b in result["blocks"])  # may not log: no button


def test_a_lead_picked_later_keeps_what_was_typed() -> None:
    typed = LogValues(outcome="call:接続", status=3, memo="先に書いた", reason_code="重複")
    values = values_after_lead_change(typed, None, _snapshot(memo=""))
    assert (values.status, values.priority, values.memo) == (3, 1, "先に書いた")
    assert values.next_action_date == dt.date(2026, 12, 1)
    assert (values.outcome, values.reason_code) == ("call:接続", "重複")
    # Switching leads: fields still as the first lead showed them take the new lead's values.
    first = _snapshot()
    shown = shown_for(first)
    as_shown = LogValues(
        status=2, priority=1, next_action_date=dt.date(2026, 12, 1), memo=first.memo
    )
    second = _snapshot(id=8, status=3, priority=2, next_action_date=None, memo="二社目")
    switched = values_after_lead_change(as_shown, shown, second)
    assert (switched.status, switched.priority, switched.next_action_date, switched.memo) == (
        3,
        2,
        None,
        "二社目",
    )
    assert shown.memo_digest == memo_digest(first.memo)


def test_parse_reports_errors_on_the_blocks_of_the_view() -> None:
    view = build_log_modal_for(
        LogStart(_snapshot(), "", 1),
        mode="call",
        reply_to=None,
        reason_codes=DEFAULT_REASON_CODES,
        focus_max_days=60,
    )
    parsed = parse_log_form({**view, "state": {"values": fill(view, log_outcome=None)}})
    assert parsed.form is None
    assert parsed.errors == {ids.LOG_OUTCOME_BLOCK: "結果を選んでください"}
    ok = parse_log_form(
        {**view, "state": {"values": fill(view, log_outcome="call:不在", log_memo="  x  ")}}
    )
    assert ok.form is not None
    assert (ok.form.lead_id, ok.form.channel, ok.form.outcome, ok.form.memo) == (
        7,
        Channel.CALL,
        Outcome.ABSENT,
        "x",
    )
    assert block_id(view, ids.LOG_STATUS_BLOCK) == f"{ids.LOG_STATUS_BLOCK}~7"
