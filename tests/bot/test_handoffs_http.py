"""Hand-off to FS and the verdict (issue 12) over real HTTP against the fake Slack, on SQLite
and PostgreSQL: the log modal asking for the hand-off at status 5, the FS's DM and 受け取りました,
verdict requests by `isops handoffs remind --at` (once per due moment), ✅ / ❌ / 📅 / ↩️, refusals,
two verdicts at once, `/isops handoffs`, and FS 未評価 in the manager's morning DM."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot import ids
from bot.cli import main
from bot.jobs.handoffs import VerdictRequests
from bot.jobs.reminders import MorningReminders
from isops.clock import utcnow
from isops.enums import ActionStatus, HandoffVerdict, Role, RoleLevel
from isops.models import Case, Handoff, Lead, LeadHistory, Notification
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.services.live_lists import HOME_SETTLE
from tests import factories
from tests.bot import clicks
from tests.bot.clicks import action_ids, at_once, await_call, click, reply_to
from tests.bot.modal_state import fill
from tests.factories import jst
from tests.fake_slack import RecordedCall, SentResponse
from tests.harness import BOT_TOKEN, BotHarness

MON = dt.date(2026, 11, 30)
TUE = dt.date(2026, 12, 1)
WED = dt.date(2026, 12, 2)
THU = dt.date(2026, 12, 3)
FRI = dt.date(2026, 12, 4)
COMPANY = "株式会社ミライ工業"
PROBLEM = "営業の立ち上がりが遅く、新人が 3 か月売れない"
WANTS = "同業の導入事例と 50 名規模の費用感"


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    """UM1 (山田) manages rep UR1 (佐藤) and FS UF1 (田中); UF2 (鈴木) is another FS; UR2 is
    another team's rep under UM2; UA an admin. The clock: Monday 10:00 in Tokyo, ticking."""
    factories.member(bot.uow(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(bot.uow(), "UM2", role=Role.MANAGER, name="鈴木部長")
    factories.member(bot.uow(), "UA", role=Role.ADMIN, name="管理者")
    factories.member(bot.uow(), "UR1", manager="UM1", name="佐藤")
    factories.member(bot.uow(), "UR2", manager="UM2", name="高橋")
    factories.member(bot.uow(), "UF1", role=Role.FS, manager="UM1", name="田中")
    factories.member(bot.uow(), "UF2", role=Role.FS, name="鈴木")
    with time_machine.travel(jst(MON, 10), tick=True):
        yield bot


TEAM_IDS = {"UM1": 1, "UM2": 2, "UA": 3, "UR1": 4, "UR2": 5, "UF1": 6, "UF2": 7}


def _member_id(bot: BotHarness, slack_user_id: str) -> int:
    """`team`'s members by Slack id. Known without a query (both databases start empty and
    `team` creates them in this order), so usable inside another unit of work: on SQLite a
    second one would wait for the first's write lock."""
    return TEAM_IDS[slack_user_id]


def _text(call: RecordedCall | dict[str, Any]) -> str:
    params = call.params if isinstance(call, RecordedCall) else call
    return json.dumps(params, ensure_ascii=False)


def _dm(bot: BotHarness, user: str, *shown: str) -> RecordedCall:
    """The first message posted to `user`'s DM that shows every one of `shown`, waiting for it."""
    return await_call(
        bot,
        "chat.postMessage",
        lambda c: c.params["channel"] == user and all(text in _text(c) for text in shown),
    )


def _drain_outbox(bot: BotHarness) -> None:
    """Every notification due is sent before this returns (see test_reviews_http), the Home
    refreshes that wait a moment (HOME_SETTLE) included."""
    bot.runtime.outbox.stop()
    with time_machine.travel(utcnow() + 2 * HOME_SETTLE, tick=True):
        while bot.runtime.outbox.run_once() > 0:
            pass


def _open_log_modal(bot: BotHarness, rep: str, company: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    bot.command("/log-call", company, user_id=rep)
    opened = bot.fake.wait_for("views.open", count=before + 1)[-1]
    return dict(opened.response["view"])


def _submit_status_5(bot: BotHarness, rep: str, lead_id: int, company: str) -> dict[str, Any]:
    """`/log-call`, status 5 and a connected call, submitted: the modal comes back with the
    hand-off section (nothing saved yet). Returns that view, with the modal's id."""
    view = _open_log_modal(bot, rep, company)
    values = fill(
        view,
        **{
            ids.LOG_LEAD_BLOCK: str(lead_id),
            ids.LOG_OUTCOME_BLOCK: "call:接続",
            ids.LOG_STATUS_BLOCK: "5",
            ids.LOG_MEMO_BLOCK: "来週火曜にデモ。部長も同席予定",
        },
    )
    answer = bot.sender.view_submission(user_id=rep, view=view, values=values)
    assert answer.json is not None and answer.json["response_action"] == "update", answer.body
    return {**answer.json["view"], "id": view["id"]}


def _handoff_values(bot: BotHarness, view: dict[str, Any], **changes: Any) -> dict[str, Any]:
    typed: dict[str, Any] = {
        ids.HANDOFF_FS_BLOCK: str(_member_id(bot, "UF1")),
        ids.HANDOFF_DATE_BLOCK: TUE,
        ids.HANDOFF_TIME_BLOCK: "14:00",
        ids.HANDOFF_MODE_BLOCK: "visit",
        ids.HANDOFF_PROBLEM_BLOCK: PROBLEM,
        ids.HANDOFF_WANTS_BLOCK: WANTS,
        ids.HANDOFF_SITUATION_BLOCK: "Excel で案件管理。*全社* で SFA を入れたい",
        ids.HANDOFF_DECISION_BLOCK: "部長が決裁、役員会で最終承認",
        ids.HANDOFF_BUDGET_BLOCK: "来期 4 月から、年 300 万円まで",
    }
    typed.update(changes)
    return fill(view, **typed)


def _hand_off(
    bot: BotHarness, *, company: str = COMPANY, rep: str = "UR1", **changes: Any
) -> tuple[int, int, RecordedCall]:
    """A lead handed off through the log modal; (lead id, hand-off id, the FS's DM)."""
    lead_id = factories.lead(bot.uow(), owner=rep, company=company, status=3, contact_name="山本")
    view = _submit_status_5(bot, rep, lead_id, company)
    answer = bot.sender.view_submission(
        user_id=rep, view=view, values=_handoff_values(bot, view, **changes)
    )
    assert answer.status == 200 and not answer.body, answer.body  # saved, the modal closed
    with bot.uow() as uow:
        handoff_id = uow.session.scalars(select(Handoff.id).where(Handoff.lead_id == lead_id)).one()
    return lead_id, handoff_id, _dm(bot, "UF1", company, "引き継ぎ")


def _click(
    bot: BotHarness, message: dict[str, Any], channel: str, user: str, action_id: str
) -> str:
    """Click `action_id` on a message; returns the click's response_url."""
    return click(bot, user=user, action_id=action_id, message=message, channel=channel)[1]


def _rate_valid(bot: BotHarness, request: RecordedCall) -> None:
    """The FS clicks ✅ 有効商談 on the verdict request; waits for the request's update."""
    _click(
        bot,
        dict(request.response["message"]),
        str(request.response["channel"]),
        "UF1",
        ids.HANDOFF_VALID_BUTTON,
    )
    await_call(bot, "chat.update", lambda c: c.params["ts"] == request.response["ts"])


@pytest.fixture
def cli_env(
    team: BotHarness, database_url: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> BotHarness:
    """`isops` on the bot's database, sending to the same fake Slack."""
    monkeypatch.chdir(tmp_path)  # no developer .env
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
    monkeypatch.setenv("SLACK_API_URL", team.fake.api_url)
    for name in ("SLACK_SIGNING_SECRET", "SLACK_APP_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return team


def _requests(bot: BotHarness) -> list[RecordedCall]:
    """Verdict requests delivered (by their delivery key, not their wording)."""
    return [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.response.get("ok")
        and str(c.params["metadata"]["event_payload"]["key"]).startswith("handoff-verdict:")
    ]


def _nothing_handed_off(bot: BotHarness, lead_id: int) -> None:
    """The status-5 submission saved nothing: no hand-off and no notification, and the lead
    still at 3 (connected)."""
    assert factories.count(bot.uow, Handoff) == 0
    assert factories.count(bot.uow, Notification) == 0
    with bot.uow() as uow:
        assert uow.session.get_one(Lead, lead_id).status == ActionStatus.CONNECTED


def _snapshot(bot: BotHarness, handoff_id: int) -> tuple[Any, ...]:
    """What a refused click or submission must leave alone: the hand-off, its lead's hand-off
    fields, and how many history rows and notifications exist."""
    with bot.uow() as uow:
        handoff = uow.session.get_one(Handoff, handoff_id)
        lead = uow.session.get_one(Lead, handoff.lead_id)
        own = (handoff.verdict, handoff.decided_by_id, handoff.version, handoff.meeting_at)
        leads = (lead.status, lead.fs_member_id)
    counts = (factories.count(bot.uow, LeadHistory), factories.count(bot.uow, Notification))
    return (*own, *leads, *counts)


# -- Done when: a rep logs 5 with a hand-off → the FS gets the DM; acknowledging updates it ----


def test_logging_5_hands_off_to_the_fs_and_acknowledging_updates_the_dm(
    team: BotHarness,
) -> None:
    bot = team
    lead_id = factories.lead(
        bot.uow(), owner="UR1", company=COMPANY, status=3, contact_name="山本 一郎"
    )
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        lead.industry, lead.source, lead.title = "製造", "資料請求", "営業部長"
        uow.commit()
    for _ in range(2):
        factories.action(bot.uow(), lead_id, by="UR1")
    view = _submit_status_5(bot, "UR1", lead_id, COMPANY)
    # Nothing saved yet; the modal asks for the hand-off and keeps what was typed.
    _nothing_handed_off(bot, lead_id)
    blocks = [b.get("block_id") for b in view["blocks"]]
    for block in (ids.HANDOFF_FS_BLOCK, ids.HANDOFF_PROBLEM_BLOCK, ids.HANDOFF_WANTS_BLOCK):
        assert block in blocks
    assert "来週火曜にデモ" in _text(view)
    fs_options = next(b for b in view["blocks"] if b.get("block_id") == ids.HANDOFF_FS_BLOCK)
    assert {o["text"]["text"] for o in fs_options["element"]["options"]} == {"田中", "鈴木"}

    answer = bot.sender.view_submission(user_id="UR1", view=view, values=_handoff_values(bot, view))

    assert answer.status == 200 and not answer.body
    dm = _dm(bot, "UF1")
    shown = _text(dm)
    for expected in (
        COMPANY,
        "山本 一郎 様",
        "営業部長",
        "製造",
        "資料請求",
        "📞 3 ・ ✉️ 0",  # two logged before + the connected call
        PROBLEM,
        WANTS,
        "部長が決裁",
        "年 300 万円",
        "12/1(火) 14:00",
        "🏢 訪問",
        "<@UR1>",
    ):
        assert expected in shown, expected
    assert "*全社*" not in shown  # user text escaped: no bold from what the rep typed
    assert action_ids(dm.params) == [ids.HANDOFF_ACK_BUTTON, ids.HANDOFF_RESCHEDULE_BUTTON]
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        assert lead.status == ActionStatus.MEETING
        assert (lead.owner_id, lead.fs_member_id) == (
            _member_id(bot, "UR1"),
            _member_id(bot, "UF1"),
        )
        handoff_id = uow.session.scalars(select(Handoff.id)).one()

    message, channel = dict(dm.response["message"]), str(dm.response["channel"])
    for stranger in ("UR1", "UF2"):  # the rep and another FS: refused, nothing changes
        before = _snapshot(bot, handoff_id)
        refused = reply_to(bot, _click(bot, message, channel, stranger, ids.HANDOFF_ACK_BUTTON))
        assert "田中 さん" in refused.params["text"]
        assert refused.params["response_type"] == "ephemeral"
        assert _snapshot(bot, handoff_id) == before

    _click(bot, message, channel, "UF1", ids.HANDOFF_ACK_BUTTON)

    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == dm.response["ts"])
    assert updated.params["channel"] == channel and "に受け取りました" in _text(updated)
    assert action_ids(updated.params) == [ids.HANDOFF_RESCHEDULE_BUTTON]  # 受け取りました gone
    told = _dm(bot, "UR1", "受け取りました")
    assert "<@UF1>" in _text(told) and COMPANY in _text(told)
    with bot.uow() as uow:
        stored = uow.session.get_one(Handoff, handoff_id)
        assert stored.acknowledged_at is not None
        # Updated where the sender recorded the DM (never where a click said).
        assert (stored.fs_message_channel, stored.fs_message_ts) == (channel, dm.response["ts"])
        notes = uow.session.scalars(
            select(LeadHistory.note).where(LeadHistory.field == "handoff").order_by(LeadHistory.id)
        ).all()
    assert len(notes) == 2 and "田中 さんへ引き継ぎ" in notes[0] and "受け取りました" in notes[1]


# -- inline errors --------------------------------------------------------------------------------


def test_bad_hand_off_input_comes_back_inline_and_nothing_is_saved(team: BotHarness) -> None:
    bot = team
    lead_id = factories.lead(bot.uow(), owner="UR1", company=COMPANY, status=3)
    view = _submit_status_5(bot, "UR1", lead_id, COMPANY)
    for changes, block, words in (
        ({ids.HANDOFF_DATE_BLOCK: dt.date(2026, 11, 27)}, ids.HANDOFF_DATE_BLOCK, "過去"),
        ({ids.HANDOFF_PROBLEM_BLOCK: " "}, ids.HANDOFF_PROBLEM_BLOCK, "課題"),
        ({ids.HANDOFF_WANTS_BLOCK: None}, ids.HANDOFF_WANTS_BLOCK, "求めている情報"),
    ):
        answer = bot.sender.view_submission(
            user_id="UR1", view=view, values=_handoff_values(bot, view, **changes)
        )
        assert answer.json is not None and answer.json["response_action"] == "errors"
        assert list(answer.json["errors"]) == [block]
        assert words in answer.json["errors"][block]
    _nothing_handed_off(bot, lead_id)


def test_status_5_without_any_fs_member_says_how_to_register_one(bot: BotHarness) -> None:
    factories.member(bot.uow(), "UR1", name="佐藤")
    lead_id = factories.lead(bot.uow(), owner="UR1", company=COMPANY, status=3)
    view = _open_log_modal(bot, "UR1", COMPANY)
    values = fill(
        view,
        **{
            ids.LOG_LEAD_BLOCK: str(lead_id),
            ids.LOG_OUTCOME_BLOCK: "call:接続",
            ids.LOG_STATUS_BLOCK: "5",
        },
    )
    answer = bot.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json is not None and answer.json["response_action"] == "errors"
    (message,) = answer.json["errors"].values()
    assert "isops member add U… --name 名前 --role fs" in message
    assert factories.count(bot.uow, Notification) == 0


# -- Done when: remind --at after the meeting → request; ✅ → rep DM; again → nothing -------------


def test_remind_after_the_meeting_asks_once_and_a_valid_verdict_reaches_the_rep(
    cli_env: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = cli_env
    lead_id, handoff_id, _ = _hand_off(bot)
    _drain_outbox(bot)

    assert main(["handoffs", "remind", "--at", "2026-12-01T15:59"]) == 0  # meeting not over
    assert _requests(bot) == [] and "送信 0 件" in capsys.readouterr().out
    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00", "--dry-run"]) == 0
    assert "田中 (UF1)" in capsys.readouterr().out and _requests(bot) == []

    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 0

    assert "送信 1 件" in capsys.readouterr().out
    (request,) = _requests(bot)
    assert request.params["channel"] == "UF1"
    assert request.params["metadata"]["event_payload"]["key"] == f"handoff-verdict:{handoff_id}:1:1"
    assert action_ids(request.params) == [
        ids.HANDOFF_VALID_BUTTON,
        ids.HANDOFF_INVALID_BUTTON,
        ids.HANDOFF_RESCHEDULE_BUTTON,
        ids.HANDOFF_RETURN_BUTTON,
    ]
    assert COMPANY in _text(request) and PROBLEM[:10] in _text(request)

    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 0  # the same again
    assert "送信 0 件" in capsys.readouterr().out and len(_requests(bot)) == 1

    bot.runtime.outbox.start()
    message, channel = dict(request.response["message"]), str(request.response["channel"])
    _click(bot, message, channel, "UF1", ids.HANDOFF_VALID_BUTTON)

    dm = _dm(bot, "UR1", "有効商談")
    assert "✅" in _text(dm) and COMPANY in _text(dm) and "<@UF1>" in _text(dm)
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == request.response["ts"])
    assert action_ids(updated.params) == [] and "有効商談" in _text(updated)
    with bot.uow() as uow:
        handoff = uow.session.get_one(Handoff, handoff_id)
        assert handoff.verdict is HandoffVerdict.VALID
        assert handoff.decided_by_id == _member_id(bot, "UF1")
        assert uow.session.get_one(Lead, lead_id).status == ActionStatus.MEETING
    # The lead's hand-off shows the verdict, to the rep.
    bot.command("/isops", "handoffs", user_id="UR1")
    (listing,) = bot.fake.wait_for("response_url")
    assert COMPANY in _text(listing) and "✅ 有効商談" in _text(listing)

    _drain_outbox(bot)
    before = len(bot.fake.calls_to("chat.postMessage"))
    for later in ("2026-12-02T09:00", "2026-12-03T09:00"):  # decided: no more requests
        assert main(["handoffs", "remind", "--at", later]) == 0
    assert len(bot.fake.calls_to("chat.postMessage")) == before


# -- Done when: ❌ with a reason, ↩️ IS に戻す, refusals, one winner ------------------------------------


def _request_for(bot: BotHarness, handoff_id: int) -> RecordedCall:
    """The hand-off's first verdict request, sent by the job's runner as of Tuesday 16:00 (or
    by the bot's background sender, which may claim it first)."""
    VerdictRequests(bot.runtime.deps, bot.runtime.outbox.client).run(at=jst(TUE, 16))
    key = f"handoff-verdict:{handoff_id}:1:1"
    return await_call(
        bot,
        "chat.postMessage",
        lambda c: (
            (c.params.get("metadata") or {}).get("event_payload", {}).get("key") == key
            and c.response.get("ok") is True
        ),
    )


def _open_modal(
    bot: BotHarness, request: RecordedCall, user: str, action_id: str
) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.open"))
    _click(
        bot, dict(request.response["message"]), str(request.response["channel"]), user, action_id
    )
    opened = bot.fake.wait_for("views.open", count=before + 1)[-1]
    assert opened.response["ok"], opened.response
    return dict(opened.response["view"])


def test_not_a_valid_opportunity_needs_a_reason_and_tells_the_rep_why(team: BotHarness) -> None:
    bot = team
    _, handoff_id, _ = _hand_off(bot)
    request = _request_for(bot, handoff_id)
    view = _open_modal(bot, request, "UF1", ids.HANDOFF_INVALID_BUTTON)
    assert view["callback_id"] == ids.HANDOFF_INVALID_VIEW
    reasons = next(b for b in view["blocks"] if b.get("block_id") == ids.HANDOFF_REASON_INPUT)
    # The configured reasons (ISOPS_INVALID_REASONS), in their order.
    offered = [o["value"] for o in reasons["element"]["options"]]
    assert offered == list(bot.runtime.deps.settings.invalid_reasons)
    before = _snapshot(bot, handoff_id)
    answer = bot.sender.view_submission(
        user_id="UF1", view=view, values=fill(view, **{ids.HANDOFF_REASON_INPUT: "その他"})
    )
    assert answer.json is not None and answer.json["response_action"] == "errors"
    assert "その他" in answer.json["errors"][ids.HANDOFF_COMMENT_INPUT]
    assert _snapshot(bot, handoff_id) == before

    comment = "担当者のみの参加で <!channel> 決裁者の同席を次回依頼"
    answer = bot.sender.view_submission(
        user_id="UF1",
        view=view,
        values=fill(
            view, **{ids.HANDOFF_REASON_INPUT: "決裁者不在", ids.HANDOFF_COMMENT_INPUT: comment}
        ),
    )

    assert answer.status == 200 and not answer.body
    dm = _dm(bot, "UR1", "有効商談ではない")
    assert "決裁者不在" in _text(dm) and "&lt;!channel&gt;" in _text(dm)
    assert "<!channel>" not in _text(dm)
    assert ids.LOG_LEAD_BUTTON not in action_ids(dm.params)  # the lead stays with FS
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == request.response["ts"])
    assert "決裁者不在" in _text(updated) and action_ids(updated.params) == []
    with bot.uow() as uow:
        handoff = uow.session.get_one(Handoff, handoff_id)
        assert (handoff.verdict, handoff.invalid_reason) == (HandoffVerdict.INVALID, "決裁者不在")


def test_return_to_is_gives_the_lead_back_to_the_rep_with_a_log_button(team: BotHarness) -> None:
    bot = team
    lead_id, handoff_id, _ = _hand_off(bot)
    request = _request_for(bot, handoff_id)
    view = _open_modal(bot, request, "UF1", ids.HANDOFF_RETURN_BUTTON)
    next_date = WED + dt.timedelta(days=30)
    answer = bot.sender.view_submission(
        user_id="UF1",
        view=view,
        values=fill(
            view,
            **{
                ids.HANDOFF_COMMENT_INPUT: "来期予算の確定後 (2 月) に再提案を。資料は送付済み",
                ids.HANDOFF_NEXT_DATE_INPUT: next_date,
            },
        ),
    )
    assert answer.status == 200 and not answer.body
    dm = _dm(bot, "UR1", "IS に戻され")
    assert "来期予算の確定後" in _text(dm) and "接続済" in _text(dm)
    assert clicks.button_values(dm.params, ids.LOG_LEAD_BUTTON) == [str(lead_id)]
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        assert (lead.status, lead.next_action_date, lead.fs_member_id) == (3, next_date, None)
        assert lead.owner_id == _member_id(bot, "UR1")
        fields = uow.session.scalars(
            select(LeadHistory.field).where(LeadHistory.lead_id == lead_id).order_by(LeadHistory.id)
        ).all()
    assert fields.count("handoff") == 2 and "status" in fields and "next_action_date" in fields


@pytest.mark.parametrize("stranger", ["UR1", "UF2", "UM1"])
def test_a_click_by_the_rep_another_fs_or_a_manager_changes_nothing(
    team: BotHarness, stranger: str
) -> None:
    bot = team
    _, handoff_id, _ = _hand_off(bot)
    request = _request_for(bot, handoff_id)
    _drain_outbox(bot)
    before = _snapshot(bot, handoff_id)
    opened, updates = len(bot.fake.calls_to("views.open")), len(bot.fake.calls_to("chat.update"))
    message, channel = dict(request.response["message"]), str(request.response["channel"])
    for button in (
        ids.HANDOFF_VALID_BUTTON,
        ids.HANDOFF_INVALID_BUTTON,
        ids.HANDOFF_RESCHEDULE_BUTTON,
        ids.HANDOFF_RETURN_BUTTON,
    ):
        refused = reply_to(bot, _click(bot, message, channel, stranger, button))
        assert "引き継ぎ先の FS (田中 さん) か管理者だけ" in refused.params["text"]
        assert refused.params["response_type"] == "ephemeral"
    assert _snapshot(bot, handoff_id) == before
    assert len(bot.fake.calls_to("views.open")) == opened
    assert len(bot.fake.calls_to("chat.update")) == updates


def _race(bot: BotHarness, request: RecordedCall, view: dict[str, Any]) -> dict[str, Any]:
    """The FS clicks ✅ while the admin submits ❌, released at the same instant."""
    values = fill(view, **{ids.HANDOFF_REASON_INPUT: "予算なし"})
    message, channel = dict(request.response["message"]), str(request.response["channel"])
    return at_once(
        valid=lambda: _click(bot, message, channel, "UF1", ids.HANDOFF_VALID_BUTTON),
        invalid=lambda: bot.sender.view_submission(user_id="UA", view=view, values=values),
    )


def test_two_verdicts_at_once_one_wins_and_the_other_is_told_who(team: BotHarness) -> None:
    bot = team
    for round_ in range(3):
        lead_id, handoff_id, _ = _hand_off(bot, company=f"株式会社同時{round_}")
        request = _request_for(bot, handoff_id)
        answers = _race(bot, request, _open_modal(bot, request, "UA", ids.HANDOFF_INVALID_BUTTON))

        submitted: SentResponse = answers["invalid"]
        if submitted.json is None:  # ❌ won: the click is refused, naming the admin
            refused = reply_to(bot, answers["valid"])
            assert "管理者 さんが" in refused.params["text"]
            expected = HandoffVerdict.INVALID
        else:  # ✅ won: the modal says who decided
            assert submitted.json["response_action"] == "update"
            assert "田中 さんが" in _text(submitted.json["view"])
            expected = HandoffVerdict.VALID
        with bot.uow() as uow:
            assert uow.session.get_one(Handoff, handoff_id).verdict is expected
            verdicts = uow.session.scalars(
                select(LeadHistory.new_value).where(
                    LeadHistory.lead_id == lead_id, LeadHistory.field == "handoff"
                )
            ).all()
        assert verdicts == ["handed_off", expected.value]


# -- 📅 日程変更: the request moves with the meeting ---------------------------------------------------


def test_a_reschedule_moves_the_verdict_request(
    cli_env: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = cli_env
    _, handoff_id, _ = _hand_off(bot)
    request = _request_for(bot, handoff_id)
    view = _open_modal(bot, request, "UF1", ids.HANDOFF_RESCHEDULE_BUTTON)
    answer = bot.sender.view_submission(
        user_id="UF1",
        view=view,
        values=fill(view, **{ids.HANDOFF_NEW_DATE_INPUT: THU, ids.HANDOFF_NEW_TIME_INPUT: "17:00"}),
    )
    assert answer.status == 200 and not answer.body
    updated = await_call(bot, "chat.update", lambda c: c.params["ts"] == request.response["ts"])
    assert "日程が *12/3(木) 17:00* に変更されました" in _text(updated)
    assert action_ids(updated.params) == []
    told = _dm(bot, "UR1", "日程が変更")
    assert "12/3(木) 17:00" in _text(told)
    _drain_outbox(bot)
    before = len(_requests(bot))

    assert main(["handoffs", "remind", "--at", "2026-12-03T18:59"]) == 0  # 17:00 + 2 h = 19:00
    assert len(_requests(bot)) == before
    # 19:00 is after business hours: the next business morning.
    assert main(["handoffs", "remind", "--at", "2026-12-04T09:00"]) == 0
    requests = _requests(bot)
    assert len(requests) == before + 1
    assert requests[-1].params["metadata"]["event_payload"]["key"] == (
        f"handoff-verdict:{handoff_id}:2:1"
    )
    capsys.readouterr()


# -- Done when: three unanswered mornings → the FS's manager sees it ---------------------------------


def test_three_unanswered_requests_reach_the_fs_managers_morning_dm(team: BotHarness) -> None:
    bot = team
    _, handoff_id, _ = _hand_off(bot)
    _, other_handoff, _ = _hand_off(bot, company="株式会社ほか")
    _drain_outbox(bot)  # the runs below send their own messages
    deps, client = bot.runtime.deps, bot.runtime.outbox.client
    verdicts = VerdictRequests(deps, client)
    mornings = MorningReminders(deps, client)

    def morning_dm(user: str) -> str | None:
        dms = [
            c
            for c in bot.fake.calls_to("chat.postMessage")
            if c.params["channel"] == user
            and str(c.params["metadata"]["event_payload"]["key"]).startswith("morning:")
        ]
        return _text(dms[-1]) if dms else None

    with time_machine.travel(jst(TUE, 16), tick=False):
        assert len(verdicts.run().sent) == 2
    # The other meeting is rated: it never reaches the manager.
    with bot.uow() as uow:
        row = uow.session.get_one(Handoff, other_handoff)
        row.verdict, row.decided_at = HandoffVerdict.VALID, jst(TUE, 17)
        uow.commit()
    for day in (WED, THU):
        with time_machine.travel(jst(day, 9), tick=False):
            mornings.run()
            assert len(verdicts.run().sent) == 1
            assert "FS 未評価" not in (morning_dm("UM1") or "")
    with time_machine.travel(jst(FRI, 9), tick=False):
        assert verdicts.run().sent == []  # never a 4th request
        mornings.run()
    requests = [
        c.params["metadata"]["event_payload"]["key"]
        for c in _requests(bot)
        if c.params["metadata"]["event_payload"]["key"].startswith(f"handoff-verdict:{handoff_id}:")
    ]
    assert requests == [f"handoff-verdict:{handoff_id}:1:{n}" for n in (1, 2, 3)]
    seen = morning_dm("UM1")
    assert seen is not None and "FS 未評価 1 件" in seen and COMPANY in seen
    assert "株式会社ほか" not in seen and "FS 田中 さん" in seen
    assert "FS 未評価" not in (morning_dm("UM2") or "")


# -- /isops handoffs --------------------------------------------------------------------------------


def test_isops_handoffs_lists_by_role_and_the_fs_decides_from_the_list(team: BotHarness) -> None:
    bot = team
    _, handoff_id, _ = _hand_off(bot)
    factories.lead(bot.uow(), owner="UR2", company="株式会社よそ", status=3)
    with time_machine.travel(jst(TUE, 16, 30), tick=True):
        bot.command("/isops", "handoffs", user_id="UF1")
        (fs_list,) = bot.fake.wait_for("response_url")
        assert "評価待ち 1 件" in _text(fs_list) and COMPANY in _text(fs_list)
        assert action_ids(fs_list.params)[:2] == [
            ids.HANDOFF_VALID_BUTTON,
            ids.HANDOFF_INVALID_BUTTON,
        ]
        replies = {}
        for manager in ("UM1", "UM2"):
            replies[manager] = bot.response_url()
            bot.command("/isops", "handoffs", user_id=manager, response_url=replies[manager])
        team_list = reply_to(bot, replies["UM1"])
        assert COMPANY in _text(team_list) and action_ids(team_list.params) == []
        other_team = reply_to(bot, replies["UM2"])
        assert COMPANY not in _text(other_team) and "まだありません" in _text(other_team)

        response_url = clicks.click_in_list(
            bot,
            user="UF1",
            action_id=ids.HANDOFF_VALID_BUTTON,
            block_id=f"{ids.HANDOFF_ACTIONS_BLOCK}:{handoff_id}",
            value=str(handoff_id),
        )
        receipt = reply_to(bot, response_url)
        assert "✅ 有効商談" in _text(receipt) and receipt.params["replace_original"] is False
    with bot.uow() as uow:
        assert uow.session.get_one(Handoff, handoff_id).verdict is HandoffVerdict.VALID


def test_an_admin_changes_a_verdict_from_the_list_recorded_as_a_change(team: BotHarness) -> None:
    bot = team
    _, handoff_id, _ = _hand_off(bot)
    request = _request_for(bot, handoff_id)
    _rate_valid(bot, request)

    bot.command("/isops", "handoffs", user_id="UA")
    (listing,) = bot.fake.wait_for("response_url")
    values = clicks.button_values(listing.params)
    assert values and all(v == f"{handoff_id}:change" for v in values)
    before = len(bot.fake.calls_to("views.open"))
    clicks.click_in_list(
        bot,
        user="UA",
        action_id=ids.HANDOFF_INVALID_BUTTON,
        block_id=f"{ids.HANDOFF_ACTIONS_BLOCK}:{handoff_id}",
        value=f"{handoff_id}:change",
    )
    view = dict(bot.fake.wait_for("views.open", count=before + 1)[-1].response["view"])
    assert "評価を変更します" in _text(view)
    answer = bot.sender.view_submission(
        user_id="UA", view=view, values=fill(view, **{ids.HANDOFF_REASON_INPUT: "時期が先"})
    )
    assert answer.status == 200 and not answer.body
    dm = _dm(bot, "UR1", "評価が変更されました")
    assert "有効商談 → 有効商談ではない" in _text(dm)
    with bot.uow() as uow:
        handoff = uow.session.get_one(Handoff, handoff_id)
        assert handoff.verdict is HandoffVerdict.INVALID
        assert handoff.decided_by_id == _member_id(bot, "UF1")
        assert handoff.changed_by_id == _member_id(bot, "UA")
        note = uow.session.scalars(
            select(LeadHistory.note).where(LeadHistory.new_value == "invalid")
        ).one()
    assert note.startswith("管理者 管理者 さんが評価を変更 (有効商談 → 有効商談ではない)")


def test_a_request_survives_a_429_and_a_lost_answer_and_arrives_once(
    cli_env: BotHarness, capsys: pytest.CaptureFixture[str]
) -> None:
    bot = cli_env
    _, handoff_id, _ = _hand_off(bot)
    _drain_outbox(bot)  # sent by hand below, each attempt in turn
    key = f"handoff-verdict:{handoff_id}:1:1"
    bot.fake.fail_next("chat.postMessage", retry_after=30)  # longer than the outbox waits

    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 1

    assert "失敗 1 件" in capsys.readouterr().out and _requests(bot) == []
    assert bot.sleeps.waits == []  # nothing waited in place
    # The next try reaches Slack but its answer is lost; the one after finds it by its key.
    bot.fake.drop_next("chat.postMessage")
    with time_machine.travel(jst(MON, 10, 1), tick=False):
        assert bot.runtime.outbox.run_once() == 0
    with time_machine.travel(jst(MON, 10, 5), tick=False):
        assert bot.runtime.outbox.run_once() == 1
    stored = [
        m
        for m in bot.fake.messages("UF1")
        if (m.get("metadata") or {}).get("event_payload", {}).get("key") == key
    ]
    assert len(stored) == 1
    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 0  # a restart, again
    assert "送信 0 件" in capsys.readouterr().out
    assert (
        len(
            [
                m
                for m in bot.fake.messages("UF1")
                if "評価をお願いします" in json.dumps(m, ensure_ascii=False)
            ]
        )
        == 1
    )


# -- the case used (issue 14 points 3 and 6) ----------------------------------------------------------

CASE_TITLE = "製造業の営業部が<立ち上がり>を早めた"


def _case(bot: BotHarness, title: str, industry: str, **draft: Any) -> int:
    return create_case(
        bot.uow(),
        slack_user_id="UM1",
        draft=CaseDraft(
            title=title,
            industry=industry,
            chains=(
                ChainDraft("新人の立ち上がりが遅い", benefit="立ち上がりの短縮", figures="3→1か月"),
            ),
            **draft,
        ),
    ).case.id


def _archive(bot: BotHarness, case_id: int) -> None:
    with bot.uow() as uow:
        uow.session.get_one(Case, case_id).archived = True
        uow.commit()


def _manufacturing_lead(bot: BotHarness) -> int:
    lead_id = factories.lead(bot.uow(), owner="UR1", company=COMPANY, status=3)
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        lead.industry, lead.role_level = "製造", RoleLevel.MANAGER
        uow.commit()
    return lead_id


def _case_select(view: dict[str, Any]) -> dict[str, Any]:
    block = next(b for b in view["blocks"] if b.get("block_id") == ids.HANDOFF_CASE_BLOCK)
    assert block["optional"] is True
    element: dict[str, Any] = block["element"]
    return element


def test_the_case_used_reaches_the_fs_and_counts_for_the_case_once_rated_valid(
    cli_env: BotHarness,
) -> None:
    bot = cli_env
    best = _case(bot, CASE_TITLE, "製造", role_level=RoleLevel.MANAGER)
    _case(bot, "あ: 製造の別の事例", "製造")  # same industry, no role: not the best
    _case(bot, "い: 小売の事例", "小売")
    _archive(bot, _case(bot, "う: アーカイブした事例", "製造"))
    lead_id = _manufacturing_lead(bot)

    view = _submit_status_5(bot, "UR1", lead_id, COMPANY)

    select_ = _case_select(view)
    assert [o["text"]["text"] for o in select_["options"]] == [
        f"おすすめ: {CASE_TITLE}",  # the lead's best match first, then by title
        "あ: 製造の別の事例",
        "い: 小売の事例",  # archived ones not offered
        "使っていない",
    ]
    assert "initial_option" not in select_  # counted only when the rep says so

    values = _handoff_values(bot, view, **{ids.HANDOFF_CASE_BLOCK: str(best)})
    answer = bot.sender.view_submission(user_id="UR1", view=view, values=values)

    assert answer.status == 200 and not answer.body, answer.body
    with bot.uow() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert handoff.case_id == best
        handoff_id = handoff.id
    dm = _dm(bot, "UF1")
    line = next(b for b in dm.params["blocks"] if "使った事例" in _text(b))
    assert line["text"]["text"] == (
        "💡 *使った事例*: 製造業の営業部が&lt;立ち上がり&gt;を早めた"
        " — 新人の立ち上がりが遅い → *立ち上がりの短縮* 3→1か月"
    )
    assert line["accessory"]["value"] == str(best)  # 詳細: the whole case
    bot.command("/isops", "handoffs", user_id="UR1")
    (listing,) = bot.fake.wait_for("response_url")
    assert "💡 製造業の営業部が&lt;立ち上がり&gt;を早めた" in _text(listing)

    # The FS rates the meeting 有効商談: the case library counts it.
    _drain_outbox(bot)
    assert main(["handoffs", "remind", "--at", "2026-12-01T16:00"]) == 0
    (request,) = _requests(bot)
    bot.runtime.outbox.start()
    _rate_valid(bot, request)
    with bot.uow() as uow:
        assert uow.session.get_one(Handoff, handoff_id).verdict is HandoffVerdict.VALID

    before = len(bot.fake.calls_to("views.open"))
    bot.command("/case", "立ち上がり", user_id="UR1")
    search = bot.fake.wait_for("views.open", count=before + 1)[-1]
    assert search.response["ok"], search.response
    hits = [b for b in search.params["view"]["blocks"] if b.get("type") == "section"]
    shown = {b["accessory"]["value"]: b["text"]["text"] for b in hits if "accessory" in b}
    assert "引き継ぎ 1 · 有効 1" in shown[str(best)]
    assert all("引き継ぎ 0 · 有効 0" in text for key, text in shown.items() if key != str(best))

    pushes = len(bot.fake.calls_to("views.push"))
    bot.sender.block_actions(
        user_id="UR1",
        view=search.response["view"],
        actions=[{"action_id": ids.CASE_DETAIL_BUTTON, "value": str(best)}],
    )
    detail = bot.fake.wait_for("views.push", count=pushes + 1)[-1]
    assert detail.response["ok"], detail.response
    assert "FS への引き継ぎ 1 件・有効商談 1 件" in _text(detail.params["view"])


def test_no_case_used_and_a_case_archived_meanwhile(team: BotHarness) -> None:
    """「使っていない」 names no case; a case archived after the modal opened is refused
    inline (the database decides, not the option sent) and nothing is saved."""
    bot = team
    best = _case(bot, CASE_TITLE, "製造", role_level=RoleLevel.MANAGER)
    lead_id = _manufacturing_lead(bot)
    view = _submit_status_5(bot, "UR1", lead_id, COMPANY)
    _archive(bot, best)

    chosen = _handoff_values(bot, view, **{ids.HANDOFF_CASE_BLOCK: str(best)})
    answer = bot.sender.view_submission(user_id="UR1", view=view, values=chosen)

    assert answer.json is not None and answer.json["response_action"] == "errors", answer.body
    assert list(answer.json["errors"]) == [ids.HANDOFF_CASE_BLOCK]
    assert "アーカイブ" in answer.json["errors"][ids.HANDOFF_CASE_BLOCK]
    for forged in ("999", "abc"):  # an id that is no case, or no id at all
        answer = bot.sender.view_submission(
            user_id="UR1",
            view=view,
            values=_handoff_values(bot, view, **{ids.HANDOFF_CASE_BLOCK: forged}),
        )
        assert answer.json is not None and answer.json["response_action"] == "errors"
        assert list(answer.json["errors"]) == [ids.HANDOFF_CASE_BLOCK]
    _nothing_handed_off(bot, lead_id)

    answer = bot.sender.view_submission(
        user_id="UR1",
        view=view,
        values=_handoff_values(bot, view, **{ids.HANDOFF_CASE_BLOCK: "none"}),
    )

    assert answer.status == 200 and not answer.body, answer.body
    with bot.uow() as uow:
        assert uow.session.scalars(select(Handoff.case_id)).one() is None
    dm = _dm(bot, "UF1")
    assert "使った事例" not in _text(dm)
