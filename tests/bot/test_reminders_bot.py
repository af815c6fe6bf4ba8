"""Morning DMs end to end: the job against the fake Slack, exactly once, retries, processes."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from slack_sdk import WebClient
from slack_sdk.web import SlackResponse
from sqlalchemy import select

from bot import ids
from bot.jobs import JobSpec
from bot.jobs.reminders import JOB_ID, MorningReminders
from bot.slack_client import OUTBOX_RETRY_AFTER_CAP
from isops.clock import utcnow
from isops.enums import DeliveryState, Role
from isops.models import Lead, Member, Notification
from isops.services.away import upcoming_away
from isops.services.morning_delivery import KIND_MORNING
from isops.services.quick_log import touch_version
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories as f
from tests import harness
from tests.factories import jst
from tests.harness import BOT_TOKEN, BotHarness, SleepRecorder

FRI = dt.date(2026, 11, 27)
TUE = dt.date(2026, 12, 1)


def run_start_up_jobs_now(jobs: list[JobSpec]) -> None:
    """What a process start does on the scheduler's threads, run here synchronously."""
    for job in jobs:
        if job.run_at_start:
            job.func()


@pytest.fixture(autouse=True)
def sends_by_hand(bot: BotHarness) -> None:
    """The jobs send their DMs themselves; the harness's background sender would race them
    for the same rows (harmless, exactly once either way, but the run's counts would vary)
    and could take a failure injected for the run."""
    bot.runtime.outbox.stop()


def morning_dms(bot: BotHarness) -> list[Any]:
    """Successful morning DMs, told apart by their delivery key (metadata), not by channel:
    a manager also gets other DMs (a review request) in the same channel."""
    return [
        call
        for call in bot.fake.calls_to("chat.postMessage")
        if call.status == 200
        and call.response.get("ok")
        and str(call.params["metadata"]["event_payload"]["key"]).startswith(f"{KIND_MORNING}:")
    ]


def delivered(bot: BotHarness) -> Counter[str]:
    """Morning DMs per member (channel), from the fake Slack's record."""
    return Counter(str(call.params["channel"]) for call in morning_dms(bot))


def morning_rows(bot: BotHarness) -> list[tuple[DeliveryState, str | None]]:
    with bot.uow() as uow:
        return [
            (state, error)
            for state, error in uow.session.execute(
                select(Notification.state, Notification.last_error)
                .where(Notification.kind == KIND_MORNING)
                .order_by(Notification.id)
            )
        ]


def run_job(bot: BotHarness) -> Any:
    job = next(j for j in bot.runtime.jobs if j.id == JOB_ID)
    return job.func()


def team(uow: UnitOfWorkFactory, reps: int = 3, *, tz: str | None = "Asia/Tokyo") -> list[str]:
    """A manager and `reps` reps, each with one lead short of 5C2M; returns the rep ids."""
    f.member(uow(), "UMGR", role=Role.MANAGER, name="山田", timezone=tz)
    ids = [f"U{i:03d}" for i in range(1, reps + 1)]
    for rep in ids:
        f.member(uow(), rep, manager="UMGR", name=f"担当{rep}", timezone=tz)
        lead_id = f.lead(uow(), owner=rep, status=2, company=f"株式会社{rep}")
        f.action(uow(), lead_id, by=rep, acted_at=jst(FRI, 8) - dt.timedelta(days=2))
    return ids


def test_each_member_gets_one_dm_per_business_day(bot: BotHarness) -> None:
    reps = team(bot.runtime.deps.uow_factory)
    f.member(bot.uow(), "UIDLE", manager="UMGR", timezone="Asia/Tokyo")  # nothing to do
    with time_machine.travel(jst(FRI, 8, 45), tick=True):
        assert run_job(bot).sent == []  # before 09:00
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        outcome = run_job(bot)
        assert sorted(outcome.sent) == reps  # the manager has nothing to decide yet
        assert sorted(outcome.empty) == ["UIDLE", "UMGR"]
        run_job(bot)  # the next run the same morning sends nothing
    with time_machine.travel(jst(FRI, 11, 0), tick=True):
        # A restarted process (a new runtime on the same database) sends nothing twice.
        from bot.runtime import build_runtime

        url = bot.runtime.deps.settings.database_url
        restarted = build_runtime(
            harness.bot_settings(url, bot.fake.api_url), sleep=SleepRecorder()
        )
        try:
            run_start_up_jobs_now(restarted.jobs)
        finally:
            restarted.stop()
    assert delivered(bot) == Counter({rep: 1 for rep in reps})
    call = bot.fake.calls_to("chat.postMessage")[0]
    assert "5C2M" in str(call.params["blocks"]) and "今日のやること" in call.params["text"]
    with time_machine.travel(jst(FRI + dt.timedelta(days=1), 9, 0), tick=True):
        run_job(bot)  # Saturday: nothing
    with time_machine.travel(jst(FRI + dt.timedelta(days=3), 9, 0), tick=True):
        run_job(bot)  # Monday: a new business day
    assert delivered(bot) == Counter({rep: 2 for rep in reps})


def test_short_rate_limits_are_waited_out_in_place(bot: BotHarness) -> None:
    reps = team(bot.runtime.deps.uow_factory)
    bot.fake.fail_next("chat.postMessage", retry_after=1, times=2)
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        outcome = run_job(bot)
    assert sorted(outcome.sent) == reps and outcome.failed == []
    assert delivered(bot) == Counter({rep: 1 for rep in reps})
    assert bot.sleeps.waits == [1.0, 1.0]  # Retry-After honoured, twice
    statuses = [c.status for c in bot.fake.calls_to("chat.postMessage")]
    assert statuses[:2] == [429, 429]


def test_a_429_storm_waits_nowhere_and_every_dm_arrives_once(bot: BotHarness) -> None:
    reps = team(bot.runtime.deps.uow_factory, reps=4)
    # Slack rate-limits every post for a while, asking for two minutes each time.
    bot.fake.fail_next("chat.postMessage", retry_after=120, times=10)
    at = jst(FRI, 9, 0)
    with time_machine.travel(at, tick=False):
        first = run_job(bot)
    assert first.sent == [] and sorted(first.failed) == reps
    for _ in range(4):  # the storm passes; each retry comes after its Retry-After
        at += dt.timedelta(seconds=121)
        with time_machine.travel(at, tick=False):
            bot.runtime.outbox.run_once()
    assert delivered(bot) == Counter({rep: 1 for rep in reps})
    assert all(wait <= OUTBOX_RETRY_AFTER_CAP for wait in bot.sleeps.waits)
    assert bot.sleeps.waits == []  # nothing held a claim while waiting
    states = [state for state, _ in morning_rows(bot)]
    assert states == [DeliveryState.SKIPPED] + [DeliveryState.SENT] * 4  # the manager: nothing
    with bot.uow() as uow:  # pacing is not failing: no attempt was used up
        assert set(uow.session.scalars(select(Notification.attempts))) == {0}


def test_one_members_failure_is_recorded_and_retried_by_the_next_run(bot: BotHarness) -> None:
    reps = team(bot.runtime.deps.uow_factory)
    bot.fake.fail_next("chat.postMessage", error="internal_error")  # ok: false
    bot.fake.fail_next("chat.postMessage", status=503)  # a server error
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        first = run_job(bot)
        assert len(first.failed) == 2 and len(first.sent) == 1
        errors = [error for state, error in morning_rows(bot) if state == DeliveryState.PENDING]
        assert sorted(str(e) for e in errors) == ["fatal_error", "internal_error"]
    with time_machine.travel(jst(FRI, 9, 15), tick=True):
        second = run_job(bot)
    assert sorted(second.sent) == sorted(first.failed)
    assert delivered(bot) == Counter({rep: 1 for rep in reps})
    # Both errors may hide a post that arrived: each retry looked before posting.
    assert len(bot.fake.calls_to("conversations.history")) == 2


def test_permanent_errors_are_not_retried(bot: BotHarness) -> None:
    team(bot.runtime.deps.uow_factory, reps=1)
    bot.fake.fail_next("chat.postMessage", error="account_inactive")
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        assert run_job(bot).failed == ["U001"]
    with time_machine.travel(jst(FRI, 9, 15), tick=True):
        assert run_job(bot).sent == []
    assert delivered(bot) == Counter()


class Crash(BaseException):
    """The process dying mid-run: not an Exception, so nothing in the bot catches it."""


class CrashingClient(WebClient):
    """Dies just before its `crash_at`-th message leaves, after claiming it."""

    def __init__(self, *, crash_at: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.crash_at = crash_at
        self.posts = 0

    def chat_postMessage(self, **kwargs: Any) -> SlackResponse:  # slack_sdk's method name
        self.posts += 1
        if self.posts == self.crash_at:
            raise Crash
        return super().chat_postMessage(**kwargs)


def _remind_processes(bot: BotHarness, tmp_path: Path, count: int) -> list[str]:
    """`isops remind --date` in `count` OS processes at once on the test database."""
    processes = [
        bot.start_isops("remind", "--date", FRI.isoformat(), cwd=tmp_path) for _ in range(count)
    ]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 1), err  # 1: some sends failed (retried later)
        assert "Traceback" not in err, err
        outputs.append(out)
    return outputs


def test_processes_on_one_database_and_a_crash_send_each_member_exactly_once(
    bot: BotHarness, tmp_path: Path
) -> None:
    reps = team(bot.runtime.deps.uow_factory, reps=12)
    pending_lead = f.lead(bot.uow(), owner="U001", status=2)
    f.review(bot.uow(), pending_lead, by="U001")  # so the manager has a DM too
    expected = Counter({rep: 1 for rep in [*reps, "UMGR"]})

    # 1. A process claims and sends two messages, then dies before sending the third.
    crashing = CrashingClient(crash_at=3, token=BOT_TOKEN, base_url=bot.fake.api_url)
    try:
        MorningReminders(bot.runtime.deps, crashing).run(on=FRI)
        raise AssertionError("the client should have crashed the run")
    except Crash:
        pass
    assert sum(delivered(bot).values()) == 2

    # 2. Two bot processes run the same job at once while Slack fails twice.
    bot.fake.fail_next("chat.postMessage", error="internal_error", times=2)
    _remind_processes(bot, tmp_path, 2)
    states = Counter(state for state, _ in morning_rows(bot))
    # The failures wait for their retry; the dead process's claim is still fresh.
    assert states == Counter(
        {DeliveryState.SENT: len(expected) - 3, DeliveryState.PENDING: 2, DeliveryState.SENDING: 1}
    )

    # 3. Later (retries due, the dead claim's lease over), two runs at once finish the job.
    with time_machine.travel(utcnow() + dt.timedelta(minutes=16), tick=True):
        barrier = threading.Barrier(2)
        results: list[Any] = []

        def run_in_thread() -> None:
            barrier.wait()
            runner = MorningReminders(bot.runtime.deps, bot.runtime.outbox.client)
            results.append(runner.run(on=FRI))

        threads = [threading.Thread(target=run_in_thread) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    assert sum(len(r.sent) for r in results) == 3
    assert delivered(bot) == expected
    assert {state for state, _ in morning_rows(bot)} == {DeliveryState.SENT}

    # The manager's review request (queued by f.review) goes out too, to the same DM
    # channel: it is not a second morning DM (what this test once miscounted).
    assert bot.runtime.outbox.run_once() == 1
    to_manager = [
        c
        for c in bot.fake.calls_to("chat.postMessage")
        if c.params["channel"] == "UMGR" and c.response.get("ok")
    ]
    assert len(to_manager) == 2
    assert delivered(bot) == expected


def test_a_bot_started_late_sends_the_morning_dms_until_the_cut_off(bot: BotHarness) -> None:
    reps = team(bot.runtime.deps.uow_factory)
    job = next(j for j in bot.runtime.jobs if j.id == JOB_ID)
    assert job.run_at_start
    assert str(job.trigger.timezone) == "Asia/Tokyo"
    assert job.trigger.get_next_fire_time(None, jst(FRI, 8, 50)) == jst(FRI, 9, 0)
    with time_machine.travel(jst(FRI, 15, 30), tick=True):
        run_start_up_jobs_now(bot.runtime.jobs)  # after ISOPS_REMIND_CATCHUP_UNTIL: too late
    assert delivered(bot) == Counter()
    with time_machine.travel(jst(TUE, 11, 20), tick=True):
        run_start_up_jobs_now(bot.runtime.jobs)
    assert delivered(bot) == Counter({rep: 1 for rep in reps})


def test_time_zones_come_from_slack_and_set_each_members_morning(bot: BotHarness) -> None:
    team(bot.runtime.deps.uow_factory, reps=2, tz=None)
    bot.fake.add_user("UMGR", tz="Asia/Tokyo")
    bot.fake.add_user("U001", tz="Asia/Tokyo")
    bot.fake.add_user("U002", tz="America/Los_Angeles")
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        assert run_job(bot).sent == ["U001"]  # Los Angeles: Thursday 16:00
        run_job(bot)
    assert len(bot.fake.calls_to("users.info")) == 3  # asked once per member and process
    with bot.uow() as uow:
        zones = dict(uow.session.execute(select(Member.slack_user_id, Member.timezone)).all())
    assert zones == {"UMGR": "Asia/Tokyo", "U001": "Asia/Tokyo", "U002": "America/Los_Angeles"}
    la_morning = dt.datetime(2026, 11, 27, 9, 5, tzinfo=ZoneInfo("America/Los_Angeles"))
    with time_machine.travel(la_morning, tick=True):  # Tokyo's Saturday 02:05
        assert run_job(bot).sent == ["U002"]


# -- the slash commands and the button -------------------------------------------------------------


def test_isops_today_shows_the_list_now(bot: BotHarness) -> None:
    team(bot.runtime.deps.uow_factory, reps=1)
    bot.command("/isops", "today", user_id="U001")
    (reply,) = bot.fake.wait_for("response_url")
    assert reply.status == 200  # the fake checked the blocks against Slack's limits
    assert "株式会社U001" in str(reply.params["blocks"])
    assert reply.params["response_type"] == "ephemeral"
    bot.command("/isops", "today 5c2m", user_id="U001")
    replies = bot.fake.wait_for("response_url", count=2)
    assert "5C2M 未完了 1 件" in str(replies[1].params["blocks"])
    bot.command("/isops", "today", user_id="UNOBODY")
    replies = bot.fake.wait_for("response_url", count=3)
    assert "メンバー登録されていません" in replies[2].params["text"]


def test_isops_away_registers_lists_and_refuses_bad_ranges(bot: BotHarness) -> None:
    f.member(bot.uow(), "U001", timezone="Asia/Tokyo")
    with time_machine.travel(jst(FRI, 10, 0), tick=True):
        bot.command("/isops", "away 12/1-12/5", user_id="U001")
        (saved,) = bot.fake.wait_for("response_url")
        assert "12/1(火)〜12/5(土)" in saved.params["text"]
        periods = upcoming_away(bot.uow(), slack_user_id="U001", today=FRI)
        assert [(p.start_date, p.end_date) for p in periods] == [
            (dt.date(2026, 12, 1), dt.date(2026, 12, 5))
        ]
        bot.command("/isops", "away 来週", user_id="U001")
        bot.command("/isops", "away", user_id="U001")
        replies = bot.fake.wait_for("response_url", count=3)
        texts = sorted(str(r.params.get("text")) for r in replies[1:])
        assert any("12/1-12/5 のように" in t for t in texts)
        assert any("予定している休暇" in t for t in texts)
        bot.command("/isops", "away cancel", user_id="U001")
        replies = bot.fake.wait_for("response_url", count=4)
        assert "1 件を取り消しました" in replies[3].params["text"]
    assert upcoming_away(bot.uow(), slack_user_id="U001", today=FRI) == []


def test_away_rep_gets_no_dm_and_the_manager_sees_their_hot_leads(bot: BotHarness) -> None:
    team(bot.runtime.deps.uow_factory, reps=2)
    f.lead(
        bot.uow(),
        owner="U002",
        company="株式会社急ぎ",
        inbound=True,
        cv_at=jst(FRI - dt.timedelta(days=1), 19),
    )
    with time_machine.travel(jst(FRI, 8, 0), tick=True):
        bot.command("/isops", "away 11/27-11/30", user_id="U002")
        bot.fake.wait_for("response_url")
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        outcome = run_job(bot)
    assert sorted(outcome.sent) == ["U001", "UMGR"]
    (to_manager,) = [
        c for c in bot.fake.calls_to("chat.postMessage") if c.params["channel"] == "UMGR"
    ]
    assert "株式会社急ぎ" in str(to_manager.params["blocks"])
    assert "休暇中" in str(to_manager.params["blocks"])


def test_the_spread_button_moves_only_the_clickers_overdue_dates(bot: BotHarness) -> None:
    f.member(bot.uow(), "U001", timezone="Asia/Tokyo")
    f.member(bot.uow(), "U002", timezone="Asia/Tokyo")
    for i in range(7):
        f.lead(
            bot.uow(),
            owner="U001",
            status=3,
            priority=1,
            next_action_date=TUE - dt.timedelta(days=10 + i),
        )
    with time_machine.travel(jst(TUE, 9, 0), tick=True):
        # The button sits on the focus section of the list (/isops today, Home), not in the DM.
        bot.command("/isops", "today", user_id="U001")
        (listing,) = bot.fake.wait_for("response_url")
        (button,) = [
            b["accessory"]
            for b in listing.params["blocks"]
            if b.get("accessory", {}).get("action_id") == ids.RESCHEDULE_OVERDUE_BUTTON
        ]

        def click(user_id: str) -> None:
            bot.sender.block_actions(  # in the ephemeral list: Slack sends no message back
                user_id=user_id,
                actions=[{**button, "block_id": "focus"}],
                channel_id="C111",
                response_url=bot.response_url(),
            )

        click("U002")  # someone else (a forwarded message) moves only their own leads: none
        replies = bot.fake.wait_for("response_url", count=2)
        assert "ありません" in replies[1].params["text"]
        click("U001")
        replies = bot.fake.wait_for("response_url", count=3)
    assert "7 件" in replies[2].params["text"]
    with bot.uow() as uow:
        dates = list(uow.session.scalars(select(Lead.next_action_date)))
    assert sorted(Counter(dates).values()) == [2, 5]  # five on Tuesday, two on Wednesday
    assert min(d for d in dates if d) == TUE


def test_first_items_carry_the_lead_and_its_version(bot: BotHarness) -> None:
    team(bot.runtime.deps.uow_factory, reps=1)
    with bot.uow() as uow:
        lead = uow.session.scalars(select(Lead)).one()
        lead_id, version = lead.id, touch_version(lead.last_action_at)
    with time_machine.travel(jst(FRI, 9, 0), tick=True):
        run_job(bot)
    (dm,) = bot.fake.calls_to("chat.postMessage")
    (line,) = [b for b in dm.params["blocks"] if b.get("block_id") == f"first:{lead_id}"]
    assert line["accessory"]["action_id"] == ids.QUICK_LOG_MENU
    assert line["accessory"]["options"][0]["value"] == f"{lead_id}:absent:{version}"
    # Called once, never mailed: the line suggests the channel that is behind.
    assert "📞1/5 ✉️0/2" in line["text"]["text"] and "次は ✉️" in line["text"]["text"]
