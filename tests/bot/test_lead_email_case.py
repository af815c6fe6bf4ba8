"""One person, three spellings of their e-mail, three entry points — one lead.

The webhook stores the lead, `/lead` finds it as a duplicate, and the `/isops import` paste
updates it: every path stores the e-mail lower-cased and matches by equality."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from isops.enums import Role
from isops.models import Lead
from isops.services.members import add_member
from tests.bot.modal_state import fill
from tests.bot.test_lead_webhook import TOKEN, post
from tests.bot.test_leads_import_slack import submit
from tests.harness import BotHarness, running_bot


@pytest.fixture
def team(database_url: str) -> Iterator[BotHarness]:
    with running_bot(database_url, ISOPS_WEBHOOK_TOKEN=TOKEN) as bot:
        add_member(bot.uow(), slack_user_id="UADMIN", name="管理者", role=Role.ADMIN)
        add_member(
            bot.uow(), slack_user_id="U100", name="佐藤", role=Role.REP, email="sato@example.com"
        )
        yield bot


def _leads(bot: BotHarness) -> list[tuple[Any, ...]]:
    with bot.uow() as uow:
        rows = uow.session.execute(select(Lead.id, Lead.email, Lead.memo).order_by(Lead.id))
        return [tuple(r) for r in rows]


def test_mixed_case_emails_from_webhook_lead_and_csv_are_one_lead(team: BotHarness) -> None:
    status, body = post(
        team,
        {"company": "株式会社あおば", "email": " Taro.Yamada@Aoba.EXAMPLE ", "source": "資料請求"},
    )
    assert status == 201
    lead_id = body["lead_id"]
    assert _leads(team) == [(lead_id, "taro.yamada@aoba.example", "")]

    team.command("/lead", "", user_id="U100")
    view = team.fake.wait_for("views.open")[-1].response["view"]
    answer = team.sender.view_submission(
        user_id="U100",
        view=view,
        values=fill(view, lead_company="あおば (別表記)", lead_email="TARO.YAMADA@aoba.example"),
    ).json
    assert answer is not None and answer["response_action"] == "update"
    assert "既に登録されています" in answer["view"]["blocks"][0]["text"]["text"]

    team.command("/isops", "import", user_id="UADMIN")
    modal = team.fake.wait_for("views.open", count=2)[-1].response["view"]
    assert modal["callback_id"] == ids.LEADS_IMPORT_VIEW
    imported = submit(
        team, modal, "会社名,メール,メモ\n株式会社あおば,taro.yamada@AOBA.example,資料送付済み\n"
    )
    assert imported["response_action"] == "update"
    assert "新規 0 件, 更新 1 件" in str(imported["view"]["blocks"])
    assert _leads(team) == [(lead_id, "taro.yamada@aoba.example", "資料送付済み")]
