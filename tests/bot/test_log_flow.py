"""/log-call, /log-mail and the 記録 button over HTTP, as Slack sends them."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot import ids
from isops.enums import DeliveryState
from isops.models import Action, Lead, LeadHistory, NoActionReview, Notification
from isops.services.actions import ACTION_LOGGED
from tests import factories
from tests.bot.modal_state import block_id, element, fill
from tests.harness import BotHarness

# Friday 2026-11-27 10:00 in Tokyo; the clock ticks so Slack signatures stay fresh.
NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
TODAY = dt.date(2026, 11, 27)


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    with time_machine.travel(NOW, tick=True):
        factories.manager_with_reps(bot.uow, ("UR1", "佐藤"), ("UR2", "鈴木"))
        yield bot


def _settle_outbox(bot: BotHarness) -> None:
    """Let the dispatcher finish what it is sending (join its thread), then send the rest."""
    bot.runtime.outbox.stop()
    bot.runtime.outbox.run_once()


def _count(bot: BotHarness, model: type[Any]) -> int:
    with bot.uow() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(model)) or 0)


def _lead(bot: BotHarness, lead_id: int) -> tuple[int, int | None, dt.date | None, str, int]:
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return lead.status, lead.priority, lead.next_action_date, lead.memo, lead.call_count


def _open(
    bot: BotHarness, command: str, text: str = "", *, user: str = "UR1", channel: str = "C777"
) -> dict[str, Any]:
    return bot.open_modal(command, text, user_id=user, channel_id=channel)


def test_log_call_opens_a_modal_with_the_matching_lead_and_its_fields(team: BotHarness) -> None:
    lead_id = factories.lead(
        team.uow(),
        owner="UR1",
        company="ユニーク物産",
        contact_name="高橋",
        status=2,
        priority=1,
        next_action_date=dt.date(2026, 12, 1),
        memo="決裁は部長",
    )
    view = _open(team, "/log-call", "ゆにーく")
    assert view["callback_id"] == ids.LOG_VIEW
    assert view["title"]["text"] == "架電を記録"
    picker = element(view, ids.LOG_LEAD_BLOCK)
    assert picker["type"] == "external_select" and picker["action_id"] == ids.LEAD_SELECT
    assert picker["initial_option"]["value"] == str(lead_id)
    assert element(view, ids.LOG_STATUS_BLOCK)["initial_option"]["value"] == "2"
    assert element(view, ids.LOG_PRIORITY_BLOCK)["initial_option"]["value"] == "1"
    assert element(view, ids.LOG_NEXT_DATE_BLOCK)["initial_date"] == "2026-12-01"
    assert element(view, ids.LOG_MEMO_BLOCK)["initial_value"] == "決裁は部長"
    outcomes = [o["value"] for o in element(view, ids.LOG_OUTCOME_BLOCK)["options"]]
    assert outcomes == ["call:接続", "call:不在", "call:留守電", "call:受付拒否", "call:番号不通"]
    assert json.loads(view["private_metadata"])["reply_to"] == "C777"


def test_log_mail_offers_mail_outcomes_and_no_preselection_without_text(team: BotHarness) -> None:
    factories.lead(team.uow(), owner="UR1")
    view = _open(team, "/log-mail")
    assert view["title"]["text"] == "メールを記録"
    assert "initial_option" not in element(view, ids.LOG_LEAD_BLOCK)
    outcomes = [o["value"] for o in element(view, ids.LOG_OUTCOME_BLOCK)["options"]]
    assert outcomes == ["mail:送信", "mail:返信あり", "mail:不達"]


def test_typing_in_the_lead_field_loads_matching_options(team: BotHarness) -> None:
    mine = factories.lead(team.uow(), owner="UR1", company="株式会社ＡＢＣ", contact_name="山田")
    factories.lead(team.uow(), owner="UR1", company="XYZ工業")
    factories.lead(team.uow(), owner="UR2", company="ABC 別支店")  # a colleague's
    view = _open(team, "/log-call")
    answer = team.search_leads("abc", user_id="UR1", view=view)
    assert answer.status == 200
    options = answer.json["options"]
    assert [o["value"] for o in options] == [str(mine)]
    assert options[0]["text"]["text"].startswith("株式会社ＡＢＣ / 山田 (未対応)")
    # The manager searches the whole team and sees whose lead it is.
    by_manager = team.search_leads("ａｂｃ", user_id="UM1", view=view)
    texts = [o["text"]["text"] for o in by_manager.json["options"]]
    assert len(texts) == 2 and any("担当:鈴木" in t for t in texts)
    # Not a member: nothing to pick.
    stranger = team.search_leads("", user_id="U404", view=view)
    assert stranger.json == {"options": []}


def test_submitting_stores_the_action_and_fields_and_confirms_in_the_channel(
    team: BotHarness,
) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="<!channel> & Co", memo="")
    view = _open(team, "/log-call", "channel")
    values = fill(
        view,
        log_outcome="call:不在",
        log_priority="1",
        log_next_date=dt.date(2026, 12, 2),
        log_memo="  受付で不在。火曜午前に再架電  ",
    )
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert (answer.status, answer.body) == (200, "")  # closes the modal

    assert _lead(team, lead_id) == (2, 1, dt.date(2026, 12, 2), "受付で不在。火曜午前に再架電", 1)
    with team.uow() as uow:
        fields = set(uow.session.scalars(select(LeadHistory.field)))
        assert fields == {"status", "priority", "next_action_date", "memo"}
    (sent,) = team.fake.wait_for("chat.postEphemeral")
    assert sent.response["ok"]
    assert (sent.params["channel"], sent.params["user"]) == ("C777", "UR1")
    text = sent.params["blocks"][0]["text"]["text"]
    assert "&lt;!channel&gt; &amp; Co" in text and "<!channel>" not in text
    assert "<!channel>" not in sent.params["text"]
    assert "📞1/5 ✉️0/2" in text and "メール" in text  # the channel to use next
    assert "12/2(水)" in text


def test_a_duplicate_submission_stores_one_action(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="二重送信商事")
    view = _open(team, "/log-call", "二重送信")
    values = fill(view, log_outcome="call:留守電")
    first = team.sender.view_submission(user_id="UR1", view=view, values=values)
    second = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert first.status == second.status == 200
    assert _count(team, Action) == 1
    assert _lead(team, lead_id)[4] == 1
    team.fake.wait_for("chat.postEphemeral")
    _settle_outbox(team)
    with team.uow() as uow:
        notes = uow.session.execute(
            select(Notification.kind, Notification.state).where(Notification.kind == ACTION_LOGGED)
        ).all()
    assert notes == [(ACTION_LOGGED, DeliveryState.SENT)]  # one confirmation, sent once
    assert len(team.fake.calls_to("chat.postEphemeral")) == 1


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"log_next_date": dt.date(2026, 11, 26)}, ids.LOG_NEXT_DATE_BLOCK, "過去の日付"),
        ({"log_priority": "1"}, ids.LOG_NEXT_DATE_BLOCK, "次回活動予定日が必要"),
        ({"log_status": "6", "log_reason": "予算なし"}, ids.LOG_REASON_MEMO_BLOCK, "メモ"),
        ({"log_status": "4"}, ids.LOG_REASON_BLOCK, "理由を選んで"),
    ],
)
def test_invalid_input_answers_inline_errors_and_saves_nothing(
    team: BotHarness, changes: dict[str, Any], field: str, message: str
) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="検証商事", status=3)
    view = _open(team, "/log-call", "検証商事")
    values = fill(view, log_outcome="call:接続", **changes)
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json["response_action"] == "errors"
    errors = answer.json["errors"]
    assert message in errors[block_id(view, field)]
    assert _count(team, Action) == 0 and _count(team, LeadHistory) == 0
    assert _lead(team, lead_id)[0] == 3


def test_someone_elses_lead_is_an_inline_error(team: BotHarness) -> None:
    theirs = factories.lead(team.uow(), owner="UR2", company="他人のリード")
    factories.lead(team.uow(), owner="UR1", company="自分のリード")
    view = _open(team, "/log-call", "自分")
    # A forged submission naming the colleague's lead (the picker never offers it).
    values = fill(view, log_outcome="call:不在", log_lead=str(theirs))
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json["response_action"] == "errors"
    assert "権限" in answer.json["errors"][ids.LOG_LEAD_BLOCK]
    assert _count(team, Action) == 0


def test_status_4_with_5c2m_incomplete_asks_for_confirmation_first(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="五シー商事", status=2)
    factories.action(team.uow(), lead_id, by="UR1")
    view = _open(team, "/log-call", "五シー")
    values = fill(
        view,
        log_outcome="call:受付拒否",
        log_status="4",
        log_reason="対象外",
        log_reason_memo="個人事業主のため対象外",
    )
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json["response_action"] == "update"
    updated = answer.json["view"]
    assert "架電 2/5・メール 0/2 — 5C2M 未完了です" in updated["blocks"][0]["text"]["text"]
    assert _count(team, NoActionReview) == 0 and _count(team, Action) == 1  # nothing new

    updated = {**updated, "id": view["id"]}  # response_action=update keeps the view id
    kept = fill(updated)  # what the rep typed is still there
    assert (
        kept[block_id(updated, ids.LOG_REASON_MEMO_BLOCK)][ids.LOG_REASON_MEMO_BLOCK]["value"]
        == "個人事業主のため対象外"
    )
    unticked = team.sender.view_submission(user_id="UR1", view=updated, values=kept)
    assert "5C2M 未完了" in unticked.json["errors"][ids.LOG_CONFIRM_BLOCK]

    ticked = fill(updated, log_confirm_5c2m=["yes"])
    done = team.sender.view_submission(user_id="UR1", view=updated, values=ticked)
    assert (done.status, done.body) == (200, "")
    assert _lead(team, lead_id)[0] == 4
    with team.uow() as uow:
        review = uow.session.scalars(select(NoActionReview)).one()
        assert (review.reason_code, review.memo) == ("対象外", "個人事業主のため対象外")
    sent = team.fake.wait_for("chat.postEphemeral")[-1]
    assert "マネージャーに申請しました" in sent.params["blocks"][0]["text"]["text"]


def test_log_button_in_a_dm_preselects_the_lead_and_confirms_without_a_new_dm(
    team: BotHarness,
) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="ボタン商事", status=3)
    team.sender.block_actions(
        user_id="UR1",
        channel_id="DR1",
        actions=[{"action_id": ids.LOG_LEAD_BUTTON, "type": "button", "value": str(lead_id)}],
    )
    (opened,) = team.fake.wait_for("views.open")
    view = opened.response["view"]
    assert element(view, ids.LOG_LEAD_BLOCK)["initial_option"]["value"] == str(lead_id)
    groups = element(view, ids.LOG_OUTCOME_BLOCK)["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["架電", "メール"]
    values = fill(view, log_outcome="mail:返信あり")
    team.sender.view_submission(user_id="UR1", view=view, values=values)
    # Issue 11: the DM is the rep's list; the confirmation is ephemeral in it, no new message.
    (shown,) = team.fake.wait_for("chat.postEphemeral")
    assert (shown.params["channel"], shown.params["user"]) == ("DR1", "UR1")
    assert team.fake.calls_to("chat.postMessage") == []
    with team.uow() as uow:
        assert uow.session.scalars(select(Action.channel)).one() == "mail"


def test_log_button_for_someone_elses_lead_is_refused(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR2")
    answer = team.sender.block_actions(
        user_id="UR1",
        channel_id="C777",
        response_url=team.response_url(),
        actions=[{"action_id": ids.LOG_LEAD_BUTTON, "type": "button", "value": str(lead_id)}],
    )
    assert answer.status == 200
    (reply,) = team.fake.wait_for("response_url")
    assert "権限" in reply.params["text"]
    assert team.fake.calls_to("views.open") == []


def test_picking_a_lead_in_the_modal_shows_its_fields_and_keeps_typed_text(
    team: BotHarness,
) -> None:
    lead_id = factories.lead(
        team.uow(), owner="UR1", company="後から選ぶ", status=3, priority=2, memo="既存メモ"
    )
    view = _open(team, "/log-call")
    state = fill(view, log_outcome="call:接続", log_memo="先に書いたメモ")
    option = {"text": {"type": "plain_text", "text": "後から選ぶ"}, "value": str(lead_id)}
    state[ids.LOG_LEAD_BLOCK] = {
        ids.LEAD_SELECT: {"type": "external_select", "selected_option": option}
    }
    team.sender.block_actions(
        user_id="UR1",
        view={**view, "state": {"values": state}},
        actions=[
            {"action_id": ids.LEAD_SELECT, "type": "external_select", "selected_option": option}
        ],
    )
    (update,) = team.fake.wait_for("views.update")
    assert update.response["ok"], update.response
    updated = update.params["view"]
    # New block ids, so Slack shows the lead's values instead of the old (empty) state.
    assert block_id(updated, ids.LOG_STATUS_BLOCK) == f"{ids.LOG_STATUS_BLOCK}~{lead_id}"
    assert element(updated, ids.LOG_STATUS_BLOCK)["initial_option"]["value"] == "3"
    assert element(updated, ids.LOG_PRIORITY_BLOCK)["initial_option"]["value"] == "2"
    assert element(updated, ids.LOG_MEMO_BLOCK)["initial_value"] == "既存メモ\n先に書いたメモ"
    assert element(updated, ids.LOG_OUTCOME_BLOCK)["initial_option"]["value"] == "call:接続"


def test_unregistered_user_is_told_how_to_register(team: BotHarness) -> None:
    # 200 at once: an error right after ack() must not turn into Slack's 404 (bot.listeners.errors).
    assert team.command("/log-call", "", user_id="U404").status == 200
    (reply,) = team.fake.wait_for("response_url")
    assert "メンバー登録されていません" in reply.params["text"]
    assert team.fake.calls_to("views.open") == []


def test_confirmation_falls_back_to_a_dm_when_the_channel_refuses(team: BotHarness) -> None:
    factories.lead(team.uow(), owner="UR1", company="非公開チャンネル商事")
    view = _open(team, "/log-call", "非公開", channel="G999")
    team.fake.fail_next("chat.postEphemeral", error="channel_not_found")
    team.sender.view_submission(
        user_id="UR1", view=view, values=fill(view, log_outcome="call:不在")
    )
    (dm,) = team.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UR1" and dm.response["ok"]
    _settle_outbox(team)
    with team.uow() as uow:
        state = uow.session.scalars(
            select(Notification.state).where(Notification.kind == ACTION_LOGGED)
        ).one()
        assert state == DeliveryState.SENT
