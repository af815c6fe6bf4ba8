"""Morning reminders at scale: compute every DM for 300 reps, 300,000 leads, 3,000,000 actions.

    python -m bench.reminders                          # SQLite (file kept in /tmp/isops-bench)
    python -m bench.reminders --postgres URL           # … and PostgreSQL (kept schemas)
    python -m bench.reminders --closed-factor 0        # skip the 10× closed-history run

ISOPS_TEST_DATABASE_URL is used for PostgreSQL when --postgres is not given. The data set is
built from a fixed seed with bulk inserts (executemany on SQLite, COPY on PostgreSQL) and kept
between runs. For each database it reports the time to compute every member's digest and build
its Block Kit message (nothing is sent), the SQL statements that took, and the same with 10×
more closed history (leads in status 4/5/6 with their actions) added. Not a test: it prints
figures and asserts only that the digests are real (lines found for most reps).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sqlite3
import statistics
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, insert, select, text

from bot.blocks.morning_dm import build_morning_dm
from isops.calendar import BusinessCalendar
from isops.db import make_engine, normalize_url
from isops.enums import Role
from isops.migrate import upgrade
from isops.models import AwayPeriod, Lead, Member
from isops.rules import Targets
from isops.services.reminders import compute_digests, due_recipients
from isops.settings import Settings
from isops.unit_of_work import make_uow_factory
from tests.databases import schema_url
from tests.factories import COUNTERS, sql_statements

SEED = 20261127
DATA_VERSION = 3  # bump when the generated data changes, so kept databases are rebuilt
TOKYO = ZoneInfo("Asia/Tokyo")
BUSINESS_DATE = dt.date(2026, 11, 27)  # a Friday
NOW = dt.datetime(2026, 11, 27, 9, 0, tzinfo=TOKYO).astimezone(dt.UTC)
BATCH = 50_000
DAY = dt.timedelta(days=1)

# Status mix of the base data: 40% open (1–3), 60% closed (4–6).
STATUS_WEIGHTS = {1: 5, 2: 25, 3: 10, 4: 20, 5: 15, 6: 25}
LEAD_COLUMNS = (
    "id",
    "company",
    "contact_name",
    "source",
    "inbound",
    "cv_at",
    "owner_id",
    "status",
    "priority",
    "next_action_date",
    "memo",
    "search_text",
    *COUNTERS,
    "created_at",
    "updated_at",
)
REVIEW_COLUMNS = (
    "lead_id",
    "requested_by_id",
    "requested_status",
    "previous_status",
    "reason_code",
    "memo",
    "state",
    "decided_by_id",
    "decided_at",
    "return_reason",
    "created_at",
)
ACTION_COLUMNS = (
    "id",
    "lead_id",
    "member_id",
    "channel",
    "outcome",
    "memo",
    "acted_at",
    "created_at",
)
_KATAKANA = (
    "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワン"
)
_SUFFIX = ("商事", "工業", "システムズ", "製作所", "テック", "物産", "電機", "ソリューションズ")


@dataclass(frozen=True)
class Scale:
    reps: int
    leads: int
    actions: int
    seed: int = SEED

    @property
    def managers(self) -> int:
        return max(1, self.reps // 10)

    @property
    def tag(self) -> str:
        return f"v{DATA_VERSION}_{self.reps}r_{self.leads}l_{self.actions}a_{self.seed}"


# -- synthetic data --------------------------------------------------------------------------------


_NOW_UTC = NOW.replace(tzinfo=None)  # naive UTC: rows are written in storage form
_OUTCOMES = ("不在", "留守電", "受付拒否")


class Generator:
    """Leads and their actions, counters computed as the logging service keeps them.

    Rows come in storage form (timestamps as UTC text, dates as ISO text), the same text
    SQLAlchemy writes on SQLite (comparisons there are textual) and a literal PostgreSQL
    parses; `ts_suffix` is "+00" for PostgreSQL so the session's time zone does not matter."""

    def __init__(self, *, rng: random.Random, managers: dict[int, int], ts_suffix: str) -> None:
        self.rng = rng
        self.rep_ids = sorted(managers)
        self.managers = managers  # rep id → manager id
        self.targets = Targets()
        self.suffix = ts_suffix

    def ts(self, moment: dt.datetime) -> str:
        return moment.isoformat(" ", "microseconds") + self.suffix

    def leads(
        self, count: int, actions: int, *, first_lead: int, first_action: int, closed_only: bool
    ) -> Iterator[tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]]:
        """Batches of (lead, action, review rows): exactly `count` leads and `actions` actions.

        Status 4/6 leads carry their review (approved; in current data 2% still pending),
        and 0.5% of open leads one the manager returned in the last 20 days."""
        rng = self.rng
        statuses = [s for s in STATUS_WEIGHTS if not closed_only or s >= 4]
        weights = [STATUS_WEIGHTS[s] for s in statuses]
        lead_statuses = rng.choices(statuses, weights, k=count)
        touched = [i for i, s in enumerate(lead_statuses) if s != 1]
        # Action counts per touched lead around the mean, then trimmed to the exact total.
        mean = actions / max(1, len(touched))
        per_lead = [0] * count
        for i in touched:
            per_lead[i] = max(1, int(rng.gauss(mean, mean / 2)))
        difference = actions - sum(per_lead)
        while difference != 0:
            i = touched[rng.randrange(len(touched))]
            step = 1 if difference > 0 else -1
            if per_lead[i] + step >= 1:
                per_lead[i] += step
                difference -= step
        lead_rows: list[tuple[Any, ...]] = []
        action_rows: list[tuple[Any, ...]] = []
        review_rows: list[tuple[Any, ...]] = []
        action_id = first_action
        for index in range(count):
            lead_id = first_lead + index
            owner = self.rep_ids[index % len(self.rep_ids)]
            status = lead_statuses[index]
            row = self._lead(lead_id, status, owner, per_lead[index], action_id, action_rows)
            action_id += per_lead[index]
            lead_rows.append(row)
            review = self._review(lead_id, status, owner, row[-1], history=closed_only)
            if review is not None:
                review_rows.append(review)
            if len(lead_rows) >= BATCH // 10 or len(action_rows) >= BATCH:
                yield lead_rows, action_rows, review_rows
                lead_rows, action_rows, review_rows = [], [], []
        if lead_rows or action_rows:
            yield lead_rows, action_rows, review_rows

    def _review(
        self, lead_id: int, status: int, owner: int, last_touch: str, *, history: bool
    ) -> tuple[Any, ...] | None:
        rng, manager = self.rng, self.managers[owner]
        if status in (4, 6):
            # History was decided long ago; current data has a backlog waiting.
            state = "pending" if not history and rng.random() < 0.02 else "approved"
            decided = last_touch if state == "approved" else None
            return (
                lead_id,
                owner,
                status,
                2 if status == 4 else 3,
                "対象外",
                "",
                state,
                manager if decided else None,
                decided,
                None,
                last_touch,
            )
        if status in (2, 3) and rng.random() < 0.005:
            decided = self.ts(_NOW_UTC - dt.timedelta(hours=rng.uniform(1, 24 * 20)))
            return (
                lead_id,
                owner,
                4 if status == 2 else 6,
                status,
                "時期尚早",
                "",
                "returned",
                manager,
                decided,
                "決裁者を確認してから判断しよう",
                last_touch,
            )
        return None

    def _lead(
        self,
        lead_id: int,
        status: int,
        owner: int,
        n_actions: int,
        first_action: int,
        out: list[tuple[Any, ...]],
    ) -> tuple[Any, ...]:
        rng, ts = self.rng, self.ts
        if status == 1:
            age = 3600 * (1 + 24 * 14 * rng.random())  # untouched leads are recent
        else:
            age = 86400 * (1 + 719 * rng.random())
        cv_at = _NOW_UTC - dt.timedelta(seconds=age)
        inbound = rng.random() < 0.3
        priority = None
        next_action = None
        if status in (2, 3):
            if rng.random() < (0.35 if status == 3 else 0.1):
                priority = 1
            elif rng.random() < 0.3:
                priority = 2
            if rng.random() < 0.85:
                next_action = (BUSINESS_DATE + rng.randint(-20, 75) * DAY).isoformat()
        company = (
            f"株式会社{''.join(rng.choice(_KATAKANA) for _ in range(rng.randint(2, 6)))}"
            f"{rng.choice(_SUFFIX)}{lead_id}"
        )
        calls = mails = early = 0
        first = last = outcome = None
        early_limit = self.targets.early_window_days * 86400.0
        span = age - 120
        for offset, seconds in enumerate(
            sorted(60 + span * rng.random() for _ in range(n_actions))
        ):
            moment = ts(cv_at + dt.timedelta(seconds=seconds))
            if rng.random() < 0.7:
                channel, outcome = "call", _OUTCOMES[int(rng.random() * 3)]
                calls += 1
            else:
                channel, outcome = "mail", "送信"
                mails += 1
            if seconds <= early_limit:
                early += 1
            first = first or moment
            last = moment
            out.append(
                (first_action + offset, lead_id, owner, channel, outcome, "", moment, moment)
            )
        cv_text = ts(cv_at)
        return (
            lead_id,
            company,
            "ご担当者",
            "資料請求" if inbound else "展示会",
            inbound,
            cv_text,
            owner,
            status,
            priority,
            next_action,
            "",
            company,
            calls,
            mails,
            early,
            first,
            last,
            outcome,
            cv_text,
            last or cv_text,
        )


# -- loading ---------------------------------------------------------------------------------------


class Loader:
    """Bulk writes: sqlite3 executemany, or PostgreSQL COPY through psycopg."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.sqlite = engine.dialect.name == "sqlite"

    def write(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        raw = self.engine.raw_connection()
        try:
            driver: Any = raw.driver_connection
            if self.sqlite:
                marks = ", ".join("?" for _ in columns)
                sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})"
                driver.execute("BEGIN")
                driver.executemany(sql, rows)
                driver.execute("COMMIT")
            else:
                with driver.cursor() as cursor:
                    copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                    with cursor.copy(copy_sql) as copy:
                        for row in rows:
                            copy.write_row(row)
                driver.commit()
        finally:
            raw.close()


def _members(engine: Engine, scale: Scale) -> dict[int, int]:
    """Managers and reps (10 per manager), 5 reps away today; returns rep id → manager id."""
    with engine.begin() as conn:
        managers = [
            conn.execute(
                insert(Member)
                .values(slack_user_id=f"UM{m:05d}", name=f"マネージャー{m}", role=Role.MANAGER)
                .returning(Member.id)
            ).scalar_one()
            for m in range(scale.managers)
        ]
        reps = [
            conn.execute(
                insert(Member)
                .values(
                    slack_user_id=f"UR{r:05d}",
                    name=f"担当{r}",
                    role=Role.REP,
                    manager_id=managers[r % len(managers)],
                    timezone="Asia/Tokyo",
                )
                .returning(Member.id)
            ).scalar_one()
            for r in range(scale.reps)
        ]
        conn.execute(
            insert(AwayPeriod),
            [
                {
                    "member_id": rep,
                    "start_date": BUSINESS_DATE - 2 * DAY,
                    "end_date": BUSINESS_DATE + 3 * DAY,
                }
                for rep in reps[:5]
            ],
        )
    return {rep: managers[r % len(managers)] for r, rep in enumerate(reps)}


def _suffix(engine: Engine) -> str:
    return "" if engine.dialect.name == "sqlite" else "+00"


def _fix_sequences(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        return
    with engine.begin() as conn:
        for table in ("leads", "actions"):
            conn.execute(
                text(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {table}))"
                )
            )


def _load(engine: Engine, gen: Generator, leads: int, actions: int, *, closed_only: bool) -> None:
    loader = Loader(engine)
    with engine.connect() as conn:
        first_lead = int(conn.scalar(select(func.coalesce(func.max(Lead.id), 0))) or 0) + 1
        first_action = int(conn.scalar(text("SELECT COALESCE(MAX(id), 0) FROM actions")) or 0) + 1
    started = time.perf_counter()
    written = 0
    for lead_rows, action_rows, review_rows in gen.leads(
        leads, actions, first_lead=first_lead, first_action=first_action, closed_only=closed_only
    ):
        loader.write("leads", LEAD_COLUMNS, lead_rows)
        loader.write("actions", ACTION_COLUMNS, action_rows)
        loader.write("no_action_reviews", REVIEW_COLUMNS, review_rows)
        written += len(lead_rows)
        if written % 250_000 < len(lead_rows):
            print(f"    {written:,} leads ({time.perf_counter() - started:.0f} s)", flush=True)
    _fix_sequences(engine)


def _count(engine: Engine) -> tuple[int, int]:
    with engine.connect() as conn:
        return (
            int(conn.scalar(text("SELECT COUNT(*) FROM leads")) or 0),
            int(conn.scalar(text("SELECT COUNT(*) FROM actions")) or 0),
        )


def build(url: str, scale: Scale, *, closed_factor: int) -> None:
    """Migrate and fill `url`: the base data, after `closed_factor`× its closed history.

    The extra closed history goes in first, with the lower ids, as history does: a query that
    walked leads in id order (or a rep's whole history) would pay for it."""
    upgrade(url)
    engine = make_engine(url)
    try:
        managers = _members(engine, scale)
        suffix = _suffix(engine)
        if closed_factor:
            closed_leads, closed_actions = _closed_base(scale)
            leads, actions = closed_leads * closed_factor, closed_actions * closed_factor
            print(f"  {leads:,} closed leads with {actions:,} actions ({closed_factor}×) …")
            history = Generator(
                rng=random.Random(scale.seed + 2), managers=managers, ts_suffix=suffix
            )
            _load(engine, history, leads, actions, closed_only=True)
        print(f"  {scale.leads:,} leads and {scale.actions:,} actions …", flush=True)
        base = Generator(rng=random.Random(scale.seed), managers=managers, ts_suffix=suffix)
        _load(engine, base, scale.leads, scale.actions, closed_only=False)
        _analyze(engine)
    finally:
        engine.dispose()


def _closed_base(scale: Scale) -> tuple[int, int]:
    """The base data's closed leads and their share of the actions (from the weights)."""
    total = sum(STATUS_WEIGHTS.values())
    closed_share = sum(w for s, w in STATUS_WEIGHTS.items() if s >= 4) / total
    touched_share = 1 - STATUS_WEIGHTS[1] / total
    return int(scale.leads * closed_share), int(scale.actions * closed_share / touched_share)


def _analyze(engine: Engine) -> None:
    # PostgreSQL's autovacuum would analyze the new rows; do it now so runs are comparable.
    # SQLite is left without statistics, as an application database usually is.
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


# -- measuring -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Figures:
    leads: int
    actions: int
    recipients: int
    messages: int
    lines: int
    statements: int
    first_seconds: float
    median_seconds: float


class Measurer:
    """Computes every digest and builds every message on one database (nothing is sent)."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
        self.calendar = BusinessCalendar(
            tz=self.settings.tz, company_holidays=self.settings.company_holidays
        )
        self.uow = make_uow_factory(self.engine)
        self.timings: list[float] = []
        self.statements = 0
        self.recipients = self.messages = self.lines = 0

    def run(self) -> None:
        with sql_statements(self.engine) as statements:
            started = time.perf_counter()
            recipients = due_recipients(
                self.uow(),
                now=NOW,
                settings=self.settings,
                calendar=self.calendar,
                on=BUSINESS_DATE,
                include_settled=True,
            )
            digests = compute_digests(
                self.uow(),
                recipients=recipients,
                now=NOW,
                settings=self.settings,
                calendar=self.calendar,
            )
            built = [build_morning_dm(d) for d in digests if not d.is_empty]
            self.timings.append(time.perf_counter() - started)
        if self.statements and len(statements) != self.statements:
            raise AssertionError(f"statements changed between runs: {len(statements)}")
        self.statements = len(statements)
        self.recipients, self.messages = len(recipients), len(built)
        self.lines = sum(
            len(d.rep.inbound.items) + len(d.rep.five_c2m.items) + len(d.rep.focus_due.items)
            for d in digests
        )
        assert self.messages > self.recipients * 0.8, "most members should have a DM"

    def figures(self) -> Figures:
        leads, actions = _count(self.engine)
        self.engine.dispose()
        return Figures(
            leads=leads,
            actions=actions,
            recipients=self.recipients,
            messages=self.messages,
            lines=self.lines,
            statements=self.statements,
            first_seconds=self.timings[0],
            median_seconds=statistics.median(self.timings),
        )


def measure(urls: list[str], *, repeats: int) -> list[Figures]:
    """Each database `repeats` times, taking turns, so a busy machine slows all of them alike."""
    measurers = [Measurer(url) for url in urls]
    for _ in range(repeats):
        for measurer in measurers:
            measurer.run()
    return [m.figures() for m in measurers]


def _report(label: str, figures: Figures) -> None:
    print(
        f"  {label}: {figures.leads:,} leads, {figures.actions:,} actions → "
        f"{figures.recipients} recipients, {figures.messages} DMs, {figures.lines:,} lead lines; "
        f"{figures.statements} SQL statements; "
        f"first {figures.first_seconds:.2f} s, median {figures.median_seconds:.2f} s",
        flush=True,
    )


# -- databases -------------------------------------------------------------------------------------


def _sqlite_target(directory: Path, scale: Scale, closed_factor: int) -> str:
    """A kept SQLite file per variant, built once."""
    directory.mkdir(parents=True, exist_ok=True)
    suffix = f"_closed{closed_factor}" if closed_factor else ""
    path = directory / f"reminders_{scale.tag}{suffix}.db"
    if not path.exists():
        print(f"  building {path} …", flush=True)
        partial = path.with_suffix(".partial")
        for leftover in directory.glob(partial.name + "*"):
            leftover.unlink()
        build(f"sqlite:///{partial}", scale, closed_factor=closed_factor)
        _checkpoint(partial)
        partial.rename(path)
    else:
        upgrade(f"sqlite:///{path}")  # a kept file gets migrations added since it was built
    return f"sqlite:///{path}"


def _checkpoint(path: Path) -> None:
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.execute("PRAGMA journal_mode=DELETE")


def _postgres_target(base_url: str, scale: Scale, closed_factor: int) -> str:
    """A kept schema per variant (`bench_reminders_<scale>[_closedN]`)."""
    schema = f"bench_reminders_{scale.tag}" + (f"_closed{closed_factor}" if closed_factor else "")
    url = schema_url(base_url, schema)
    admin = make_engine(normalize_url(base_url))
    try:
        with admin.begin() as conn:
            ready = conn.scalar(
                text("SELECT obj_description(to_regnamespace(:s), 'pg_namespace')"), {"s": schema}
            )
            if ready == "complete":
                upgrade(url)  # migrations added since it was built
                return url
            conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {schema}"))
        print(f"  building schema {schema} …", flush=True)
        build(url, scale, closed_factor=closed_factor)
        with admin.begin() as conn:
            conn.execute(text(f"COMMENT ON SCHEMA {schema} IS 'complete'"))
    finally:
        admin.dispose()
    return url


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.reminders", description=__doc__)
    parser.add_argument(
        "--postgres", metavar="URL", default=os.environ.get("ISOPS_TEST_DATABASE_URL")
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--reps", type=int, default=300)
    parser.add_argument("--leads", type=int, default=300_000)
    parser.add_argument("--actions", type=int, default=3_000_000)
    parser.add_argument("--closed-factor", type=int, default=10)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/isops-bench"))
    args = parser.parse_args(argv)
    scale = Scale(args.reps, args.leads, args.actions, args.seed)
    targets: list[tuple[str, str, str | None]] = []
    if not args.no_sqlite:
        targets.append(
            (
                "SQLite",
                _sqlite_target(args.dir, scale, 0),
                _sqlite_target(args.dir, scale, args.closed_factor) if args.closed_factor else None,
            )
        )
    if args.postgres:
        targets.append(
            (
                "PostgreSQL",
                _postgres_target(args.postgres, scale, 0),
                _postgres_target(args.postgres, scale, args.closed_factor)
                if args.closed_factor
                else None,
            )
        )
    print(
        f"\nMorning digests for {scale.reps} reps + {scale.managers} managers on "
        f"{BUSINESS_DATE} 09:00 JST (compute + build Block Kit, nothing sent):"
    )
    for name, base_url, closed_url in targets:
        print(f"{name}")
        figures = measure([base_url, *([closed_url] if closed_url else [])], repeats=args.repeats)
        base = figures[0]
        _report("base", base)
        if closed_url:
            closed = figures[1]
            _report(f"+{args.closed_factor}× closed history", closed)
            change = closed.median_seconds / base.median_seconds - 1
            print(
                f"  closed history: time {change:+.0%} (target < +30%), statements "
                f"{base.statements} → {closed.statements}",
                flush=True,
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
