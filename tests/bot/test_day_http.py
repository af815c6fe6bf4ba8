"""The rep's day over HTTP (issue 11): the morning DM that fits a phone, one-tap logging from
every list with its undo, the DM's progress in place, App Home as the live list."""

from __future__ import annotations

import datetime as dt
import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from sqlalchemy import func, select

from bot import ids
from bot.blocks.lead_list import listed_lead_ids
from bot.jobs.reminders import JOB_ID
from isops.csvio import ImportPolicy, import_leads
from isops.enums import ActionStatus, Role
from isops.models import Action, Lead, LeadHistory, NoActionReview, Notification
from isops.services.live_lists import HOME_SETTLE, KIND_HOME
from isops.services.quick_log import touch_version
from isops.services.reviews import ReviewConfig, return_review
from tests import factories as f
from tests.factories import TOKYO, jst
from tests.harness import BotHarness

FRI = dt.date(2026, 11, 27)
DAY = dt.timedelta(days=1)


def phone(lead_no: int) -> str:
    return f"03-5555-{lead_no:04d}"


@pytest.fixture
def rep(bot: BotHarness) -> Iterator[dict[str, int]]:
    """Rep U001 (manager UMGR) with 35 open leads, each with a phone, as a real morning has
    them; returns the lead ids by kind. The clock is Friday 09:00 in Tokyo, ticking."""
    uow = bot.runtime.deps.uow_factory
    f.member(uow(), "UMGR", role=Role.MANAGER, name="山田", timezone="Asia/Tokyo")
    f.member(uow(), "U001", manager="UMGR", name="佐藤", timezone="Asia/Tokyo")
    f.member(uow(), "U002", manager="UMGR", name="鈴木", timezone="Asia/Tokyo")
    leads: dict[str, int] = {}
    n = iter(range(1, 100))

    def add(kind: str, **kw: Any) -> None:
        no = next(n)
        kw.setdefault("company", f"株式会社{kind}{no}")
        leads[f"{kind}{no}"] = f.lead(uow(), owner="U001", phone=phone(no), **kw)

    add("late", inbound=True, source="資料請求", cv_at=jst(FRI - 2 * DAY, 10))
    for _ in range(3):
        add("inbound", inbound=True, source="問い合わせ", cv_at=jst(FRI - DAY, 19))
    for i in range(7):
        add("overdue", status=3, priority=1, next_action_date=FRI - (3 + i) * DAY)
    for _ in range(3):
        add("due", status=3, priority=1, next_action_date=FRI)
    for i in range(15):
        add("chase", status=2, cv_at=jst(FRI - (1 + i) * DAY, 11))
    for _ in range(3):
        add("hygiene", status=3, priority=1)
    for _ in range(2):
        add("pending", status=2)
    for key in [k for k in leads if k.startswith("pending")]:
        f.review(uow(), leads[key], by="U001")
    with time_machine.travel(jst(FRI), tick=True):
        yield leads


def run_morning(bot: BotHarness) -> Any:
    """The morning job, then the DM as Slack posted it."""
    bot.runtime.outbox.stop()  # the job sends its DMs itself (see test_reminders_bot)
    job = next(j for j in bot.runtime.jobs if j.id == JOB_ID)
    job.func()
    bot.runtime.outbox.start(poll_seconds=0.2)
    (dm,) = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "U001"]
    return dm


def menu_value(block: dict[str, Any], choice: str) -> dict[str, Any]:
    options = block["accessory"]["options"]
    return next(o for o in options if o["value"].split(":")[1] == choice)


def tap(
    bot: BotHarness,
    *,
    block: dict[str, Any],
    choice: str = "absent",
    user_id: str = "U001",
    message: dict[str, Any] | None = None,
    channel_id: str = "DU001",
    action_ts: str = "1795000000.000100",
    response_url: str | None = None,
    view: dict[str, Any] | None = None,
) -> Any:
    """A choice in an item's ⋯ menu, as Slack sends it."""
    action = {
        "action_id": ids.QUICK_LOG_MENU,
        "block_id": block["block_id"],
        "type": "overflow",
        "selected_option": menu_value(block, choice),
        "action_ts": action_ts,
    }
    if view is not None:
        return bot.sender.block_actions(user_id=user_id, view=view, actions=[action])
    return bot.sender.block_actions(
        user_id=user_id,
        message=message,
        channel_id=channel_id,
        actions=[action],
        response_url=response_url or bot.response_url(),
    )


def actions_on(bot: BotHarness, lead_id: int) -> int:
    return f.count(bot.uow, Action, Action.lead_id == lead_id)


def lead_state(bot: BotHarness, lead_id: int) -> tuple[Any, ...]:
    with bot.uow() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return (
            lead.status,
            lead.priority,
            lead.next_action_date,
            lead.call_count,
            lead.first_action_at,
            lead.last_action_at,
            lead.last_outcome,
        )


def block_of(blocks: list[dict[str, Any]], block_id: str) -> dict[str, Any]:
    return next(b for b in blocks if b.get("block_id") == block_id)


def today_item(bot: BotHarness, lead_id: int) -> dict[str, Any]:
    """`/isops today` as U001, and the lead's item in the list it answers with."""
    bot.command("/isops", "today", user_id="U001")
    (today,) = bot.fake.wait_for("response_url", timeout=5)
    return block_of(today.params["blocks"], f"{ids.LIST_ITEM_BLOCK}:{lead_id}")


def test_a_rep_with_35_open_leads_gets_a_dm_that_fits_a_phone(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    dm = run_morning(bot)
    blocks = dm.params["blocks"]
    assert dm.status == 200 and dm.response["ok"]  # the fake checked Slack's limits
    assert len(blocks) <= 15
    elements = [b.get("accessory") or {} for b in blocks]
    elements += [e for b in blocks for e in b.get("elements", []) if isinstance(e, dict)]
    assert len([e for e in elements if e.get("style") == "primary"]) <= 1
    first = [b for b in blocks if str(b.get("block_id", "")).startswith(f"{ids.FIRST_ITEM_BLOCK}:")]
    assert len(first) == 5
    by_id = {lead_id: key for key, lead_id in rep.items()}
    assert [by_id[int(b["block_id"].split(":")[1])] for b in first] == [
        "late1",
        "inbound2",
        "inbound3",
        "inbound4",
        "overdue11",  # the most overdue focus lead
    ]
    for block in first:
        no = int(by_id[int(block["block_id"].split(":")[1])].lstrip("abcdefghijklmnopqrstuvwxyz"))
        number = phone(no)
        assert f"<tel:{number.replace('-', '')}|{number}>" in block["text"]["text"]


def test_one_tap_in_the_morning_dm_logs_once_and_updates_the_dm_and_home(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    dm = run_morning(bot)
    message = dm.response["message"]
    lead_id = rep["late1"]
    block = block_of(message["blocks"], f"{ids.FIRST_ITEM_BLOCK}:{lead_id}")
    before = lead_state(bot, lead_id)
    publishes = len(bot.fake.calls_to("views.publish"))

    answer = tap(bot, block=block, message=message)
    assert answer.status == 200
    (update,) = bot.fake.wait_for("chat.update", count=1, timeout=5)
    assert (update.params["channel"], update.params["ts"]) == (
        dm.response["channel"],
        dm.response["ts"],
    )
    done = block_of(update.params["blocks"], f"{ids.FIRST_ITEM_BLOCK}:{lead_id}")
    assert done["text"]["text"].startswith("✅ *株式会社late1*")
    assert "09:0" in done["text"]["text"] and "📞 不在 を記録しました" in done["text"]["text"]
    assert update.params["blocks"][0]["text"]["text"].endswith("今日のやること 残り 4 件")
    home = bot.fake.wait_for("views.publish", count=publishes + 1, timeout=5)[-1]
    assert home.params["user_id"] == "U001"
    # Approached now: out of the inbound section, into 5C2M with its last touch.
    moved = block_of(home.params["view"]["blocks"], f"{ids.LIST_ITEM_BLOCK}:{lead_id}")
    assert "🔁 📞1/5" in moved["text"]["text"] and "前回 09:0" in moved["text"]["text"]
    assert "📞 不在 を記録しました" in json.dumps(home.params["view"], ensure_ascii=False)
    assert bot.fake.calls_to("views.open") == []  # no modal for a one-tap log
    assert actions_on(bot, lead_id) == 1
    assert lead_state(bot, lead_id)[0] == ActionStatus.NOT_CONNECTED  # a first touch: 1 → 2
    # Confirmed in place: no new message in the DM, no ephemeral either.
    to_rep = [c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "U001"]
    assert to_rep == [dm]
    assert bot.fake.calls_to("response_url") == []

    # Slack sends the same click again (or the rep taps twice): still one action.
    tap(bot, block=block, message=message)
    (again,) = bot.fake.wait_for("response_url", timeout=5)
    assert "記録済みです" in again.params["text"]
    assert actions_on(bot, lead_id) == 1

    # Undo from the updated item: the lead is as before, the DM's item comes back.
    undo = done["accessory"]
    assert undo["action_id"] == ids.UNDO_BUTTON
    bot.sender.block_actions(
        user_id="U001",
        message=update.response["message"],
        channel_id=dm.response["channel"],
        actions=[{"action_id": ids.UNDO_BUTTON}],
        response_url=bot.response_url(),
    )
    updates = bot.fake.wait_for("chat.update", count=2, timeout=5)
    restored = block_of(updates[1].params["blocks"], f"{ids.FIRST_ITEM_BLOCK}:{lead_id}")
    assert restored == block
    assert actions_on(bot, lead_id) == 0
    assert lead_state(bot, lead_id) == before
    with bot.uow() as uow:
        notes = uow.session.scalars(
            select(LeadHistory.note).where(
                LeadHistory.lead_id == lead_id, LeadHistory.field == "action"
            )
        ).all()
    assert notes == ["1 タップ記録の取り消し"]
    home = bot.fake.wait_for("views.publish", count=publishes + 2, timeout=5)[-1]
    back = block_of(home.params["view"]["blocks"], f"{ids.LIST_ITEM_BLOCK}:{lead_id}")
    assert "期限超過" in back["text"]["text"]  # an inbound lead nobody approached, again


def test_a_focus_lead_logged_from_the_dm_gets_its_next_date_after_today(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    dm = run_morning(bot)
    lead_id = rep["overdue11"]
    block = block_of(dm.response["message"]["blocks"], f"{ids.FIRST_ITEM_BLOCK}:{lead_id}")
    tap(bot, block=block, choice="mail", message=dm.response["message"])
    bot.fake.wait_for("chat.update", timeout=5)
    status, priority, next_date, *_ = lead_state(bot, lead_id)
    assert (status, priority) == (ActionStatus.CONNECTED, 1)
    # connected focus: a week (the modal suggests the same)
    assert next_date == dt.date(2026, 12, 4)


def test_app_home_lists_the_same_leads_as_isops_today(bot: BotHarness, rep: dict[str, int]) -> None:
    bot.sender.event({"type": "app_home_opened", "user": "U001", "channel": "DU001", "tab": "home"})
    (home,) = bot.fake.wait_for("views.publish", timeout=5)
    bot.command("/isops", "today", user_id="U001")
    (today,) = bot.fake.wait_for("response_url", timeout=5)
    listed = listed_lead_ids(home.params["view"]["blocks"])
    assert listed == listed_lead_ids(today.params["blocks"])
    expected = {v for k, v in rep.items() if not k.startswith("pending")}
    assert set(listed) == expected  # all 33 leads to work (the 2 waiting for review are not)
    item = block_of(home.params["view"]["blocks"], f"{ids.LIST_ITEM_BLOCK}:{rep['due12']}")
    assert f"<tel:0355550012|{phone(12)}>" in item["text"]["text"]
    assert item["accessory"]["action_id"] == ids.QUICK_LOG_MENU
    # Someone not registered gets Home's explanation instead of a list.
    bot.sender.event({"type": "app_home_opened", "user": "UNOBODY", "channel": "DX", "tab": "home"})
    stranger = bot.fake.wait_for("views.publish", count=2, timeout=5)[-1]
    assert "メンバー登録されていません" in json.dumps(stranger.params["view"], ensure_ascii=False)


def test_a_forged_lead_gets_an_ephemeral_refusal_and_nothing_changes(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    theirs = f.lead(bot.uow(), owner="U002", company="鈴木さんのリード", phone=phone(90))
    forged = {
        "block_id": f"{ids.LIST_ITEM_BLOCK}:{theirs}",
        "accessory": {
            "options": [
                {"text": {"type": "plain_text", "text": "x"}, "value": f"{theirs}:absent:0"}
            ]
        },
    }
    tap(bot, block=forged, channel_id="C111")
    (refusal,) = bot.fake.wait_for("response_url", timeout=5)
    assert refusal.params["response_type"] == "ephemeral"
    assert "権限がありません" in refusal.params["text"]
    forged["accessory"]["options"][0]["value"] = "99999999:absent:0"
    tap(bot, block=forged, channel_id="C111")
    replies = bot.fake.wait_for("response_url", count=2, timeout=5)
    assert "見つかりません" in replies[1].params["text"]
    with bot.uow() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Action)) == 0
        assert (
            uow.session.scalar(
                select(func.count()).select_from(Notification).where(Notification.kind == KIND_HOME)
            )
            == 0
        )


def test_one_tap_from_isops_today_confirms_with_an_undo_that_expires(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    lead_id = rep["chase20"]
    block = today_item(bot, lead_id)
    tap(bot, block=block, choice="voicemail", channel_id="C111")  # ephemeral: no message
    replies = bot.fake.wait_for("response_url", count=2, timeout=5)
    confirmation = replies[1].params
    assert confirmation["response_type"] == "ephemeral" and not confirmation["replace_original"]
    assert "📞 留守電 を記録しました" in confirmation["blocks"][0]["text"]["text"]
    undo = confirmation["blocks"][0]["accessory"]

    def click_undo() -> None:
        bot.sender.block_actions(
            user_id="U001",
            actions=[{**undo, "block_id": "b"}],
            channel_id="C111",
            response_url=bot.response_url(),
        )

    assert undo["action_id"] == ids.UNDO_BUTTON
    assert actions_on(bot, lead_id) == 1
    later = dt.datetime.now(dt.UTC) + dt.timedelta(minutes=10, seconds=5)
    with time_machine.travel(later, tick=True):
        click_undo()
        replies = bot.fake.wait_for("response_url", count=3, timeout=5)
    assert "10 分以内" in replies[2].params["text"]
    assert actions_on(bot, lead_id) == 1
    click_undo()
    replies = bot.fake.wait_for("response_url", count=4, timeout=5)
    assert replies[3].params["replace_original"] is True
    assert "取り消しました" in replies[3].params["blocks"][0]["text"]["text"]
    assert actions_on(bot, lead_id) == 0


def test_connected_and_detail_open_the_log_modal_filled_and_log_nothing(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    lead_id = rep["chase20"]
    block = today_item(bot, lead_id)
    tap(bot, block=block, choice="connected", channel_id="C111")
    (opened,) = bot.fake.wait_for("views.open", timeout=5)
    view = opened.params["view"]
    blocks = {str(b.get("block_id", "")).split("~")[0]: b for b in view["blocks"]}
    assert blocks[ids.LOG_LEAD_BLOCK]["element"]["initial_option"]["value"] == str(lead_id)
    assert blocks[ids.LOG_OUTCOME_BLOCK]["element"]["initial_option"]["value"] == "call:接続"
    tap(bot, block=block, choice="detail", channel_id="C111", action_ts="1795000000.000200")
    opened = bot.fake.wait_for("views.open", count=2, timeout=5)[1]
    picked = next(
        b for b in opened.params["view"]["blocks"] if b.get("block_id") == ids.LOG_LEAD_BLOCK
    )
    assert picked["element"]["initial_option"]["value"] == str(lead_id)
    assert actions_on(bot, lead_id) == 0


def test_the_list_modal_marks_a_touch_logged_in_it(bot: BotHarness, rep: dict[str, int]) -> None:
    dm = run_morning(bot)
    bot.sender.block_actions(
        user_id="U001",
        message=dm.response["message"],
        channel_id=dm.response["channel"],
        actions=[{"action_id": ids.LIST_OPEN_BUTTON}],
    )
    (opened,) = bot.fake.wait_for("views.open", timeout=5)
    view = opened.response["view"]
    listed = set(listed_lead_ids(view["blocks"]))
    assert listed == {v for k, v in rep.items() if not k.startswith("pending")}, sorted(listed)
    lead_id = rep["chase20"]
    block = block_of(view["blocks"], f"{ids.LIST_ITEM_BLOCK}:{lead_id}")
    tap(bot, block=block, view=view)
    (updated,) = bot.fake.wait_for("views.update", timeout=5)
    assert updated.params["view_id"] == view["id"]
    item = block_of(updated.params["view"]["blocks"], f"{ids.LIST_ITEM_BLOCK}:{lead_id}")
    assert "前回 09:0" in item["text"]["text"] and "📞 不在" in item["text"]["text"]
    with bot.uow() as uow:
        last = uow.session.get_one(Lead, lead_id).last_action_at
    assert menu_value(item, "absent")["value"] == f"{lead_id}:absent:{touch_version(last)}"
    assert actions_on(bot, lead_id) == 1


def test_home_follows_an_approval_and_a_return(bot: BotHarness, rep: dict[str, int]) -> None:
    with bot.uow() as uow:
        first, second = uow.session.scalars(
            select(NoActionReview.id).order_by(NoActionReview.id)
        ).all()
    before = len(bot.fake.calls_to("views.publish"))
    bot.approve_review(first, by="UMGR")
    bot.runtime.deps.wake_outbox()
    home = bot.fake.wait_for("views.publish", count=before + 1, timeout=5)[-1]
    assert home.params["user_id"] == "U001"
    assert "承認待ち 1 件" in json.dumps(home.params["view"], ensure_ascii=False)
    return_review(
        bot.uow(),
        review_id=second,
        decider_slack_user_id="UMGR",
        reason="来期予算の話が出ています",
        config=ReviewConfig.from_settings(bot.runtime.deps.settings),
        calendar=bot.runtime.deps.calendar,
    )
    bot.runtime.deps.wake_outbox()
    home = bot.fake.wait_for("views.publish", count=before + 2, timeout=5)[-1]
    assert rep["pending34"] in listed_lead_ids(home.params["view"]["blocks"])  # back, ↩️


def test_a_50_lead_import_publishes_each_reps_home_once(
    bot: BotHarness, rep: dict[str, int]
) -> None:
    bot.runtime.outbox.stop()
    rows = "\n".join(f"株式会社取込{i},担当 {i},U002,資料請求" for i in range(50))
    stream = io.BytesIO(f"会社名,氏名,担当者,流入元\n{rows}\n".encode())
    report = import_leads(
        bot.runtime.deps.uow_factory,
        stream=stream,
        policy=ImportPolicy(tz=TOKYO, inbound_sources=("資料請求",)),
    )
    assert report.created == 50
    with bot.uow() as uow:
        waiting = uow.session.scalars(
            select(Notification.delivery_key).where(Notification.kind == KIND_HOME)
        ).all()
        rep2 = uow.session.scalar(select(Lead.owner_id).where(Lead.company == "株式会社取込0"))
    assert waiting == [f"home:{rep2}"]  # one Home refresh for 50 of U002's leads
    with time_machine.travel(dt.datetime.now(dt.UTC) + 2 * HOME_SETTLE, tick=True):
        assert bot.runtime.outbox.run_once() == 1  # what the bot's outbox does when it runs
    (home,) = [c for c in bot.fake.calls_to("views.publish") if c.params["user_id"] == "U002"]
    assert len(listed_lead_ids(home.params["view"]["blocks"])) > 0
