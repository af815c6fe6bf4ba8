"""/lead over HTTP: the form, registration, the duplicate check and the 記録 button after it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot import ids
from isops.models import Lead
from tests import factories
from tests.bot.modal_state import element, fill
from tests.harness import BotHarness

NOW = dt.datetime(2026, 11, 27, 1, 30, tzinfo=dt.UTC)  # 10:30 in Tokyo


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    with time_machine.travel(NOW, tick=True):
        factories.manager_with_reps(bot.uow)
        yield bot


def _open(bot: BotHarness, text: str = "", user: str = "UR1") -> dict[str, Any]:
    """`/lead` and the modal it opened."""
    return bot.open_modal("/lead", text, user_id=user)


def _leads(bot: BotHarness) -> list[tuple[str, str | None, str | None, bool, dt.datetime]]:
    with bot.uow() as uow:
        rows = uow.session.execute(
            select(Lead.company, Lead.email, Lead.source, Lead.inbound, Lead.cv_at).order_by(
                Lead.id
            )
        ).all()
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_lead_opens_a_form_defaulting_cv_to_now_and_owner_to_the_rep(team: BotHarness) -> None:
    view = _open(team, "株式会社ミライ")
    assert view["callback_id"] == ids.LEAD_CREATE_VIEW
    assert element(view, ids.LEAD_COMPANY_BLOCK)["initial_value"] == "株式会社ミライ"
    assert element(view, ids.LEAD_CV_DATE_BLOCK)["initial_date"] == "2026-11-27"
    assert element(view, ids.LEAD_CV_TIME_BLOCK)["initial_time"] == "10:30"
    assert element(view, ids.LEAD_OWNER_BLOCK)["initial_user"] == "UR1"


def test_lead_registers_and_a_duplicate_shows_the_existing_one(team: BotHarness) -> None:
    view = _open(team)
    values = fill(
        view,
        lead_company="株式会社ミライ",
        lead_contact="高橋 花子",
        lead_email="hanako@mirai.example",
        lead_source="資料請求",
        lead_role_level="マネージャー",
    )
    created = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert created.json["response_action"] == "update"
    result = created.json["view"]
    assert "✅" in result["blocks"][0]["text"]["text"]
    assert [(c, e, s, i) for c, e, s, i, _ in _leads(team)] == [
        ("株式会社ミライ", "hanako@mirai.example", "資料請求", True)
    ]
    assert _leads(team)[0][4] == NOW.replace(second=0, microsecond=0)  # 10:30 Tokyo
    button = result["blocks"][-1]["elements"][0]
    assert button["action_id"] == ids.LOG_LEAD_BUTTON

    # The same person again (e-mail in another case): the existing lead, nothing created.
    again_view = _open(team)
    again = team.sender.view_submission(
        user_id="UR1",
        view=again_view,
        values=fill(again_view, lead_company="ミライ", lead_email="HANAKO@mirai.example"),
    )
    shown = again.json["view"]["blocks"][0]["text"]["text"]
    assert "既に登録されています" in shown and "株式会社ミライ" in shown
    assert len(_leads(team)) == 1

    # The same modal submitted twice (double click) creates one lead and reports it created.
    twice = team.sender.view_submission(user_id="UR1", view=view, values=values)
    assert "✅" in twice.json["view"]["blocks"][0]["text"]["text"]
    assert len(_leads(team)) == 1


def test_the_log_button_on_the_result_pushes_the_log_modal(team: BotHarness) -> None:
    view = _open(team)
    created = team.sender.view_submission(
        user_id="UR1", view=view, values=fill(view, lead_company="押下テスト")
    )
    result = {**created.json["view"], "id": view["id"]}
    team.sender.block_actions(
        user_id="UR1", view=result, actions=[{"action_id": ids.LOG_LEAD_BUTTON}]
    )
    (pushed,) = team.fake.wait_for("views.push")
    assert pushed.response["ok"], pushed.response
    log_view = pushed.response["view"]
    with team.uow() as uow:
        lead_id = uow.session.scalar(select(Lead.id))
    assert element(log_view, ids.LOG_LEAD_BLOCK)["initial_option"]["value"] == str(lead_id)
    done = team.sender.view_submission(
        user_id="UR1", view=log_view, values=fill(log_view, log_outcome="call:不在")
    )
    assert done.json == {"response_action": "clear"}  # closes the stack
    (dm,) = team.fake.wait_for("chat.postMessage")  # from a modal: confirmed by DM
    assert dm.params["channel"] == "UR1"


def test_bad_fields_are_inline_errors_and_nothing_is_saved(team: BotHarness) -> None:
    view = _open(team)
    answer = team.sender.view_submission(
        user_id="UR1",
        view=view,
        values=fill(view, lead_company="X社", lead_phone="でんわ", lead_owner="UM1"),
    )
    assert answer.json["response_action"] == "errors"
    assert "owner" not in answer.json["errors"]
    assert set(answer.json["errors"]) == {ids.LEAD_PHONE_BLOCK}
    rep_assigns_manager = team.sender.view_submission(
        user_id="UR1", view=view, values=fill(view, lead_company="X社", lead_owner="UM1")
    )
    assert ids.LEAD_OWNER_BLOCK in rep_assigns_manager.json["errors"]
    with team.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lead)) == 0


def test_lead_from_someone_unregistered_is_refused(team: BotHarness) -> None:
    assert team.command("/lead", "", user_id="U404").status == 200
    (reply,) = team.fake.wait_for("response_url")
    assert "メンバー登録されていません" in reply.params["text"]
