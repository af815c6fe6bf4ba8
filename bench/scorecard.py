"""The weekly scorecard at scale: 300 reps (30 managers), 300,000 leads, 3,000,000 actions over
two years — so 12 weeks of history and more — and one 8-week chart.

    python -m bench.scorecard                      # SQLite (file kept in /tmp/isops-bench)
    python -m bench.scorecard --postgres URL       # … and PostgreSQL (kept schemas)

Reuses bench.reminders' data set (same seed, same kept SQLite file and PostgreSQL schema). The
hand-offs the figures need are added for the run — one per status-5 lead of the last 12 weeks,
with verdicts — and removed afterwards, so the kept data stays what bench.reminders measures.
For each database it times computing every member's scorecard of the week before 2026-11-27
and building its Block Kit message (nothing is sent), counts the SQL statements (the same at any
number of leads: every figure is an aggregate), and times rendering one chart to PNG.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, select

from bench.reminders import (
    NOW,
    SEED,
    Scale,
    _postgres_target,
    _sqlite_target,
)
from bot.blocks.scorecard import build_manager_scorecard, build_rep_scorecard
from bot.charts import render_trend_png
from bot.jobs.scorecard import manager_heading
from isops.calendar import BusinessCalendar
from isops.db import make_engine
from isops.enums import HandoffVerdict, MeetingMode
from isops.models import Handoff, Lead
from isops.services.scorecard import compute_scorecards
from isops.services.scorecard_weeks import Week
from isops.settings import Settings
from isops.unit_of_work import make_uow_factory
from tests.factories import sql_statements

MARKER = "bench-scorecard"
WEEK = Week.of(NOW.date()).previous()  # 2026-W47


def add_handoffs(engine: Engine) -> int:
    """One hand-off per status-5 lead converted in the last 12 weeks, with a verdict mix."""
    rng = random.Random(SEED + 13)
    since = NOW - dt.timedelta(weeks=12)
    uow = make_uow_factory(engine)
    with uow() as unit:
        session = unit.session
        leads = session.execute(
            select(Lead.id, Lead.owner_id, Lead.cv_at).where(Lead.status == 5, Lead.cv_at >= since)
        ).all()
        fs = leads[0].owner_id if leads else None
        rows = []
        for lead_id, owner_id, cv_at in leads:
            created = min(cv_at + dt.timedelta(days=rng.uniform(1, 10)), NOW)
            meeting = created + dt.timedelta(days=3)
            verdict = rng.choice(
                [HandoffVerdict.VALID, HandoffVerdict.VALID, HandoffVerdict.INVALID, None]
            )
            rows.append(
                {
                    "lead_id": lead_id,
                    "rep_id": owner_id,
                    "created_by_id": owner_id,
                    "fs_member_id": fs,
                    "meeting_at": meeting,
                    "meeting_mode": MeetingMode.ONLINE,
                    "problem": MARKER,
                    "wants": MARKER,
                    "created_at": created,
                    "verdict": verdict,
                    "invalid_reason": "ニーズなし" if verdict is HandoffVerdict.INVALID else None,
                    "decided_at": meeting + dt.timedelta(hours=5) if verdict else None,
                    "verdict_due_at": meeting + dt.timedelta(hours=2),
                    "next_request_at": meeting + dt.timedelta(hours=2),
                    # Undecided ones count as asked already: the morning job has nothing to send.
                    "verdict_requests": 0 if verdict else 2,
                }
            )
        if rows:
            session.execute(Handoff.__table__.insert(), rows)
        unit.commit()
    return len(rows)


def remove_handoffs(engine: Engine) -> None:
    uow = make_uow_factory(engine)
    with uow() as unit:
        unit.session.execute(delete(Handoff).where(Handoff.problem == MARKER))
        unit.commit()


def measure(url: str, repeats: int) -> dict[str, Any]:
    engine = make_engine(url)
    settings = Settings(_env_file=None, DATABASE_URL=url)  # type: ignore[call-arg]
    calendar = BusinessCalendar(tz=settings.tz, company_holidays=settings.company_holidays)
    uow = make_uow_factory(engine)
    remove_handoffs(engine)  # a run killed before its clean-up
    handoffs = add_handoffs(engine)
    timings: list[float] = []
    statements: list[int] = []
    try:
        for _ in range(repeats):
            with sql_statements(engine) as seen:
                started = time.perf_counter()
                cards = compute_scorecards(
                    uow, week=WEEK, now=NOW, settings=settings, calendar=calendar
                )
                messages = [build_manager_scorecard(c) for c in cards.managers]
                messages += [build_rep_scorecard(c) for c in cards.reps]
                timings.append(time.perf_counter() - started)
            statements.append(len(seen))
        assert len(set(statements)) == 1, f"statements changed between runs: {statements}"
        manager = cards.managers[0]
        chart_times = []
        for _ in range(5):
            started = time.perf_counter()
            png = render_trend_png(manager.chart, heading=manager_heading(manager))
            chart_times.append(time.perf_counter() - started)
        assert any(
            row.values["same_day"].of for c in cards.managers for row in c.rows if not row.away
        ), "the figures should be real"
    finally:
        remove_handoffs(engine)
        engine.dispose()
    return {
        "managers": len(cards.managers),
        "reps": len(cards.reps),
        "away": len(cards.away),
        "messages": len(messages),
        "handoffs": handoffs,
        "statements": statements[0],
        "first": timings[0],
        "median": statistics.median(timings),
        "chart_median": statistics.median(chart_times),
        "chart_bytes": len(png),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.scorecard", description=__doc__)
    parser.add_argument(
        "--postgres", metavar="URL", default=os.environ.get("ISOPS_TEST_DATABASE_URL")
    )
    parser.add_argument("--no-sqlite", action="store_true")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--dir", type=Path, default=Path("/tmp/isops-bench"))
    args = parser.parse_args(argv)
    scale = Scale(300, 300_000, 3_000_000, SEED)
    targets = []
    if not args.no_sqlite:
        targets.append(("SQLite", _sqlite_target(args.dir, scale, 0)))
    if args.postgres:
        targets.append(("PostgreSQL", _postgres_target(args.postgres, scale, 0)))
    print(
        f"\nWeekly scorecards of {WEEK.label} for {scale.reps} reps + {scale.managers} managers"
        f" ({scale.leads:,} leads, {scale.actions:,} actions; compute + build, nothing sent):"
    )
    for name, url in targets:
        f = measure(url, args.repeats)
        print(
            f"  {name}: {f['managers']} manager and {f['reps']} rep scorecards"
            f" ({f['away']} away all week, {f['handoffs']:,} hand-offs), {f['statements']} SQL"
            f" statements; first {f['first']:.2f} s, median {f['median']:.2f} s;"
            f" one chart {f['chart_median']:.2f} s ({f['chart_bytes'] // 1024} KB PNG)",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
