"""Hand-off Block Kit builders (issue 12) as plain data: what each surface shows, user text
escaped, and Slack's limits kept with the longest input a form allows."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any
from zoneinfo import ZoneInfo

from bot import ids
from bot.blocks.handoff_list import build_handoff_list, unrated_text
from bot.blocks.handoff_messages import (
    build_handoff_dm,
    build_rep_notice,
    build_verdict_request,
    used_case_line,
    verdict_buttons,
)
from bot.blocks.handoff_modals import (
    build_invalid_modal,
    build_reschedule_modal,
    build_return_modal,
)
from bot.blocks.log_modal import LogModalOptions, build_log_modal
from bot.blocks.morning_dm import build_morning_dm
from bot.blocks.mrkdwn import MAX_SECTION_TEXT
from bot.forms.handoff import NO_CASE_VALUE
from bot.forms.log import LogMetadata, LogValues
from isops import limits
from isops.enums import HandoffVerdict, MeetingMode, Role
from isops.services.handoff_cases import CaseChoice, UsedCase
from isops.services.handoff_details import HandoffDetail, Person
from isops.services.handoff_reports import HandoffListing, UnratedHandoff
from isops.services.handoffs import FsMember
from isops.services.reminders import MorningDigest, RepDigest
from isops.settings import DEFAULT_INVALID_REASONS
from tests.fake_slack.blockkit_limits import message_problems, view_problems

TOKYO = ZoneInfo("Asia/Tokyo")


def jst(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=TOKYO).astimezone(dt.UTC)


HOSTILE = "<!channel> *至急* _確認_ ~取消~ `x` <https://evil.example|ここ> & > 引用"
OPEN = HandoffDetail(
    id=12,
    version=1,
    lead_id=345,
    company="株式会社ミライ工業",
    contact_name="山本 一郎",
    title="営業部長",
    role_level="マネージャー",
    industry="製造",
    source="資料請求",
    cv_at=jst(1, 10) - dt.timedelta(days=20),
    calls=4,
    mails=2,
    lead_status=5,
    lead_next_action_date=None,
    rep=Person("UR1", "佐藤"),
    fs=Person("UF1", "田中"),
    fs_manager_id=1,
    meeting_at=jst(1, 14),
    meeting_mode=MeetingMode.VISIT,
    situation="Excel で案件管理",
    problem="新人が 3 か月売れない",
    wants="導入事例と費用感",
    decision_process="",
    budget_timing="",
    created_at=jst(1, 10) - dt.timedelta(days=1),
    acknowledged_at=None,
    verdict=None,
    invalid_reason=None,
    comment=None,
    decided_by=None,
    decided_at=None,
    changed_by=None,
    changed_at=None,
    verdict_due_at=jst(1, 16),
    verdict_requests=0,
    next_request_at=jst(1, 16),
    fs_message_channel=None,
    fs_message_ts=None,
)
DECIDED = dataclasses.replace(
    OPEN,
    acknowledged_at=jst(1, 9),
    verdict=HandoffVerdict.INVALID,
    invalid_reason="決裁者不在",
    comment="部長の同席を次回お願いしたい",
    decided_by=Person("UF1", "田中"),
    decided_at=jst(1, 17, 12),
)


def _text(payload: Any) -> str:
    return json.dumps(payload, ensure_ascii=False)


def _action_ids(payload: dict[str, Any]) -> list[str]:
    return [
        str(e["action_id"])
        for b in payload["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]


def test_the_fs_dm_shows_the_card_the_note_and_the_state() -> None:
    new = build_handoff_dm(OPEN, tz=TOKYO)
    for shown in ("株式会社ミライ工業", "山本 一郎 様", "12/1(火) 14:00", "🏢 訪問", "📞 4 ・ ✉️ 2"):
        assert shown in _text(new), shown
    assert "課題" in _text(new) and "役割・決裁" not in _text(new)  # empty parts left out
    assert _action_ids(new) == [ids.HANDOFF_ACK_BUTTON, ids.HANDOFF_RESCHEDULE_BUTTON]
    acked = build_handoff_dm(dataclasses.replace(OPEN, acknowledged_at=jst(1, 9, 5)), tz=TOKYO)
    assert "12/1(火) 09:05 に受け取りました" in _text(acked)
    assert _action_ids(acked) == [ids.HANDOFF_RESCHEDULE_BUTTON]
    decided = build_handoff_dm(DECIDED, tz=TOKYO)
    assert _action_ids(decided) == [] and "有効商談ではない (決裁者不在)" in _text(decided)


def test_the_longest_note_and_hostile_text_stay_within_slacks_limits_and_inert() -> None:
    longest = "&<>" * (limits.HANDOFF_NOTE // 3) + "a"  # each escaped to 4-5 characters
    detail = dataclasses.replace(
        DECIDED,
        company=HOSTILE,
        contact_name=HOSTILE,
        title=HOSTILE,
        industry=HOSTILE,
        source=HOSTILE,
        **{
            name: longest
            for name in ("situation", "problem", "wants", "decision_process", "budget_timing")
        },
        comment=HOSTILE + "x" * (limits.HANDOFF_COMMENT - len(HOSTILE)),
    )
    payloads = [
        build_handoff_dm(detail, tz=TOKYO),
        build_handoff_dm(dataclasses.replace(detail, verdict=None), tz=TOKYO),
        build_verdict_request(detail, number=3, version=1, tz=TOKYO),
        build_verdict_request(
            dataclasses.replace(detail, verdict=None), number=1, version=1, tz=TOKYO
        ),
        build_rep_notice(
            detail,
            {"event": "decided", "verdict": "returned", "comment": HOSTILE * 20, "by": HOSTILE},
            tz=TOKYO,
        ),
        build_handoff_list(HandoffListing(Role.ADMIN, (detail,), 1, jst(2, 9)), tz=TOKYO),
    ]
    for payload in payloads:
        assert payload is not None
        assert message_problems(payload) == []
        shown = _text(payload)
        assert "<!channel>" not in shown and "<https://evil" not in shown
        assert "*至急*" not in shown and "_確認_" not in shown


def test_the_verdict_request_has_the_four_buttons_until_decided_or_moved() -> None:
    asking = build_verdict_request(OPEN, number=2, version=1, tz=TOKYO)
    assert _action_ids(asking) == [
        ids.HANDOFF_VALID_BUTTON,
        ids.HANDOFF_INVALID_BUTTON,
        ids.HANDOFF_RESCHEDULE_BUTTON,
        ids.HANDOFF_RETURN_BUTTON,
    ]
    assert "(2/3 回目)" in _text(asking)
    values = {e["value"] for b in asking["blocks"] if b["type"] == "actions" for e in b["elements"]}
    assert values == {"12"}
    moved = build_verdict_request(
        dataclasses.replace(OPEN, version=2, meeting_at=jst(3, 17)), number=1, version=1, tz=TOKYO
    )
    assert _action_ids(moved) == [] and "12/3(木) 17:00* に変更されました" in _text(moved)
    assert _action_ids(build_verdict_request(DECIDED, number=1, version=1, tz=TOKYO)) == []


def test_an_admins_change_buttons_carry_the_change_and_leave_out_the_same_verdict() -> None:
    valid = dataclasses.replace(DECIDED, verdict=HandoffVerdict.VALID, invalid_reason=None)
    block = verdict_buttons(valid, change=True)
    assert [e["action_id"] for e in block["elements"]] == [
        ids.HANDOFF_INVALID_BUTTON,
        ids.HANDOFF_RETURN_BUTTON,
    ]
    assert {e["value"] for e in block["elements"]} == {"12:change"}


def test_the_rep_hears_each_event_and_gets_a_log_button_only_when_the_lead_came_back() -> None:
    acked = build_rep_notice(OPEN, {"event": "acknowledged"}, tz=TOKYO)
    assert acked is not None and "<@UF1> さんが引き継ぎを受け取りました" in _text(acked)
    moved = build_rep_notice(
        dataclasses.replace(OPEN, meeting_at=jst(3, 17)),
        {"event": "rescheduled", "previous_meeting_at": jst(1, 14).isoformat()},
        tz=TOKYO,
    )
    assert moved is not None and "~12/1(火) 14:00~" in _text(moved)
    invalid = build_rep_notice(
        DECIDED,
        {
            "event": "decided",
            "verdict": "invalid",
            "reason": "決裁者不在",
            "comment": "次回は部長も",
        },
        tz=TOKYO,
    )
    assert invalid is not None and "決裁者不在" in _text(invalid) and _action_ids(invalid) == []
    returned = build_rep_notice(
        OPEN,
        {
            "event": "decided",
            "verdict": "returned",
            "comment": "2 月に再提案",
            "next_action_date": "2027-01-15",
        },
        tz=TOKYO,
    )
    assert returned is not None and _action_ids(returned) == [ids.LOG_LEAD_BUTTON]
    assert "1/15(金)" in _text(returned) and "接続済" in _text(returned)
    assert build_rep_notice(OPEN, {"event": "unknown"}, tz=TOKYO) is None


def _status_5_modal(**options: Any) -> dict[str, Any]:
    """The call log modal with status 5 chosen: its hand-off section with `options`."""
    return build_log_modal(
        meta=LogMetadata(mode="call"),
        selected=None,
        values=LogValues(status=5),
        options=LogModalOptions(
            reason_codes=["対象外"], focus_max_days=60, today=dt.date(2026, 11, 30), **options
        ),
    )


def test_the_modals_keep_slacks_limits() -> None:
    many_fs = [FsMember(i, f"UF{i}", f"FS メンバー{i}" * 8, "東京") for i in range(1, 101)]

    def log(fs: list[FsMember]) -> dict[str, Any]:
        return _status_5_modal(fs_members=fs)

    section = log(many_fs)
    assert view_problems(section) == []
    fs_block = next(b for b in section["blocks"] if b.get("block_id") == ids.HANDOFF_FS_BLOCK)
    assert "initial_option" not in fs_block["element"]  # several FS: the rep chooses
    one = log(many_fs[:1])
    one_block = next(b for b in one["blocks"] if b.get("block_id") == ids.HANDOFF_FS_BLOCK)
    assert one_block["element"]["initial_option"]["value"] == "1"
    reasons = [f"理由{i}" for i in range(150)]
    for view in (
        build_invalid_modal(OPEN, reasons=reasons, metadata="{}", tz=TOKYO),
        build_invalid_modal(OPEN, reasons=DEFAULT_INVALID_REASONS, metadata="{}", tz=TOKYO),
        build_reschedule_modal(OPEN, metadata="{}", tz=TOKYO),
        build_return_modal(
            OPEN, metadata="{}", tz=TOKYO, today=dt.date(2026, 12, 1), focus_max_days=60
        ),
    ):
        assert view_problems(view) == []
    moved = build_reschedule_modal(OPEN, metadata="{}", tz=TOKYO)
    initial = [
        b["element"].get("initial_date") or b["element"].get("initial_time")
        for b in moved["blocks"]
        if b["type"] == "input"
    ]
    assert initial == ["2026-12-01", "14:00"]


def test_a_long_list_stays_within_fifty_blocks() -> None:
    items = tuple(dataclasses.replace(OPEN, id=i, lead_id=i) for i in range(1, 31))
    for role in (Role.FS, Role.ADMIN, Role.REP, Role.MANAGER):
        payload = build_handoff_list(HandoffListing(role, items, 40, jst(2, 9)), tz=TOKYO)
        assert message_problems(payload) == [] and payload["response_type"] == "ephemeral"
        assert "*" not in payload["text"]
    empty = build_handoff_list(HandoffListing(Role.REP, (), 0, jst(2, 9)), tz=TOKYO)
    assert "ステータス 5" in empty["text"]


def test_fs_unrated_in_the_morning_dm_is_capped() -> None:
    unrated = tuple(
        UnratedHandoff(
            i,
            i,
            f"株式会社{i}" + "長" * 150,
            "山本",
            "田中",
            "佐藤",
            jst(1, 14),
            dt.date(2026, 12, 1),
        )
        for i in range(30)
    )
    text = unrated_text(unrated)
    assert len(text) <= MAX_SECTION_TEXT and "FS 未評価 30 件" in text and "…他 22 件" in text
    digest = MorningDigest(1, "UM1", "山田", dt.date(2026, 12, 4), RepDigest(), fs_unrated=unrated)
    assert not digest.is_empty
    message = build_morning_dm(digest)
    assert message_problems(message) == [] and "🗳 FS 未評価 30 件" in message["text"]


def test_a_note_full_of_escaped_characters_is_cut_before_escaping() -> None:
    longest = "&" * limits.HANDOFF_NOTE  # 5 characters each once escaped
    message = build_handoff_dm(dataclasses.replace(OPEN, problem=longest), tz=TOKYO)
    (problem,) = [
        b["text"]["text"]
        for b in message["blocks"]
        if "*課題*" in b.get("text", {}).get("text", "")
    ]
    assert len(problem) <= MAX_SECTION_TEXT
    assert problem.endswith("&amp;…")  # never a half entity such as "&am…"


def test_an_admins_change_is_shown_as_theirs_and_an_admins_acknowledgement_too() -> None:
    changed = dataclasses.replace(DECIDED, changed_by=Person("UA", "管理者"), changed_at=jst(2, 10))
    shown = _text(build_verdict_request(changed, number=1, version=1, tz=TOKYO))
    assert "<@UA> さん (管理者) が 12/2(水) 10:00 に評価を変更しました" in shown
    assert "<@UF1>" not in shown
    acked = build_rep_notice(OPEN, {"event": "acknowledged", "by_slack_user_id": "UA"}, tz=TOKYO)
    assert acked is not None and "<@UA> さんが引き継ぎを受け取りました" in _text(acked)


# -- the case used (issue 14) -------------------------------------------------------------------------


def test_the_case_select_caps_at_100_options_and_suggests_the_best_match_first() -> None:
    many = [CaseChoice(i, f"事例{i} " + "長いタイトル" * 30, "製造") for i in range(1, 151)]

    def section(cases: list[CaseChoice], best: int | None) -> dict[str, Any]:
        return _status_5_modal(
            fs_members=[FsMember(1, "UF1", "田中", None)], handoff_cases=cases, best_case_id=best
        )

    view = section(many, 1)
    assert view_problems(view) == []
    block = next(b for b in view["blocks"] if b.get("block_id") == ids.HANDOFF_CASE_BLOCK)
    options = block["element"]["options"]
    assert len(options) == 100 and options[-1]["value"] == NO_CASE_VALUE
    assert all(len(o["text"]["text"]) <= 75 for o in options)
    # Suggested first, never preselected: a case counts only when the rep says it was used.
    assert options[0]["value"] == "1" and options[0]["text"]["text"].startswith("おすすめ: ")
    assert "initial_option" not in block["element"] and block["optional"]
    unmatched = section(many[:3], None)
    block = next(b for b in unmatched["blocks"] if b.get("block_id") == ids.HANDOFF_CASE_BLOCK)
    assert "initial_option" not in block["element"]
    assert not any("おすすめ" in o["text"]["text"] for o in block["element"]["options"])
    assert ids.HANDOFF_CASE_BLOCK not in _text(section([], None))  # no cases: no select


def test_the_fs_dm_names_the_case_used_escaped_and_nothing_without() -> None:
    used = UsedCase(7, HOSTILE, "新人が <売れない>", "立ち上がりの短縮", "3→1か月")
    dm = build_handoff_dm(dataclasses.replace(OPEN, case=used), tz=TOKYO)
    assert message_problems(dm) == []
    line = next(b for b in dm["blocks"] if "使った事例" in _text(b))
    assert "<!channel>" not in line["text"]["text"] and "&lt;!channel&gt;" in line["text"]["text"]
    assert line["text"]["text"].endswith(" — 新人が &lt;売れない&gt; → *立ち上がりの短縮* 3→1か月")
    assert line["accessory"]["value"] == "7"
    assert "使った事例" not in _text(build_handoff_dm(OPEN, tz=TOKYO))
    bare = UsedCase(7, "タイトルだけ", None, None, None)
    assert used_case_line(bare) == "💡 *使った事例*: タイトルだけ"
