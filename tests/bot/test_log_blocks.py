"""The log and /lead builders as plain data: Slack's limits, escaping, the coaching lines."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import ids
from bot.blocks.lead_modal import build_lead_modal, build_lead_result
from bot.blocks.lead_picker import build_lead_options, lead_option_text, selected_lead
from bot.blocks.log_5c2m import ConfirmMetadata, build_5c2m_confirmation
from bot.blocks.log_button import build_log_button
from bot.blocks.log_confirmation import build_log_confirmation
from bot.blocks.log_modal import (
    LogModalOptions,
    build_log_modal,
    build_log_modal_for,
    quick_date_label,
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
from isops.rules import FiveC2M, QuickDate
from isops.services.action_results import ActionResult, HandedOff
from isops.services.actions import memo_digest
from isops.services.lead_registration import LeadRegistration, LeadSummary
from isops.services.leads import LeadOption, LeadSnapshot, LogStart, Urgency
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


def _modal(status: int | None = 2, **meta: Any) -> dict[str, Any]:
    return build_log_modal(
        meta=LogMetadata(mode="call", shown=ShownModel(lead_id=7, status=2), **meta),
        selected=selected_lead(_snapshot()),
        values=LogValues(status=status),
        options=LogModalOptions(
            reason_codes=DEFAULT_REASON_CODES, focus_max_days=60, today=dt.date(2026, 11, 27)
        ),
    )


def _input_ids(view: dict[str, Any]) -> list[str]:
    return [ids.unversioned(b["block_id"]) for b in view["blocks"] if b["type"] == "input"]


def test_reasons_only_for_4_and_6_and_required_there() -> None:
    for status in (1, 2, 3, None):
        assert ids.LOG_REASON_BLOCK not in _input_ids(_modal(status))
    for status in (4, 6):
        view = _modal(status)
        assert view_problems(view) == []
        reasons = [b for b in view["blocks"] if b.get("block_id", "").startswith("log_reason")]
        assert [b["optional"] for b in reasons] == [False, False]
    confirmed = json.dumps(_modal(4, confirm=True), ensure_ascii=False)
    assert "5C2M 未完了のまま対応不要として申請します" in confirmed
    assert "5C2M 未完了のまま" not in json.dumps(_modal(6, confirm=True), ensure_ascii=False)
    # Status 5 without the FS looked up: nothing yet (the submission asks for the hand-off).
    assert ids.HANDOFF_FS_BLOCK not in _input_ids(_modal(5))


def test_the_5c2m_confirmation_says_what_is_left() -> None:
    meta = ConfirmMetadata(parent_view_id="V123", log=LogMetadata(mode="call"))
    view = build_5c2m_confirmation(FiveC2M(2, 0, 5, 2), days_since_cv=4, metadata=meta)
    assert view_problems(view) == []
    text = json.dumps(view["blocks"], ensure_ascii=False)
    assert "*あと架電 3 回・メール 2 回* (CV 4 日目)" in text
    assert (view["submit"]["text"], view["close"]["text"]) == ("このまま申請する", "架電を続ける")
    assert ConfirmMetadata.load(view["private_metadata"]) == meta
    mails = build_5c2m_confirmation(FiveC2M(5, 1, 5, 2), days_since_cv=0, metadata=meta)
    assert "*あとメール 1 回* (CV 当日)" in json.dumps(mails["blocks"], ensure_ascii=False)
    assert mails["close"]["text"] == "メールを続ける"
    assert ConfirmMetadata.load("not ours") is None


def test_quick_dates_say_their_date_and_mark_the_one_chosen() -> None:
    friday, monday = dt.date(2026, 11, 27), dt.date(2026, 11, 30)
    assert quick_date_label(QuickDate.NEXT_BUSINESS_DAY, monday, friday) == "翌営業日 11/30(月)"
    assert quick_date_label(QuickDate.NEXT_BUSINESS_DAY, monday, dt.date(2026, 11, 29)) == (
        "明日 11/30(月)"
    )
    quick = {QuickDate.NEXT_BUSINESS_DAY: monday, QuickDate.ONE_WEEK: dt.date(2026, 12, 4)}
    view = build_log_modal(
        meta=LogMetadata(mode="call"),
        selected=None,
        values=LogValues(next_action_date=monday),
        options=LogModalOptions(
            reason_codes=DEFAULT_REASON_CODES, focus_max_days=60, today=friday, quick_dates=quick
        ),
    )
    block = next(b for b in view["blocks"] if b.get("block_id") == ids.LOG_QUICK_DATES_BLOCK)
    assert [(e["value"], e.get("style")) for e in block["elements"]] == [
        ("2026-11-30", "primary"),
        ("2026-12-04", None),
    ]
    assert len({e["action_id"] for e in block["elements"]}) == 2  # distinct within a block


def test_a_preset_outcome_opens_its_channel_with_it_chosen() -> None:
    replied = build_log_modal_for(
        LogStart(_snapshot(), "", 1, outcome=Outcome.REPLIED),
        mode="any",
        reply_to=None,
        reason_codes=DEFAULT_REASON_CODES,
        focus_max_days=60,
    )
    assert replied["title"]["text"] == "メールを記録"
    outcome = next(b for b in replied["blocks"] if b.get("block_id") == "log_outcome~mail")
    assert outcome["element"]["initial_option"]["value"] == "mail:返信あり"
    no_lead = build_log_modal_for(
        LogStart(None, "", 0, outcome=Outcome.CONNECTED),
        mode="any",
        reply_to=None,
        reason_codes=DEFAULT_REASON_CODES,
        focus_max_days=60,
    )
    outcome = next(b for b in no_lead["blocks"] if b.get("block_id") == "log_outcome~call")
    assert outcome["element"]["initial_option"]["value"] == "call:接続"
    # A suggested date is pre-filled (and said to be one); the lead's own stays in metadata.
    suggested = _snapshot(next_action_date=None, suggested_next_action_date=dt.date(2026, 11, 30))
    view = build_log_modal_for(
        LogStart(suggested, "", 1),
        mode="call",
        reply_to=None,
        reason_codes=DEFAULT_REASON_CODES,
        focus_max_days=60,
    )
    date = next(b for b in view["blocks"] if b.get("block_id", "").startswith("log_next_date~"))
    assert date["element"]["initial_date"] == "2026-11-30" and "提案日" in date["hint"]["text"]
    shown = json.loads(view["private_metadata"])["shown"]
    assert shown["suggested_next_action_date"] == "2026-11-30"
    assert "next_action_date" not in shown


def test_confirmation_mentions_the_hand_off_and_a_late_touch() -> None:
    result = _result(
        status_before=3,
        status_after=5,
        acted_at=dt.datetime(2026, 11, 26, 6, 0, tzinfo=dt.UTC),
        backdated=True,
        timezone="Asia/Tokyo",
        handoff=HandedOff(
            fs_name="<!here>田中",
            meeting_at=dt.datetime(2026, 12, 1, 5, 0, tzinfo=dt.UTC),
            meeting_mode="visit",
        ),
    )
    message = build_log_confirmation(result)
    assert message_problems(message) == []
    text = message["blocks"][0]["text"]["text"]
    assert "実施日時: 11/26(木) 15:00 (あとから記録)" in text
    assert "🤝 FS の &lt;!here&gt;田中 さんに引き継ぎました: *12/1(火) 14:00* 🏢 訪問" in text
    assert "<!here>" not in json.dumps(message, ensure_ascii=False)


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
    assert "*12/2(水)* (注力)" in text


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
    assert parsed.errors == {f"{ids.LOG_OUTCOME_BLOCK}~call": "結果を選んでください"}
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


def test_the_date_is_required_for_an_open_focus_lead_only() -> None:
    def optional(priority: int | None, status: int) -> bool:
        view = build_log_modal(
            meta=LogMetadata(mode="call"),
            selected=None,
            values=LogValues(priority=priority, status=status),
            options=LogModalOptions(reason_codes=DEFAULT_REASON_CODES, focus_max_days=60),
        )
        block = next(b for b in view["blocks"] if b.get("block_id", "").startswith("log_next_date"))
        return bool(block["optional"])

    assert optional(1, 3) is False  # rule 5: Slack asks for it before sending
    assert optional(2, 3) is optional(None, 2) is optional(1, 4) is True
