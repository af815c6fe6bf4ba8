"""`/isops team` and role/manager changes (issue 13 point 5): admins list and change from Slack
(button → modal), everyone else is refused; the command line's `isops member set`; the rules
(no loops, a manager with reports keeps a managing role) — on both databases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from sqlalchemy import select

from bot import ids
from bot.cli import main
from isops.enums import Role
from isops.models import AwayPeriod, Member
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.bot.modal_state import fill
from tests.fake_slack import RecordedCall
from tests.harness import BotHarness


def team(uow: UnitOfWorkFactory) -> None:
    factories.member(uow(), "UA1", role=Role.ADMIN, name="管理者")
    factories.member(uow(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(uow(), "UM2", role=Role.MANAGER, name="木村")
    factories.member(uow(), "UR1", manager="UM1", name="佐藤")
    with uow() as unit:
        ur1 = unit.session.scalar(select(Member.id).where(Member.slack_user_id == "UR1"))
        unit.session.add(
            AwayPeriod(member_id=ur1, start_date=dt.date(2099, 1, 5), end_date=dt.date(2099, 1, 9))
        )
        unit.commit()


def manager_of(uow: UnitOfWorkFactory, slack_user_id: str) -> str | None:
    with uow() as unit:
        member = unit.session.scalar(select(Member).where(Member.slack_user_id == slack_user_id))
        assert member is not None
        if member.manager_id is None:
            return None
        return unit.session.get_one(Member, member.manager_id).slack_user_id


def _edit(bot: BotHarness, name: str) -> tuple[RecordedCall, dict[str, Any]]:
    """`/isops team` as the admin UA1, then 編集 on `name`'s row: the listing and the modal."""
    bot.command("/isops", "team", user_id="UA1")
    (listing,) = bot.fake.wait_for("response_url")
    button = next(
        b["accessory"]
        for b in listing.params["blocks"]
        if b.get("accessory", {}).get("action_id") == ids.TEAM_EDIT_BUTTON
        and name in b["text"]["text"]
    )
    bot.sender.block_actions(user_id="UA1", actions=[button], response_url=bot.response_url())
    (opened,) = bot.fake.wait_for("views.open")
    return listing, opened.response["view"]


def test_admin_lists_and_changes_a_manager_from_slack(bot: BotHarness) -> None:
    team(bot.uow)
    listing, view = _edit(bot, "佐藤")
    body = json.dumps(listing.params["blocks"], ensure_ascii=False)
    assert "佐藤" in body and "上長: 山田" in body and "🌴 2099/1/5(月)〜2099/1/9(金)" in body
    um2 = next(
        o["value"] for o in view["blocks"][2]["element"]["options"] if o["text"]["text"] == "木村"
    )
    answer = bot.sender.view_submission(
        user_id="UA1", view=view, values=fill(view, team_manager=um2)
    )
    assert "変更しました" in json.dumps(json.loads(answer.body), ensure_ascii=False)
    assert manager_of(bot.uow, "UR1") == "UM2"


def test_a_manager_making_a_loop_or_demoted_with_reports_is_refused(bot: BotHarness) -> None:
    team(bot.uow)
    _, view = _edit(bot, "山田")
    answer = bot.sender.view_submission(
        user_id="UA1", view=view, values=fill(view, team_role="rep")
    )
    errors = json.loads(answer.body)["errors"]
    assert "上長を変更してください" in errors[ids.TEAM_ROLE_BLOCK]


def test_only_admins_see_the_team(bot: BotHarness) -> None:
    team(bot.uow)
    bot.command("/isops", "team", user_id="UM1")
    (refusal,) = bot.fake.wait_for("response_url")
    text = json.dumps(refusal.params, ensure_ascii=False)
    assert "管理者 (admin) だけ" in text and "佐藤" not in text


def test_cli_member_set(cli_db: UnitOfWorkFactory, capsys: pytest.CaptureFixture[str]) -> None:
    team(cli_db)
    assert main(["member", "set", "UR1", "--manager", "UM2"]) == 0
    assert manager_of(cli_db, "UR1") == "UM2"
    assert main(["member", "set", "UR1", "--no-manager"]) == 0
    assert manager_of(cli_db, "UR1") is None
    assert main(["member", "set", "UM1", "--manager", "UM2"]) == 0
    assert main(["member", "set", "UM2", "--manager", "UM1"]) == 2  # a loop
    assert "下にいる" in capsys.readouterr().err
    assert main(["member", "set", "UR1", "--role", "manager"]) == 0
    assert main(["member", "set", "UR1"]) == 2
    assert "Traceback" not in capsys.readouterr().err
