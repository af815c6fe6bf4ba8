"""Latency of the rep's day (issue 11) over the real HTTP endpoint with 100,000 leads: a
one-tap log from a list item, and App Home published when the rep opens it.

    python -m bench.day_latency                      # SQLite (a temporary file)
    python -m bench.day_latency --postgres URL       # … and PostgreSQL (a private schema)

The data set is bench.log_latency's (fixed seed: 5 teams × 10 reps, the timed rep with about
1,300 open leads). Each measure is ≥ 200 signed requests, timed from sending the request to
what the rep sees: for a one-tap log, the ephemeral confirmation arriving at the fake Slack's
response_url (the action, counters, history and the Home/DM refreshes committed before it);
for Home, the fake Slack recording `views.publish` after `app_home_opened`. The outbox runs as
in production, so each log's Home refresh competes with the next request. The fake Slack runs
in this process and keeps every call it records (a Home view is ~45 items); its record is
cleared before each request, or its growing heap would make this process's full garbage
collections — and the tail of the figures — the fake's, not the bot's (100–170 ms pauses every
~100 requests otherwise). Not a test: it prints figures and asserts only that the answers are
real (one action per tap).
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select

from bench import latency
from bench.log_latency import SEED, DataSet, seeded
from bot import ids
from isops.enums import OPEN_STATUSES
from isops.models import Action, Lead, Member
from isops.services.live_lists import HOME_SETTLE
from tests.harness import BotHarness, running_bot


def _rep_leads(bot: BotHarness, rep: str) -> list[int]:
    with bot.uow() as uow:
        return list(
            uow.session.scalars(
                select(Lead.id)
                .join(Member, Member.id == Lead.owner_id)
                .where(Member.slack_user_id == rep, Lead.status.in_(OPEN_STATUSES))
                .order_by(Lead.id)
            )
        )


def _tap(bot: BotHarness, rep: str, lead_id: int) -> float:
    """One 📞 不在 from a list item in a channel (answered by an ephemeral confirmation)."""
    action = {
        "action_id": ids.QUICK_LOG_MENU,
        "block_id": f"{ids.LIST_ITEM_BLOCK}:{lead_id}",
        "type": "overflow",
        "selected_option": {
            "text": {"type": "plain_text", "text": "📞 不在"},
            "value": f"{lead_id}:absent:0",
        },
    }
    bot.fake.clear()
    start = time.perf_counter()
    answer = bot.sender.block_actions(
        user_id=rep, actions=[action], channel_id="C0BENCH", response_url=bot.response_url()
    )
    if answer.status != 200:
        raise AssertionError(f"block_actions answered {answer.status}")
    (reply,) = bot.fake.wait_for("response_url", timeout=10)
    elapsed = time.perf_counter() - start
    if "記録しました" not in str(reply.params.get("text")):
        raise AssertionError(f"not logged: {reply.params.get('text')}")
    return elapsed


def _home(bot: BotHarness, rep: str) -> float:
    bot.fake.clear()
    start = time.perf_counter()
    answer = bot.sender.event(
        {"type": "app_home_opened", "user": rep, "channel": "DBENCH", "tab": "home"}
    )
    if answer.status != 200:
        raise AssertionError(f"event answered {answer.status}")
    (call,) = bot.fake.wait_for("views.publish", timeout=10)
    elapsed = time.perf_counter() - start
    if not call.response.get("ok"):
        raise AssertionError(f"views.publish refused: {call.response}")
    return elapsed


def measure(url: str, data: DataSet, *, requests: int, label: str) -> list[str]:
    rng = random.Random(SEED + 2)
    lines = [label]
    with running_bot(url) as bot:
        leads = _rep_leads(bot, data.rep)
        rng.shuffle(leads)
        if len(leads) < requests + 20:
            raise AssertionError(f"the rep has {len(leads)} open leads, fewer than the taps")
        with bot.uow() as uow:
            before = uow.session.scalar(select(func.count()).select_from(Action)) or 0
        for i in range(20):  # warm-up: connections, Bolt's auth.test, caches
            _tap(bot, data.rep, leads[i])
        taps = [_tap(bot, data.rep, leads[20 + i]) for i in range(requests)]
        lines.append(latency.summary("one-tap log → ephemeral confirmation", taps))
        with bot.uow() as uow:
            after = uow.session.scalar(select(func.count()).select_from(Action)) or 0
        if after - before != requests + 20:
            raise AssertionError(f"{after - before} actions for {requests + 20} taps")
        # Let the Home refreshes the taps queued go out (each waits HOME_SETTLE), so none is
        # counted as the answer to an app_home_opened below.
        time.sleep(2 * HOME_SETTLE.total_seconds())
        bot.runtime.outbox.run_once(limit=1000)
        for _ in range(20):
            _home(bot, data.rep)
        homes = [_home(bot, data.rep) for _ in range(requests)]
        lines.append(latency.summary("app_home_opened → views.publish", homes))
        lines.append(f"  ({len(leads):,} open leads of the rep; Home lists them by section)")
    return lines


def run(name: str, opener: Callable[[], Any], *, leads: int, requests: int) -> list[str]:
    with opener() as url:
        data, took = seeded(url, leads=leads)
        header = f"{name}: {leads:,} leads seeded in {took:.1f} s"
        return measure(url, data, requests=requests, label=header)


def main(argv: list[str] | None = None) -> int:
    return latency.main(__doc__, run, seed=SEED, argv=argv)


if __name__ == "__main__":
    sys.exit(main())
