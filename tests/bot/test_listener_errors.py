"""Every listener answers for itself, over HTTP: refusals reach the person who acted as
Japanese text with a 200 at once (never Slack's 404 after 3 s), ids out of range and control
characters are refused or dropped (never a 500), and no traceback reaches anyone."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from bot import ids, texts
from isops.messages import LEAD_NOT_FOUND, REVIEW_NOT_FOUND
from isops.models import Action, Lead, NoActionReview
from tests import factories
from tests.bot.modal_state import block_id, element, fill
from tests.fake_slack import RecordedCall
from tests.harness import BotHarness

NOW = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Friday 10:00 in Tokyo
HUGE_ID = "9" * 20  # beyond PostgreSQL's bigint and SQLite's integer
LONG_VIEW_ID = "V" + "A" * 299


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    with time_machine.travel(NOW, tick=True):
        factories.manager_with_reps(bot.uow)
        yield bot


def _reply(bot: BotHarness) -> RecordedCall:
    (reply,) = bot.fake.wait_for("response_url")
    assert reply.params["response_type"] == "ephemeral"
    return reply


def _shown(call: RecordedCall) -> str:
    """Everything the user sees of a message: its text and its blocks."""
    return json.dumps({k: call.params.get(k) for k in ("text", "blocks")}, ensure_ascii=False)


def _open_log_modal(bot: BotHarness, text: str = "", user: str = "UR1") -> dict[str, Any]:
    return bot.open_modal("/log-call", text, user_id=user)


# -- 11: a refusal after ack is a message, not a 404 --------------------------------------------


def test_a_non_member_clicking_the_spread_button_is_told_at_once(bot: BotHarness) -> None:
    message = {
        "ts": "1700000000.000100",
        "text": "朝の一覧",
        "blocks": [
            {
                "type": "actions",
                "block_id": "overdue",
                "elements": [
                    {
                        "type": "button",
                        "action_id": ids.RESCHEDULE_OVERDUE_BUTTON,
                        "text": {"type": "plain_text", "text": "営業日に振り分ける"},
                    }
                ],
            }
        ],
    }
    answer = bot.sender.block_actions(
        user_id="U404",
        actions=[{"action_id": ids.RESCHEDULE_OVERDUE_BUTTON}],
        message=message,
        channel_id="DU404",
        response_url=bot.response_url(),
    )
    assert answer.status == 200  # a 404 here is Bolt's lost ack (bot.listeners.errors)
    reply = _reply(bot)
    assert "メンバー登録されていません" in reply.params["text"]
    assert reply.params["replace_original"] is False


def test_an_unexpected_failure_is_a_generic_message_without_a_traceback(
    team: BotHarness,
) -> None:
    team.fake.fail_next("views.open", error="internal_error")
    assert team.command("/lead", "株式会社ミライ", user_id="UR1").status == 200
    reply = _reply(team)
    assert reply.params["text"] == texts.GENERIC_ERROR
    shown = _shown(reply)
    assert "Traceback" not in shown and "internal_error" not in shown


# -- 10: ids out of range --------------------------------------------------------------------------


def test_a_log_button_with_a_20_digit_lead_id_is_refused(team: BotHarness) -> None:
    answer = team.sender.block_actions(
        user_id="UR1",
        channel_id="C777",
        response_url=team.response_url(),
        actions=[{"action_id": ids.LOG_LEAD_BUTTON, "type": "button", "value": HUGE_ID}],
    )
    assert answer.status == 200
    assert LEAD_NOT_FOUND in _reply(team).params["text"]
    assert team.fake.calls_to("views.open") == []


def test_a_review_button_with_a_20_digit_review_id_is_refused(team: BotHarness) -> None:
    for button in (ids.REVIEW_APPROVE_BUTTON, ids.REVIEW_RETURN_BUTTON):
        response_url = team.response_url()
        answer = team.sender.block_actions(
            user_id="UM1",
            channel_id="DUM1",
            response_url=response_url,
            actions=[{"action_id": button, "type": "button", "value": HUGE_ID}],
        )
        assert answer.status == 200
    replies = team.fake.wait_for("response_url", count=2)
    assert all(REVIEW_NOT_FOUND in reply.params["text"] for reply in replies)
    assert team.fake.calls_to("views.open") == []


def test_picking_a_20_digit_lead_in_the_modal_is_refused_by_dm(team: BotHarness) -> None:
    view = _open_log_modal(team)
    option = {"text": {"type": "plain_text", "text": "?"}, "value": HUGE_ID}
    answer = team.sender.block_actions(
        user_id="UR1",
        view=view,
        actions=[
            {"action_id": ids.LEAD_SELECT, "type": "external_select", "selected_option": option}
        ],
    )
    assert answer.status == 200
    (dm,) = team.fake.wait_for("chat.postMessage")
    assert dm.params["channel"] == "UR1" and LEAD_NOT_FOUND in dm.params["text"]
    assert team.fake.calls_to("views.update") == []


def test_a_log_modal_with_a_20_digit_lead_is_an_inline_error(team: BotHarness) -> None:
    factories.lead(team.uow(), owner="UR1", company="普通商事")
    view = _open_log_modal(team, "普通商事")
    values = fill(view, log_outcome="call:不在")
    option = {"text": {"type": "plain_text", "text": "?"}, "value": HUGE_ID}
    values[block_id(view, ids.LOG_LEAD_BLOCK)] = {
        ids.LEAD_SELECT: {"type": "external_select", "selected_option": option}
    }
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.status == 200 and answer.json is not None
    assert answer.json["response_action"] == "errors"
    assert block_id(view, ids.LOG_LEAD_BLOCK) in answer.json["errors"]
    assert factories.count(team.uow, Action) == 0


def test_a_300_character_view_id_is_refused_in_the_modal(team: BotHarness) -> None:
    factories.lead(team.uow(), owner="UR1", company="普通商事")
    view = _open_log_modal(team, "普通商事")
    values = fill(view, log_outcome="call:不在")
    answer = team.sender.view_submission(
        user_id="UR1", view={**view, "id": LONG_VIEW_ID}, values=values
    )
    assert answer.status == 200 and answer.json is not None
    assert answer.json["response_action"] == "errors"
    assert texts.UNREADABLE_VIEW in answer.json["errors"].values()
    assert factories.count(team.uow, Action) == 0


def test_a_300_character_view_id_is_refused_in_the_lead_form(team: BotHarness) -> None:
    team.command("/lead", "株式会社ミライ", user_id="UR1")
    view = team.fake.wait_for("views.open")[-1].response["view"]
    answer = team.sender.view_submission(
        user_id="UR1", view={**view, "id": LONG_VIEW_ID}, values=fill(view)
    )
    assert answer.status == 200 and answer.json is not None
    assert texts.UNREADABLE_VIEW in answer.json["errors"].values()
    assert factories.count(team.uow, Lead) == 0


def test_a_return_modal_naming_a_20_digit_review_says_it_is_gone(team: BotHarness) -> None:
    view = {
        "type": "modal",
        "callback_id": ids.REVIEW_RETURN_VIEW,
        "private_metadata": json.dumps({"review_id": int(HUGE_ID)}),
        "blocks": [],
    }
    values = {
        ids.REVIEW_RETURN_REASON: {
            ids.REVIEW_RETURN_REASON: {"type": "plain_text_input", "value": "まだ脈あり"}
        }
    }
    answer = team.sender.view_submission(user_id="UM1", view=view, values=values)
    assert answer.status == 200 and answer.json is not None
    assert answer.json["response_action"] == "update"
    assert REVIEW_NOT_FOUND in json.dumps(answer.json["view"], ensure_ascii=False)
    assert factories.count(team.uow, NoActionReview) == 0


# -- 8: control characters (NUL breaks PostgreSQL text) --------------------------------------------


def test_nul_in_the_log_modal_memo_is_dropped(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="普通商事")
    view = _open_log_modal(team, "普通商事")
    values = fill(view, log_outcome="call:不在", log_memo="受付\x00で不在\x1b[31m\n火曜に再架電")
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert (answer.status, answer.body) == (200, "")
    with team.uow() as uow:
        assert uow.session.get_one(Lead, lead_id).memo == "受付で不在[31m\n火曜に再架電"


def test_nul_in_the_lead_form_is_dropped(team: BotHarness) -> None:
    assert team.command("/lead", "株式会社\x00ミライ", user_id="UR1").status == 200
    view = team.fake.wait_for("views.open")[-1].response["view"]
    assert element(view, ids.LEAD_COMPANY_BLOCK)["initial_value"] == "株式会社ミライ"
    values = fill(
        view,
        lead_company="株式会社\x00ミライ",
        lead_contact="山田\x00 太郎",
        lead_email="taro\x00@example.com",
    )
    answer = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert answer.status == 200 and answer.json is not None
    assert answer.json["response_action"] == "update", answer.json
    with team.uow() as uow:
        lead = uow.session.scalars(select(Lead)).one()
        assert (lead.company, lead.contact_name, lead.email) == (
            "株式会社ミライ",
            "山田 太郎",
            "taro@example.com",
        )


def test_nul_in_a_search_is_dropped(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="普通商事")
    view = _open_log_modal(team, "普通\x00商事")  # /log-call's text
    assert element(view, ids.LOG_LEAD_BLOCK)["initial_option"]["value"] == str(lead_id)
    answer = team.search_leads("普通\x00", user_id="UR1", view=view)
    assert answer.status == 200 and answer.json is not None
    assert [o["value"] for o in answer.json["options"]] == [str(lead_id)]


def test_nul_in_the_return_reason_is_dropped(team: BotHarness) -> None:
    lead_id = factories.lead(team.uow(), owner="UR1", company="差し戻し商事", status=2)
    review_id = factories.review(team.uow(), lead_id, by="UR1", status=4)
    view = {
        "type": "modal",
        "callback_id": ids.REVIEW_RETURN_VIEW,
        "private_metadata": json.dumps({"review_id": review_id}),
        "blocks": [],
    }
    values = {
        ids.REVIEW_RETURN_REASON: {
            ids.REVIEW_RETURN_REASON: {"type": "plain_text_input", "value": "まだ\x00脈あり"}
        }
    }
    answer = team.sender.view_submission(user_id="UM1", view=view, values=values)
    assert (answer.status, answer.body) == (200, "")
    with team.uow() as uow:
        assert uow.session.get_one(NoActionReview, review_id).return_reason == "まだ脈あり"
