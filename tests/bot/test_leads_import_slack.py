"""`/isops import` from Slack: admins paste a CSV; bad rows stay in the modal as inline errors
with nothing saved; a good paste shows the summary in place."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from isops.enums import Role
from isops.models import Lead
from isops.services.members import add_member
from tests.fake_slack import state_value
from tests.harness import BotHarness


@pytest.fixture
def team(bot: BotHarness) -> Iterator[BotHarness]:
    add_member(bot.uow(), slack_user_id="UADMIN", name="管理者", role=Role.ADMIN)
    add_member(
        bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP, email="sato@example.com"
    )
    yield bot


def open_modal(bot: BotHarness, user_id: str = "UADMIN") -> dict[str, Any]:
    bot.command("/isops", "import", user_id=user_id)
    (opened,) = bot.fake.wait_for("views.open")
    assert opened.response["ok"], opened.response
    view: dict[str, Any] = opened.response["view"]
    return view


def submit(bot: BotHarness, view: dict[str, Any], text: str, *, dry_run: bool = False) -> Any:
    values = {
        ids.LEADS_IMPORT_CSV: {ids.LEADS_IMPORT_CSV: state_value("plain_text_input", text)},
        ids.LEADS_IMPORT_DRY_RUN: {
            ids.LEADS_IMPORT_DRY_RUN: state_value("checkboxes", ["dry_run"] if dry_run else [])
        },
    }
    return bot.sender.view_submission(user_id="UADMIN", view=view, values=values).json


def companies(bot: BotHarness) -> list[str]:
    with bot.uow() as uow:
        return list(uow.session.scalars(select(Lead.company).order_by(Lead.id)))


GOOD = "会社名,メール,担当者,流入元\nあおば,a@aoba.example,sato@example.com,資料請求\nかえで,k@kaede.example,U100,\n"


def test_admin_pastes_a_csv(team: BotHarness) -> None:
    view = open_modal(team)
    assert view["callback_id"] == ids.LEADS_IMPORT_VIEW
    tried = submit(team, view, GOOD, dry_run=True)
    assert tried["response_action"] == "update"
    assert "試行のみ" in str(tried["view"]["blocks"]) and companies(team) == []
    done = submit(team, view, GOOD)
    assert done["response_action"] == "update"
    assert "新規 2 件" in str(done["view"]["blocks"])
    assert companies(team) == ["あおば", "かえで"]
    again = submit(team, view, GOOD)
    assert "変更なし 2 件" in str(again["view"]["blocks"])


def test_bad_rows_are_shown_inline_and_nothing_is_saved(team: BotHarness) -> None:
    view = open_modal(team)
    answer = submit(team, view, GOOD + "くるみ,not-mail,U100,\n,x@y.example,,\n")
    assert answer["response_action"] == "errors"
    message = answer["errors"][ids.LEADS_IMPORT_CSV]
    assert "行 4, 列 メール" in message and "行 5, 列 会社名" in message
    assert companies(team) == []


def test_only_admins_may_import(team: BotHarness) -> None:
    team.command("/isops", "import", user_id="U100")
    (reply,) = team.fake.wait_for("response_url")
    assert "管理者" in reply.params["text"]
    assert team.fake.calls_to("views.open") == []


def test_owners_must_be_members_and_slack_is_not_asked(team: BotHarness) -> None:
    """The import answers the submission itself (within Slack's 3 s): no users.lookupByEmail,
    whose retries and back-off could outlast it; the modal says so."""
    team.fake.add_user("U300", email="suzuki@example.com")  # in Slack, but not an isops member
    view = open_modal(team)
    hint = str(view["blocks"][0])
    assert "Slack に問い合わせません" in hint and "isops leads import" in hint
    answer = submit(
        team, view, "会社名,担当者\nあおば,suzuki@example.com\nかえで,SATO@example.com\n"
    )
    assert answer["response_action"] == "errors"
    message = answer["errors"][ids.LEADS_IMPORT_CSV]
    assert "行 2, 列 担当者" in message and "行 3" not in message  # a member's own e-mail is fine
    assert team.fake.calls_to("users.lookupByEmail") == []
    assert companies(team) == []
