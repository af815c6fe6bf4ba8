"""The manager's morning DM (issue 13 point 3) over HTTP against the fake Slack: one row per
rep, yesterday's missed inbound leads by name, 承認待ちを開く listing the reviews with their
buttons, and 担当を振り替える for an away rep's urgent leads — the lead moves with history, the
new owner is told by DM, another team's manager or lead is refused — on both databases."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import select

from bot import ids
from bot.jobs.reminders import MorningReminders
from isops.enums import Role
from isops.models import AwayPeriod, Lead, LeadHistory, Member
from tests import factories
from tests.bot.modal_state import fill
from tests.harness import BotHarness

TOKYO = ZoneInfo("Asia/Tokyo")
WED = dt.date(2026, 12, 2)
MORNING = dt.datetime(2026, 12, 2, 9, 5, tzinfo=TOKYO).astimezone(dt.UTC)


def jst(day: int, hour: int) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, tzinfo=TOKYO).astimezone(dt.UTC)


@pytest.fixture(autouse=True)
def frozen_clock() -> Iterator[None]:
    with time_machine.travel(MORNING, tick=False):
        yield


def member_id(bot: BotHarness, slack_user_id: str) -> int:
    with bot.uow() as uow:
        found = uow.session.scalar(select(Member.id).where(Member.slack_user_id == slack_user_id))
    assert found is not None
    return found


@pytest.fixture
def team(bot: BotHarness) -> dict[str, int]:
    """山田 (UM1): 佐藤 (UR1, away today) and 伊藤 (UR2); 木村 (UM2): UR9."""
    uow = bot.uow
    factories.member(uow(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(uow(), "UR1", manager="UM1", name="佐藤")
    factories.member(uow(), "UR2", manager="UM1", name="伊藤")
    factories.member(uow(), "UM2", role=Role.MANAGER, name="木村")
    factories.member(uow(), "UR9", manager="UM2", name="他チーム")
    with uow() as unit:
        unit.session.add(
            AwayPeriod(
                member_id=member_id(bot, "UR1"), start_date=WED, end_date=WED + dt.timedelta(days=2)
            )
        )
        unit.commit()
    leads = {
        # 佐藤's urgent leads: inbound due yesterday (Tue), never touched; a focus lead due.
        "missed": factories.lead(
            uow(),
            owner="UR1",
            company="対応漏れ商事",
            inbound=True,
            source="資料請求",
            cv_at=jst(1, 10),
        ),
        "focus": factories.lead(
            uow(), owner="UR1", company="注力工業", status=2, priority=1, next_action_date=WED
        ),
        "other_team": factories.lead(uow(), owner="UR9", company="よそ様", status=2),
    }
    review_lead = factories.lead(uow(), owner="UR2", company="判断待ち物産", status=2)
    factories.review(uow(), review_lead, by="UR2")
    return leads


def morning_dm(bot: BotHarness, user: str) -> dict[str, Any]:
    MorningReminders(bot.runtime.deps, bot.runtime.outbox.client).run()
    for call in bot.fake.calls_to("chat.postMessage"):
        key = call.params["metadata"]["event_payload"]["key"]
        if call.params["channel"] == user and key.startswith("morning:"):
            return call.params
    raise AssertionError(f"no morning DM to {user}")


def test_the_manager_dm_has_a_row_per_rep_missed_names_and_buttons(
    bot: BotHarness, team: dict[str, int]
) -> None:
    message = morning_dm(bot, "UM1")
    body = json.dumps(message["blocks"], ensure_ascii=False)
    assert "*佐藤* 🌴〜12/4(金) 📥 1 · ⏰ 0" not in body  # zeros are left out
    assert "*佐藤* 🌴〜12/4(金) 📥 1" in body
    assert "*伊藤* ⏳ 1" in body
    assert "12/1(火) のインバウンド対応漏れ 1 件" in body and "対応漏れ商事" in body
    buttons = [
        b["accessory"] for b in message["blocks"] if b.get("accessory", {}).get("type") == "button"
    ]
    assert {b["action_id"] for b in buttons} >= {
        ids.MANAGER_OPEN_REVIEWS_BUTTON,
        ids.REASSIGN_BUTTON,
    }
    reassign = next(b for b in buttons if b["action_id"] == ids.REASSIGN_BUTTON)
    assert reassign["value"] == str(member_id(bot, "UR1"))


def test_open_reviews_lists_them_with_their_buttons(bot: BotHarness, team: dict[str, int]) -> None:
    url = bot.response_url()
    bot.sender.block_actions(
        user_id="UM1",
        actions=[{"action_id": ids.MANAGER_OPEN_REVIEWS_BUTTON, "value": "open", "type": "button"}],
        response_url=url,
        channel_id="DUM1",
    )
    (answer,) = [c for c in bot.fake.wait_for("response_url") if c.path.endswith(url[-3:])]
    actions = [
        e["action_id"]
        for b in answer.params["blocks"]
        if b["type"] == "actions"
        for e in b["elements"]
    ]
    assert ids.REVIEW_APPROVE_BUTTON in actions and ids.REVIEW_RETURN_BUTTON in actions
    assert "判断待ち物産" in json.dumps(answer.params, ensure_ascii=False)


def posts_to(bot: BotHarness, user: str, count: int) -> list[dict[str, Any]]:
    """The DMs to `user`, once `count` arrived (the outbox sends in its own thread)."""
    for _ in range(50):
        found = [
            c.params for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == user
        ]
        if len(found) >= count:
            return found
        try:
            total = len(bot.fake.calls_to("chat.postMessage"))
            bot.fake.wait_for("chat.postMessage", count=total + 1, timeout=0.2)
        except AssertionError:
            bot.runtime.outbox.run_once()
    raise AssertionError(f"fewer than {count} DMs to {user}")


def open_reassign(bot: BotHarness, user: str, rep_id: int) -> None:
    bot.sender.block_actions(
        user_id=user,
        actions=[{"action_id": ids.REASSIGN_BUTTON, "value": str(rep_id), "type": "button"}],
        response_url=bot.response_url(),
        channel_id=f"D{user}",
    )


def test_reassign_moves_the_leads_keeps_history_and_tells_the_new_owner(
    bot: BotHarness, team: dict[str, int]
) -> None:
    open_reassign(bot, "UM1", member_id(bot, "UR1"))
    (opened,) = bot.fake.wait_for("views.open")
    view = opened.response["view"]
    ticked = view["blocks"][1]["element"]["initial_options"]
    assert {o["value"] for o in ticked} == {str(team["missed"]), str(team["focus"])}
    candidates = [o["text"]["text"] for o in view["blocks"][2]["element"]["options"]]
    assert candidates == ["伊藤"]  # not the away rep, not another team's
    answer = bot.sender.view_submission(
        user_id="UM1", view=view, values=fill(view, reassign_to=member_id(bot, "UR2"))
    )
    assert answer.status == 200 and "2 件を 伊藤 さんに振り替えました" in json.dumps(
        json.loads(answer.body), ensure_ascii=False
    )
    ur2 = member_id(bot, "UR2")
    with bot.uow() as uow:
        owners = dict(uow.session.execute(select(Lead.id, Lead.owner_id)).all())
        history = uow.session.scalars(
            select(LeadHistory).where(LeadHistory.field == "owner").order_by(LeadHistory.id)
        ).all()
        assert owners[team["missed"]] == owners[team["focus"]] == ur2
        assert {(h.old_value, h.new_value) for h in history} == {("UR1", "UR2")}
        assert all("山田" in (h.note or "") for h in history)
    dms = posts_to(bot, "UR2", 2)
    text = json.dumps(dms, ensure_ascii=False)
    assert "対応漏れ商事" in text and "休暇中の 佐藤 さん" in text
    assert ids.LOG_LEAD_BUTTON in text  # with the 記録 button


def test_another_teams_manager_and_lead_are_refused(bot: BotHarness, team: dict[str, int]) -> None:
    open_reassign(bot, "UM2", member_id(bot, "UR1"))
    (refusal,) = bot.fake.wait_for("response_url")
    assert "自分のチーム" in json.dumps(refusal.params, ensure_ascii=False)
    assert not bot.fake.calls_to("views.open")
    # A forged submission: UM1 ticks another team's lead.
    open_reassign(bot, "UM1", member_id(bot, "UR1"))
    (opened,) = bot.fake.wait_for("views.open")
    view = opened.response["view"]
    values = fill(view, reassign_to=member_id(bot, "UR2"))
    values[ids.REASSIGN_LEADS_BLOCK][ids.REASSIGN_LEADS_BLOCK]["selected_options"] = [
        {"text": {"type": "plain_text", "text": "x"}, "value": str(team["other_team"])}
    ]
    answer = bot.sender.view_submission(user_id="UM1", view=view, values=values)
    assert "自分のチームのリード" in json.dumps(json.loads(answer.body), ensure_ascii=False)
    ur9 = member_id(bot, "UR9")
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, team["other_team"])
        assert lead.owner_id == ur9
        assert (
            uow.session.scalars(select(LeadHistory).where(LeadHistory.field == "owner")).all() == []
        )
    # A rep cannot reassign at all.
    bot.fake.clear()
    open_reassign(bot, "UR2", member_id(bot, "UR1"))
    (rep_refusal,) = bot.fake.wait_for("response_url")
    assert "マネージャーか管理者" in json.dumps(rep_refusal.params, ensure_ascii=False)
