"""App Home for managers and reps (issue 13 point 4) over HTTP: the per-rep table, this week's
scorecard, the pending reviews with their buttons and the report buttons for a manager; the
scorecard line for a rep; never more than Slack's 100 blocks; a report button answers in the
DM — on both databases."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from bot import ids
from tests import factories
from tests.factories import jst
from tests.harness import BotHarness

NOW = jst(dt.date(2026, 12, 2), 11)
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def team(bot: BotHarness, *, reviews: int = 1) -> None:
    uow = bot.uow
    factories.manager_with_reps(uow, ("UR1", "佐藤"), ("UR2", "伊藤"))
    factories.lead(
        uow(), owner="UR1", company="期限切れ", inbound=True, cv_at=NOW - dt.timedelta(days=3)
    )
    for n in range(reviews):
        lead = factories.lead(uow(), owner="UR2", company=f"判断待ち{n}", status=2)
        factories.review(uow(), lead, by="UR2")


def home(bot: BotHarness, user: str) -> dict[str, Any]:
    before = len(bot.fake.calls_to("views.publish"))
    bot.sender.event(
        {"type": "app_home_opened", "user": user, "channel": f"D{user}", "tab": "home"}
    )
    call = bot.fake.wait_for("views.publish", count=before + 1)[before]
    assert call.response["ok"], call.response
    view: dict[str, Any] = call.response["view"]
    return view


def test_a_manager_home_shows_the_team(bot: BotHarness) -> None:
    team(bot)
    view = home(bot, "UM1")
    body = json.dumps(view["blocks"], ensure_ascii=False)
    assert "*佐藤* 📥 1" in body  # the per-rep table
    assert "*伊藤* ⏳ 1" in body
    assert "今週の習慣スコア" in body
    action_ids = {
        e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]
    }
    assert {ids.REVIEW_APPROVE_BUTTON, ids.REVIEW_RETURN_BUTTON} <= action_ids
    assert {f"{ids.HOME_REPORT_BUTTON}:{k}" for k in "abcde"} <= action_ids


def test_many_reviews_stay_within_the_home_limit(bot: BotHarness) -> None:
    team(bot, reviews=40)
    view = home(bot, "UM1")
    assert len(view["blocks"]) <= 100
    assert "/isops reviews" in json.dumps(view["blocks"], ensure_ascii=False)


def test_a_rep_home_has_their_scorecard_line(bot: BotHarness) -> None:
    team(bot)
    body = json.dumps(home(bot, "UR1")["blocks"], ensure_ascii=False)
    assert "📈 今週: 当日" in body and "◆" in body
    assert "判断待ち" not in body


def test_a_report_button_answers_in_the_dm(bot: BotHarness) -> None:
    team(bot)
    view = home(bot, "UM1")
    bot.sender.block_actions(
        user_id="UM1",
        view=view,
        actions=[{"action_id": f"{ids.HOME_REPORT_BUTTON}:a", "value": "a", "type": "button"}],
    )
    for count in range(1, 10):  # the review request DM may come first (the outbox's thread)
        posts = bot.fake.wait_for("chat.postMessage", count=count)
        found = [
            p.params for p in posts if p.params["channel"] == "UM1" and "a." in p.params["text"]
        ]
        if found:
            break
    assert "期限切れ" in json.dumps(found[0]["blocks"], ensure_ascii=False)
