"""Lead intake messages as plain data: content, escaping and Slack's limits."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.lead_intake import (
    LeadNotice,
    build_import_modal,
    build_import_result,
    build_lead_assigned,
    build_lead_unassigned,
    import_errors_text,
)
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TOKYO = ZoneInfo("Asia/Tokyo")


def notice(**overrides: object) -> LeadNotice:
    payload: dict[str, object] = {
        "lead_id": 42,
        "company": "株式会社あおば",
        "contact_name": "山田 太郎",
        "title": "部長",
        "industry": "製造",
        "email": "yamada@aoba.example",
        "phone": "03-1111-2222",
        "source": "問い合わせ",
        "inbound": True,
        "cv_at": "2026-11-27T09:30:00+00:00",
        "deadline": "2026-11-30",
        "same_day": False,
        "reason": "ローテーション",
    }
    payload.update(overrides)
    return LeadNotice.from_payload(payload)


def test_assigned_dm_says_what_where_when_and_has_the_one_tap_buttons() -> None:
    message = build_lead_assigned(notice(), tz=TOKYO)
    assert message_problems(message) == []
    text = str(message["blocks"])
    assert "*株式会社あおば*  山田 太郎 様 (部長)" in text
    assert "問い合わせ" in text and "(インバウンド)" in text
    assert "11/27(金) 18:30" in text  # shown in the team's time zone
    assert "11/30(月) 中 (翌営業日中) に初回アプローチ" in text
    assert "📞 <tel:0311112222|03-1111-2222>" in message["blocks"][0]["text"]["text"]
    (actions,) = [b for b in message["blocks"] if b["type"] == "actions"]
    assert [(b["text"]["text"], b["value"]) for b in actions["elements"]] == [
        ("📞 不在", "42:absent:0"),
        ("📞 留守電", "42:voicemail:0"),
        ("✉️ 送信", "42:mail:0"),
        ("📞 接続…", "42:connected:0"),
        ("📝 詳しく記録…", "42:detail:0"),
    ]
    assert all(b["action_id"].startswith(f"{ids.QUICK_LOG_MENU}:") for b in actions["elements"])
    assert not [b for b in actions["elements"] if b.get("style") == "primary"]
    assert "株式会社あおば" in message["text"]


def test_non_inbound_lead_has_no_deadline_line() -> None:
    message = build_lead_assigned(notice(source="セミナー", inbound=False, deadline=None), tz=TOKYO)
    assert "初回アプローチ" not in str(message)
    assert message_problems(message) == []


def test_user_text_is_escaped_and_long_text_fits() -> None:
    message = build_lead_assigned(
        notice(
            company="<!channel> " + "長" * 5000,
            contact_name="<@U1>",
            industry=None,
            email=None,
            phone=None,
        ),
        tz=TOKYO,
    )
    assert message_problems(message) == []
    assert "<!channel>" not in str(message) and "<@U1>" not in str(message)
    assert "&lt;!channel&gt;" in str(message["blocks"]) and "&lt;!channel&gt;" in message["text"]


def test_unassigned_note_for_managers() -> None:
    message = build_lead_unassigned(notice(reason="割り当てられる担当者がいません"), tz=TOKYO)
    assert message_problems(message) == []
    assert "割り当てられる担当者がいません" in str(message["blocks"])
    assert "isops リード番号 42" in str(message["blocks"])


def test_import_modal_and_result_are_valid_views() -> None:
    modal = build_import_modal()
    assert view_problems(modal) == []
    assert modal["callback_id"] == ids.LEADS_IMPORT_VIEW
    inputs = {b["block_id"]: b["element"] for b in modal["blocks"] if b["type"] == "input"}
    assert inputs[ids.LEADS_IMPORT_CSV]["multiline"] is True
    assert inputs[ids.LEADS_IMPORT_CSV]["max_length"] == 3000
    result = build_import_result(summary="2 行: 新規 2 件", ignored_columns=["備考"], dry_run=False)
    assert view_problems(result) == []
    assert "備考" in str(result["blocks"])


def test_import_errors_text_lists_the_first_and_counts_the_rest() -> None:
    errors = [f"行 {n}, 列 メール: 形式が違います" for n in range(2, 40)]
    text = import_errors_text(errors[:20], 38)
    assert text.startswith("取り込みませんでした。\n行 2, 列 メール")
    assert "行 11," in text and "行 12," not in text
    assert text.endswith("ほか 28 件")


def test_deadline_date_is_a_date() -> None:
    assert notice().deadline == dt.date(2026, 11, 30)
