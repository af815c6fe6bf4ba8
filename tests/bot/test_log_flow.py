"""/log-call, /log-mail and the 記録 button over HTTP, as Slack sends them."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot import ids
from bot.listeners.views.log_confirm import handle_5c2m_declined
from isops.enums import DeliveryState, Role
from isops.models import Action, Lead, LeadHistory, NoActionReview, Notification
from isops.services.action_results import ACTION_LOGGED
from tests import factories
from tests.bot.log_modal_steps import choose, choose_status, click, shown
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
    # Slack formats a code span only next to whitespace or ASCII punctuation.
    hint = sent.params["blocks"][1]["elements"][0]["text"]
    assert re.search(r"(^|[\s(:])`/log-call`[\s.,)]", hint), hint


def test_a_duplicate_submission_stores_one_action(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="二重送信商事")
    view = _open(team, "/log-call", "二重送信")
    values = fill(view, log_outcome="call:留守電")
    first = team.sender.view_submission(user_id="UR1", view=view, values=values)
    second = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert first.status == second.status == 200
    assert factories.count(team.uow, Action) == 1
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
        (
            {"log_priority": "1", "log_next_date": None},
            ids.LOG_NEXT_DATE_BLOCK,
            "次回活動予定日が必要",
        ),
        ({"log_priority": "1", "log_next_date": TODAY}, ids.LOG_NEXT_DATE_BLOCK, "明日以降"),
        ({"log_status": "6", "log_reason": "予算なし"}, ids.LOG_REASON_MEMO_BLOCK, "メモ"),
        ({"log_status": "4"}, ids.LOG_REASON_BLOCK, "理由を選んで"),
        (
            {"log_acted_at": NOW + dt.timedelta(hours=1)},
            ids.LOG_ACTED_AT_BLOCK,
            "未来の日時",
        ),
        (
            {"log_acted_at": NOW - dt.timedelta(days=8)},
            ids.LOG_ACTED_AT_BLOCK,
            "7 日前まで",
        ),
    ],
)
def test_invalid_input_answers_inline_errors_and_saves_nothing(
    team: BotHarness, changes: dict[str, Any], field: str, message: str
) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="検証商事", status=3)
    view = _open(team, "/log-call", "検証商事")
    if "log_status" in changes:  # choosing 4/6 shows the reason fields first
        view = choose_status(team, view, int(changes["log_status"]), user_id="UR1")
    # Slack checks required inputs in the client; the service checks again (a forged or
    # older view), and its message comes back on the field.
    values = fill(view, log_outcome="call:接続", **changes)
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.json["response_action"] == "errors"
    errors = answer.json["errors"]
    assert message in errors[block_id(view, field)]
    assert factories.count(team.uow, Action) == 0 and factories.count(team.uow, LeadHistory) == 0
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
    assert factories.count(team.uow, Action) == 0


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
    assert view["title"]["text"] == "架電を記録"  # a call unless the rep switches
    # The rep switches to mail: the mail outcomes, as radio buttons.
    view = shown(click(team, view, ids.LOG_SWITCH_CHANNEL, user_id="UR1"))
    assert view["title"]["text"] == "メールを記録"
    outcome = element(view, ids.LOG_OUTCOME_BLOCK)
    assert outcome["type"] == "radio_buttons"
    assert [o["value"] for o in outcome["options"]] == ["mail:送信", "mail:返信あり", "mail:不達"]
    values = fill(view, log_outcome="mail:返信あり")
    team.sender.view_submission(user_id="UR1", view=view, values=values)
    # Issue 11: the DM is the rep's list; the confirmation is ephemeral in it, no new message.
    (confirmation,) = team.fake.wait_for("chat.postEphemeral")
    assert (confirmation.params["channel"], confirmation.params["user"]) == ("DR1", "UR1")
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


# -- issue 11: a modal that asks only what applies ----------------------------------------------


def _inputs(view: dict[str, Any]) -> list[str]:
    return [ids.unversioned(b["block_id"]) for b in view["blocks"] if b["type"] == "input"]


def test_a_call_is_two_taps_after_the_command(team: BotHarness) -> None:
    """`/log-call 高橋` preselects the lead; the rep taps 不在 and 記録する — nothing else."""
    lead_id = factories.lead(team.uow(), owner="UR1", company="二タップ商事", contact_name="高橋")
    view = _open(team, "/log-call", "高橋")
    outcome = element(view, ids.LOG_OUTCOME_BLOCK)
    assert outcome["type"] == "radio_buttons" and "initial_option" not in outcome
    assert _inputs(view) == [  # no reason fields, no hand-off: status 1 needs none
        ids.LOG_LEAD_BLOCK,
        ids.LOG_OUTCOME_BLOCK,
        ids.LOG_STATUS_BLOCK,
        ids.LOG_NEXT_DATE_BLOCK,
        ids.LOG_PRIORITY_BLOCK,
        ids.LOG_MEMO_BLOCK,
        ids.LOG_ACTED_AT_BLOCK,
    ]
    tap = fill(view, log_outcome="call:不在")  # tap 1; 記録する is tap 2
    answer = team.sender.view_submission(user_id="UR1", view=view, values=tap)
    assert (answer.status, answer.body) == (200, "")
    # Not connected, 5C2M under way: the next business day (Friday → Monday) was suggested.
    assert _lead(team, lead_id)[:3] == (2, None, dt.date(2026, 11, 30))


def test_a_worked_focus_lead_is_not_due_again(team: BotHarness) -> None:
    lead_id = factories.lead(
        team.uow(), owner="UR1", company="注力商事", status=3, priority=1, next_action_date=TODAY
    )
    view = _open(team, "/log-call", "注力商事")
    date = element(view, ids.LOG_NEXT_DATE_BLOCK)
    assert date["initial_date"] == "2026-12-04"  # connected focus: a week, not 本日
    assert "提案日" in next(
        b["hint"]["text"]
        for b in view["blocks"]
        if ids.unversioned(b.get("block_id", "")) == ids.LOG_NEXT_DATE_BLOCK
    )
    team.sender.view_submission(
        user_id="UR1", view=view, values=fill(view, log_outcome="call:不在")
    )
    assert _lead(team, lead_id)[2] == dt.date(2026, 12, 4)


def test_choosing_4_shows_the_reasons_and_choosing_2_hides_them(team: BotHarness) -> None:
    factories.lead(team.uow(), owner="UR1", company="理由商事", status=3)
    view = _open(team, "/log-call", "理由商事")
    assert ids.LOG_REASON_BLOCK not in _inputs(view)
    typed = {"log_outcome": "call:接続", "log_memo": "先に書いたメモ"}
    update = choose(team, view, ids.LOG_STATUS_BLOCK, "6", user_id="UR1", **typed)
    assert update.params["view_id"] == view["id"] and update.params["hash"] == view["hash"]
    with_reasons = shown(update)
    assert _inputs(with_reasons)[3:5] == [ids.LOG_REASON_BLOCK, ids.LOG_REASON_MEMO_BLOCK]
    reasons = [b for b in with_reasons["blocks"] if b.get("block_id") == ids.LOG_REASON_BLOCK]
    assert reasons[0]["optional"] is False  # shown only when needed, so required
    # What was typed stays: the same block ids (Slack keeps their state) and the same values.
    for base in (ids.LOG_OUTCOME_BLOCK, ids.LOG_MEMO_BLOCK, ids.LOG_NEXT_DATE_BLOCK):
        assert block_id(with_reasons, base) == block_id(view, base)
    assert element(with_reasons, ids.LOG_MEMO_BLOCK)["initial_value"] == "先に書いたメモ"
    assert element(with_reasons, ids.LOG_OUTCOME_BLOCK)["initial_option"]["value"] == "call:接続"
    assert team.fake.calls_to("views.push") == []  # 6: after connecting, no 5C2M

    without = choose_status(team, with_reasons, 2, user_id="UR1", **typed)
    assert ids.LOG_REASON_BLOCK not in _inputs(without)
    assert ids.LOG_REASON_MEMO_BLOCK not in _inputs(without)


def _confirmation(team: BotHarness) -> dict[str, Any]:
    (pushed,) = team.fake.wait_for("views.push")
    assert pushed.response["ok"], pushed.response
    return dict(pushed.response["view"])


def _status_4(view: dict[str, Any], outcome: str, *, memo: str) -> dict[str, Any]:
    """The log modal's values for a call with `outcome` setting status 4, reason 対象外."""
    return fill(
        view,
        log_outcome=f"call:{outcome}",
        log_status="4",
        log_reason="対象外",
        log_reason_memo=memo,
    )


def test_4_with_5c2m_incomplete_pushes_a_confirmation_with_two_buttons(team: BotHarness) -> None:
    lead_id = factories.lead(
        team.uow(), owner="UR1", company="五シー商事", status=2, cv_at=NOW - dt.timedelta(days=3)
    )
    factories.action(team.uow(), lead_id, by="UR1")
    view = _open(team, "/log-call", "五シー")
    after = choose_status(team, view, 4, user_id="UR1", log_outcome="call:受付拒否")
    assert ids.LOG_REASON_BLOCK in _inputs(after)
    confirm = _confirmation(team)
    assert confirm["callback_id"] == ids.LOG_5C2M_VIEW
    text = json.dumps(confirm["blocks"], ensure_ascii=False)
    assert "あと架電 3 回・メール 2 回" in text and "(CV 3 日目)" in text  # this call counted
    assert (confirm["submit"]["text"], confirm["close"]["text"]) == (
        "このまま申請する",
        "架電を続ける",
    )
    assert confirm["notify_on_close"] is True
    assert factories.count(team.uow, Action) == 1  # nothing saved yet

    # このまま申請する: the log modal (under it) is marked confirmed; 記録する saves the 4.
    before = len(team.fake.calls_to("views.update"))
    answer = team.sender.view_submission(user_id="UR1", view=confirm, values={})
    assert (answer.status, answer.body) == (200, "")  # back to the log modal
    update = team.fake.wait_for("views.update", count=before + 1)[before]
    assert update.params["view_id"] == view["id"]
    confirmed = shown(update)
    assert json.loads(confirmed["private_metadata"])["confirm"] is True
    assert "5C2M 未完了のまま" in json.dumps(confirmed["blocks"], ensure_ascii=False)
    # Rebuilt without the rep's input: every block keeps its id, so Slack keeps it.
    assert [b.get("block_id") for b in confirmed["blocks"] if b["type"] == "input"] == [
        b.get("block_id") for b in after["blocks"] if b["type"] == "input"
    ]
    values = _status_4(confirmed, "受付拒否", memo="個人事業主のため対象外")
    done = team.sender.view_submission(user_id="UR1", view=confirmed, values=values)
    assert (done.status, done.body) == (200, "")
    assert _lead(team, lead_id)[0] == 4
    with team.uow() as uow:
        review = uow.session.scalars(select(NoActionReview)).one()
        assert (review.reason_code, review.memo) == ("対象外", "個人事業主のため対象外")
    sent = team.fake.wait_for("chat.postEphemeral")[-1]
    assert "マネージャーに申請しました" in sent.params["blocks"][0]["text"]["text"]


def test_keep_calling_puts_the_status_back(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="続行商事", status=2)
    view = _open(team, "/log-call", "続行商事")
    after = choose_status(team, view, 4, user_id="UR1")
    confirm = _confirmation(team)
    before = len(team.fake.calls_to("views.update"))
    team.sender.view_closed(user_id="UR1", view=confirm)  # 架電を続ける
    back = shown(team.fake.wait_for("views.update", count=before + 1)[before])
    # The status block is new (Slack shows the lead's status again), the reasons are gone.
    assert block_id(back, ids.LOG_STATUS_BLOCK) != block_id(after, ids.LOG_STATUS_BLOCK)
    assert element(back, ids.LOG_STATUS_BLOCK)["initial_option"]["value"] == "2"
    assert ids.LOG_REASON_BLOCK not in _inputs(back)
    assert block_id(back, ids.LOG_MEMO_BLOCK) == block_id(after, ids.LOG_MEMO_BLOCK)
    team.sender.view_submission(
        user_id="UR1", view=back, values=fill(back, log_outcome="call:不在")
    )
    assert _lead(team, lead_id)[0] == 2 and factories.count(team.uow, NoActionReview) == 0


def test_closing_the_whole_stack_updates_nothing() -> None:
    """is_cleared: the log modal closed too, so there is nothing to put back (called as a
    plain function: no Slack call is the point, and nothing to wait for)."""
    acks: list[dict[str, Any]] = []
    calls: list[str] = []

    class Client:
        def __getattr__(self, name: str) -> Any:
            calls.append(name)
            raise AssertionError(name)

    handle_5c2m_declined(
        ack=lambda **kw: acks.append(kw),
        body={"type": "view_closed", "user": {"id": "UR1"}, "is_cleared": True},
        view={"private_metadata": ""},
        client=Client(),
        deps=None,  # never read: there is nothing to redraw
    )
    assert acks == [{}] and calls == []


def test_submitting_4_unconfirmed_pushes_the_confirmation(team: BotHarness) -> None:
    """The rep picked another lead after choosing 4: the new lead's 5C2M is asked at submit."""
    factories.lead(team.uow(), owner="UR1", company="送信時商事", status=2)
    view = _open(team, "/log-call", "送信時商事")
    after = choose_status(team, view, 4, user_id="UR1")
    _confirmation(team)  # dismissed without an answer (it stays unconfirmed)
    values = _status_4(after, "不在", memo="対象外の業種")
    answer = team.sender.view_submission(user_id="UR1", view=after, values=values)
    assert answer.json is not None and answer.json["response_action"] == "push"
    pushed = answer.json["view"]
    assert pushed["callback_id"] == ids.LOG_5C2M_VIEW
    assert "あと架電 4 回・メール 2 回" in json.dumps(pushed, ensure_ascii=False)
    assert json.loads(pushed["private_metadata"])["parent_view_id"] == view["id"]
    assert factories.count(team.uow, Action) == 0 and factories.count(team.uow, NoActionReview) == 0


def test_quick_dates_set_the_picker(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="日付商事", status=3)
    view = _open(team, "/log-call", "日付商事")
    quick = next(b for b in view["blocks"] if b.get("block_id") == ids.LOG_QUICK_DATES_BLOCK)
    labels = [e["text"]["text"] for e in quick["elements"]]
    # Friday: 明日 is a Saturday, so the first choice is the next business day.
    assert labels == [
        "翌営業日 11/30(月)",
        "3営業日後 12/2(水)",
        "1週間後 12/4(金)",
        "1ヶ月後 12/28(月)",
    ]
    week = f"{ids.LOG_QUICK_DATE}:1w"
    update = click(team, view, week, user_id="UR1", log_memo="メモは残る")
    after = shown(update)
    # A new block for the date (Slack would keep the old one), the others as they were.
    assert block_id(after, ids.LOG_NEXT_DATE_BLOCK) != block_id(view, ids.LOG_NEXT_DATE_BLOCK)
    assert element(after, ids.LOG_NEXT_DATE_BLOCK)["initial_date"] == "2026-12-04"
    assert block_id(after, ids.LOG_MEMO_BLOCK) == block_id(view, ids.LOG_MEMO_BLOCK)
    chosen = next(b for b in after["blocks"] if b.get("block_id") == ids.LOG_QUICK_DATES_BLOCK)
    assert [e.get("style") for e in chosen["elements"]] == [None, None, "primary", None]
    team.sender.view_submission(
        user_id="UR1", view=after, values=fill(after, log_outcome="call:接続")
    )
    assert _lead(team, lead_id)[2] == dt.date(2026, 12, 4)


def test_a_touch_logged_late_keeps_when_it_happened(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="後日商事")
    view = _open(team, "/log-call", "後日商事")
    when = dt.datetime(2026, 11, 25, 6, 30, tzinfo=dt.UTC)  # Wednesday 15:30 in Tokyo
    values = fill(view, log_outcome="call:留守電", log_acted_at=when)
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert (answer.status, answer.body) == (200, "")
    with team.uow() as uow:
        assert uow.session.scalars(select(Action.acted_at)).one() == when
        assert uow.session.get_one(Lead, lead_id).last_action_at == when
    (sent,) = team.fake.wait_for("chat.postEphemeral")
    assert "実施日時: 11/25(水) 15:30 (あとから記録)" in sent.params["blocks"][0]["text"]["text"]


def test_status_5_shows_the_hand_off_at_once_and_keeps_it_when_the_lead_changes(
    team: BotHarness,
) -> None:
    factories.member(team.uow(), "UF1", role=Role.FS, name="田中")
    first = factories.lead(team.uow(), owner="UR1", company="商談商事", status=3)
    second = factories.lead(team.uow(), owner="UR1", company="別商談商事", status=3)
    view = _open(team, "/log-call", "別商談商事")
    with_section = choose_status(team, view, 5, user_id="UR1", log_outcome="call:接続")
    assert ids.HANDOFF_FS_BLOCK in _inputs(with_section)
    assert _inputs(with_section).index(ids.HANDOFF_FS_BLOCK) == 3  # right under the status
    typed = {"log_outcome": "call:接続", "log_status": "5", ids.HANDOFF_PROBLEM_BLOCK: "属人化"}
    # The rep picks another lead: the section stays (what was typed in it too).
    picked = shown(
        choose(team, with_section, ids.LOG_LEAD_BLOCK, str(first), user_id="UR1", **typed)
    )
    assert ids.HANDOFF_FS_BLOCK in _inputs(picked)
    assert block_id(picked, ids.HANDOFF_PROBLEM_BLOCK) == ids.HANDOFF_PROBLEM_BLOCK
    assert element(picked, ids.LOG_STATUS_BLOCK)["initial_option"]["value"] == "5"
    values = fill(
        picked,
        log_outcome="call:接続",
        log_status="5",
        **{
            ids.HANDOFF_DATE_BLOCK: dt.date(2026, 12, 1),
            ids.HANDOFF_TIME_BLOCK: "14:00",
            ids.HANDOFF_PROBLEM_BLOCK: "属人化",
            ids.HANDOFF_WANTS_BLOCK: "事例",
        },
    )
    answer = team.sender.view_submission(user_id="UR1", view=picked, values=values)
    assert (answer.status, answer.body) == (200, ""), answer.body
    assert _lead(team, first)[0] == 5 and _lead(team, second)[0] == 3
    # The rep's confirmation says who got the meeting, and when.
    sent = next(
        c
        for c in team.fake.wait_for("chat.postEphemeral")
        if "商談商事" in c.params["blocks"][0]["text"]["text"]
    )
    text = sent.params["blocks"][0]["text"]["text"]
    assert "🤝 FS の 田中 さんに引き継ぎました: *12/1(火) 14:00* 💻 オンライン" in text
