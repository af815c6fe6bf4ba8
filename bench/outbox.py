"""Exactly once under failure: duplicates and losses of outbox notifications and morning DMs.

    python -m bench.outbox                          # SQLite files in a temp dir
    python -m bench.outbox --pg postgresql://postgres@127.0.0.1:5432/test
    python -m bench.outbox --kills 5 --slow 2.0 --notifications 100

Scenarios (each prints delivered / duplicates / losses; Slack is tests.fake_slack):

1. storm — two senders (threads with their own engines, as two processes) and a batch of 50
   notifications; Slack answers the first posts with 429 and Retry-After 120 s. Sender B comes
   by when A has waited 5 minutes (or after 3 s when A never waits that long). Time is
   virtual: time-machine moves the clock whenever a sender waits, so minutes of rate limiting
   take no time. A sender that waits while holding other rows lets them look abandoned.
2. dropped — one sender, N notifications; Slack carries out the first posts but drops their
   connections before answering (the client never hears).
3. remind — two `isops remind` processes at once, Slack answering every post `--slow` s late.
4. kill — `isops remind` killed with SIGKILL while Slack answers every post `--slow` s late
   (so a post is in flight when it dies), then the next run, 16 minutes later (past any
   claim), finishes the day. `--kills` rounds, killed after 1, 2, 3 … accepted posts.

It uses only what the code before the exactly-once work had too (`outbox.enqueue`,
`OutboxDispatcher.run_once`, `isops remind`, `MorningReminders.run`), so it measures both: to
measure an older checkout, copy this file, tests/fake_slack/server.py, tests/databases.py
and tests/processes.py into it and run it there with PYTHONPATH=<that checkout>. Not a
test; prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import signal
import subprocess
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import time_machine
from sqlalchemy import func, select

import bot.slack_client as slack_client
from bot.deps import Deps
from bot.jobs.reminders import MorningReminders
from bot.outbox import OutboxDispatcher
from isops.clock import utcnow
from isops.db import make_engine
from isops.enums import DeliveryState, Role
from isops.models import Action, Lead, Member, Notification
from isops.services import outbox
from isops.settings import Settings
from isops.unit_of_work import make_uow_factory
from tests.databases import migrated_database
from tests.fake_slack import FakeSlack
from tests.processes import start_isops

TOKEN = "xoxb-bench"
KIND = "bench"
REPS = 10
DAY = dt.date(2026, 11, 27)  # a Friday, a business day; `isops remind --date` sends for it


@dataclass
class Result:
    scenario: str
    expected: int
    per_item: Counter[str]

    @property
    def delivered(self) -> int:
        return sum(1 for item, n in self.per_item.items() if n > 0)

    @property
    def duplicates(self) -> int:
        return sum(n - 1 for n in self.per_item.values() if n > 1)

    @property
    def losses(self) -> int:
        return self.expected - self.delivered


# -- databases, clients ----------------------------------------------------------------------------


def settings_for(url: str, fake: FakeSlack) -> Settings:
    values = {
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_SIGNING_SECRET": "bench",
        "SLACK_API_URL": fake.api_url,
        "DATABASE_URL": url,
    }
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def sending_client(fake: FakeSlack, sleep: Callable[[float], None]) -> Any:
    """The client the code under test sends with: the outbox's own where it has one."""
    build = getattr(slack_client, "build_outbox_client", None)
    if build is not None:
        return build(token=TOKEN, base_url=fake.api_url, sleep=sleep)
    return slack_client.build_web_client(token=TOKEN, base_url=fake.api_url, sleep=sleep)


def bench_sender(deps: Any, target: Any, payload: dict[str, Any]) -> None:
    """A DM per notification; `target` is a Delivery (post_message) or, in older code, the
    WebClient itself."""
    post = getattr(target, "post_message", None) or target.chat_postMessage
    post(channel=payload["to"], text=payload["text"])


@contextmanager
def sender_process(url: str, fake: FakeSlack, sleep: Callable[[float], None]) -> Iterator[Any]:
    """An outbox dispatcher with its own engine: what one bot process has."""
    settings = settings_for(url, fake)
    engine = make_engine(url)
    try:
        deps = Deps.build(settings, make_uow_factory(engine), sleep=sleep)
        dispatcher = OutboxDispatcher(deps, sending_client(fake, sleep))
        dispatcher.register(KIND, bench_sender)
        yield dispatcher
    finally:
        engine.dispose()


def enqueue(url: str, count: int) -> None:
    engine = make_engine(url)
    try:
        with make_uow_factory(engine)() as uow:
            for i in range(count):
                outbox.enqueue(uow, kind=KIND, payload={"to": f"U{i % 20}", "text": f"bench {i}"})
            uow.commit()
    finally:
        engine.dispose()


def unsettled(url: str) -> int:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    select(func.count())
                    .select_from(Notification)
                    .where(Notification.state.in_((DeliveryState.PENDING, DeliveryState.SENDING)))
                ).scalar_one()
            )
    finally:
        engine.dispose()


def posted_texts(fake: FakeSlack) -> Counter[str]:
    """Messages Slack carried out, by text (whether or not the poster heard back)."""
    return Counter(
        str(call.params.get("text"))
        for call in fake.calls_to("chat.postMessage")
        if call.response.get("ok")
    )


class VirtualClock:
    """time-machine's clock, moved forward instead of sleeping (shared by all threads)."""

    def __init__(self) -> None:
        self._travel = time_machine.travel(dt.datetime.now(dt.UTC), tick=True)
        self._traveller: Any = None
        self._lock = threading.Lock()

    def __enter__(self) -> VirtualClock:
        self._traveller = self._travel.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._travel.stop()

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._traveller.shift(dt.timedelta(seconds=seconds))


def drain(dispatcher: Any, url: str, clock: VirtualClock, *, rounds: int = 400) -> None:
    """Send until nothing is pending or being sent; when nothing is due, let time pass."""
    for _ in range(rounds):
        if unsettled(url) == 0:
            return
        if dispatcher.run_once() == 0:
            clock.sleep(30)


# -- scenarios -------------------------------------------------------------------------------------


def storm(pg: str | None) -> Result:
    """Sender A takes a batch and meets a 429 storm; sender B comes by once A has waited
    past the old 5-minute claim. The batch is one claim's worth (50)."""
    count = 50
    with migrated_database(pg) as url, FakeSlack(token=TOKEN) as fake, VirtualClock() as clock:
        enqueue(url, count)
        fake.fail_next("chat.postMessage", status=429, retry_after=120, times=3)
        a_waited_long = threading.Event()
        b_posted = threading.Event()
        waited = [0.0]

        def a_sleep(seconds: float) -> None:
            clock.sleep(seconds)
            waited[0] += seconds
            if waited[0] >= 300:  # A is still waiting out Retry-After: B comes by now
                a_waited_long.set()
                b_posted.wait(10)

        def b_sender(deps: Any, target: Any, payload: dict[str, Any]) -> None:
            bench_sender(deps, target, payload)
            b_posted.set()

        def b_drain(dispatcher: Any) -> None:
            a_waited_long.wait(3)  # code that never waits that long: B starts after 3 s
            drain(dispatcher, url, clock)

        with sender_process(url, fake, a_sleep) as a, sender_process(url, fake, clock.sleep) as b:
            b.register(KIND, b_sender)
            threads = [
                threading.Thread(target=drain, args=(a, url, clock)),
                threading.Thread(target=b_drain, args=(b,)),
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
        texts = posted_texts(fake)
    return Result("storm: 2 senders, 429 Retry-After 120", count, texts)


def dropped(pg: str | None, count: int) -> Result:
    with migrated_database(pg) as url, FakeSlack(token=TOKEN) as fake, VirtualClock() as clock:
        enqueue(url, count)
        fake.drop_next("chat.postMessage", after_recording=True, times=max(1, count // 3))
        with sender_process(url, fake, clock.sleep) as sender:
            drain(sender, url, clock)
        texts = posted_texts(fake)
    return Result("dropped: answers lost after Slack posted", count, texts)


def seed_team(url: str) -> list[str]:
    """A manager and REPS reps, each with a lead short of 5C2M (one DM each)."""
    engine = make_engine(url)
    now = utcnow()
    try:
        with make_uow_factory(engine)() as uow:
            s = uow.session
            manager = Member(
                slack_user_id="UMGR", name="mgr", role=Role.MANAGER, timezone="Asia/Tokyo"
            )
            s.add(manager)
            s.flush()
            reps = []
            for i in range(REPS):
                rep = Member(
                    slack_user_id=f"U{i:03d}",
                    name=f"rep{i}",
                    role=Role.REP,
                    manager_id=manager.id,
                    timezone="Asia/Tokyo",
                )
                s.add(rep)
                s.flush()
                lead = Lead(
                    company=f"会社{i}",
                    status=2,
                    cv_at=now - dt.timedelta(days=3),
                    owner_id=rep.id,
                    call_count=1,
                    first_action_at=now - dt.timedelta(days=2),
                    last_action_at=now - dt.timedelta(days=2),
                )
                s.add(lead)
                s.flush()
                s.add(
                    Action(
                        lead_id=lead.id,
                        member_id=rep.id,
                        channel="call",
                        outcome="不在",
                        acted_at=now - dt.timedelta(days=2),
                    )
                )
                reps.append(rep.slack_user_id)
            uow.commit()
    finally:
        engine.dispose()
    return reps


@dataclass
class SlowSlackTeam:
    """A seeded team on a fresh database, a Slack answering every post late, and a working
    directory for `isops remind` processes."""

    url: str
    fake: FakeSlack
    reps: list[str]
    cwd: str

    def start_remind(self) -> subprocess.Popen[str]:
        """`isops remind --date DAY` in its own OS process."""
        return start_isops(
            *("remind", "--date", DAY.isoformat()),
            cwd=self.cwd,
            log_level="ERROR",
            stdout=subprocess.DEVNULL,
            DATABASE_URL=self.url,
            SLACK_BOT_TOKEN=TOKEN,
            SLACK_API_URL=self.fake.api_url,
        )

    def dms(self) -> Counter[str]:
        return Counter({rep: len(self.fake.messages(rep)) for rep in self.reps})


@contextmanager
def slow_slack_team(pg: str | None, slow: float) -> Iterator[SlowSlackTeam]:
    with (
        migrated_database(pg) as url,
        FakeSlack(token=TOKEN) as fake,
        tempfile.TemporaryDirectory() as cwd,
    ):
        reps = seed_team(url)
        fake.delay_next("chat.postMessage", slow, times=4 * REPS)
        yield SlowSlackTeam(url, fake, reps, cwd)


def remind(pg: str | None, slow: float) -> Result:
    with slow_slack_team(pg, slow) as team:
        processes = [team.start_remind() for _ in range(2)]
        for process in processes:
            process.communicate(timeout=600)
        counts = team.dms()
    return Result(f"remind: 2 processes at once, Slack {slow:g} s slow", len(team.reps), counts)


def kill(pg: str | None, slow: float, after_posts: int) -> Result:
    with slow_slack_team(pg, slow) as team:
        process = team.start_remind()
        try:
            team.fake.wait_for("chat.postMessage", count=after_posts, timeout=120)
            process.send_signal(signal.SIGKILL)  # a post is in flight: accepted, not answered
            process.communicate(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
        team.fake.clear()  # Slack is fast again (what it stored stays)
        settings = settings_for(team.url, team.fake)
        engine = make_engine(team.url)
        try:
            deps = Deps.build(settings, make_uow_factory(engine), sleep=lambda s: None)
            with time_machine.travel(utcnow() + dt.timedelta(minutes=16), tick=True):
                MorningReminders(deps, sending_client(team.fake, deps.sleep)).run(on=DAY)
        finally:
            engine.dispose()
        counts = team.dms()
    return Result(
        f"kill -9 after {after_posts} post(s), Slack {slow:g} s slow", len(team.reps), counts
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pg", metavar="URL", help="PostgreSQL URL (default: SQLite)")
    parser.add_argument("--notifications", type=int, default=100)
    parser.add_argument("--slow", type=float, default=2.0, help="Slack's answer delay (s)")
    parser.add_argument("--kills", type=int, default=3, help="kill -9 rounds")
    parser.add_argument(
        "--only", choices=("storm", "dropped", "remind", "kill"), action="append", default=None
    )
    args = parser.parse_args(argv)
    logging.disable(logging.CRITICAL)  # the failures are the point; the table says the rest
    only = set(args.only or ("storm", "dropped", "remind", "kill"))
    database_name = "PostgreSQL" if args.pg else "SQLite"
    print(f"{database_name}; code under test: {Path(outbox.__file__).resolve().parents[2]}")
    print(f"{'scenario':<48} {'expected':>8} {'delivered':>9} {'duplicates':>10} {'losses':>6}")
    results: list[Result] = []

    def show(result: Result, started: float) -> None:
        results.append(result)
        print(
            f"{result.scenario:<48} {result.expected:>8} {result.delivered:>9}"
            f" {result.duplicates:>10} {result.losses:>6}   ({time.perf_counter() - started:.0f} s)",
            flush=True,
        )

    if "storm" in only:
        started = time.perf_counter()
        show(storm(args.pg), started)
    if "dropped" in only:
        started = time.perf_counter()
        show(dropped(args.pg, args.notifications), started)
    if "remind" in only:
        started = time.perf_counter()
        show(remind(args.pg, args.slow), started)
    if "kill" in only:
        for round_ in range(args.kills):
            started = time.perf_counter()
            show(kill(args.pg, args.slow, after_posts=round_ + 1), started)
    total = Counter(
        duplicates=sum(r.duplicates for r in results), losses=sum(r.losses for r in results)
    )
    print(f"total: {total['duplicates']} duplicates, {total['losses']} losses")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
