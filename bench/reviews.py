"""Manager review at team scale: listing pending reviews and deciding them under contention.

    python -m bench.reviews                      # SQLite file in a temp dir
    python -m bench.reviews --pg postgresql://postgres@127.0.0.1:5432/test
    python -m bench.reviews --reviews 20000 --threads 8

Measures `pending_reviews_for` (one manager's list, an admin's list over every pending
review) and decisions when `--threads` managers race for the same reviews: each review must
end with exactly one decision, whatever the interleaving. Not a test; prints figures.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import threading
import time
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text

from isops.calendar import BusinessCalendar
from isops.db import make_engine
from isops.enums import ReviewState, Role
from isops.errors import Conflict
from isops.models import Lead, LeadHistory, Member, NoActionReview
from isops.services.reviews import ReviewConfig, approve_review, pending_reviews_for, return_review
from isops.settings import DEFAULT_COMPANY_HOLIDAYS
from isops.unit_of_work import UnitOfWorkFactory, make_uow_factory
from tests.databases import migrated_database

CALENDAR = BusinessCalendar(tz=ZoneInfo("Asia/Tokyo"), company_holidays=DEFAULT_COMPANY_HOLIDAYS)
CONFIG = ReviewConfig()
MANAGERS = 20
REPS_PER_MANAGER = 10


def seed(uow_factory: UnitOfWorkFactory, reviews: int) -> list[int]:
    """An admin, MANAGERS managers with REPS_PER_MANAGER reps each, `reviews` pending reviews
    spread over the reps (a day apart, oldest first). Returns the review ids."""
    now = dt.datetime.now(dt.UTC)
    with uow_factory() as uow:
        s = uow.session
        s.add(Member(slack_user_id="UADMIN", name="admin", role=Role.ADMIN))
        managers = [
            Member(slack_user_id=f"UM{m}", name=f"m{m}", role=Role.MANAGER) for m in range(MANAGERS)
        ]
        s.add_all(managers)
        s.flush()
        reps = [
            Member(slack_user_id=f"UR{m}_{r}", name=f"r{m}_{r}", role=Role.REP, manager_id=mgr.id)
            for m, mgr in enumerate(managers)
            for r in range(REPS_PER_MANAGER)
        ]
        s.add_all(reps)
        s.flush()
        leads = [
            Lead(company=f"会社{i}", status=4, cv_at=now, owner_id=reps[i % len(reps)].id)
            for i in range(reviews)
        ]
        s.add_all(leads)
        s.flush()
        rows = [
            NoActionReview(
                lead_id=lead.id,
                requested_by_id=lead.owner_id,
                requested_status=4,
                previous_status=2,
                reason_code="対象外",
                memo="bench",
                state=ReviewState.PENDING,
                created_at=now - dt.timedelta(minutes=reviews - i),
            )
            for i, lead in enumerate(leads)
        ]
        s.add_all(rows)
        s.flush()
        ids = [r.id for r in rows]
        uow.commit()
    with uow_factory() as uow:
        # Planner statistics, as autovacuum would have them in a running team's database.
        uow.session.execute(text("ANALYZE"))
        uow.commit()
    return ids


def timed(runs: int, fn: Callable[[], Any]) -> tuple[float, float]:
    """Median and max wall time of `fn` in milliseconds."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), max(samples)


def race(uow_factory: UnitOfWorkFactory, review_ids: list[int], threads: int) -> dict[str, Any]:
    """`threads` deciders (the managers of the reps, alternating approve and return, and the
    admin) go through the same reviews at once; count wins and refusals."""
    with uow_factory() as uow:
        rows = uow.session.execute(
            select(NoActionReview.id, Member.manager_id)
            .join(Member, Member.id == NoActionReview.requested_by_id)
            .where(NoActionReview.id.in_(review_ids))
        ).all()
        manager_uid = {
            member_id: uid
            for member_id, uid in uow.session.execute(select(Member.id, Member.slack_user_id))
        }
    deciders = {rid: manager_uid[mid] for rid, mid in rows}
    wins = [0] * threads
    conflicts = [0] * threads
    barrier = threading.Barrier(threads)

    def worker(n: int) -> None:
        barrier.wait()
        for rid in review_ids:
            who = "UADMIN" if n % 3 == 2 else deciders[rid]
            try:
                if n % 2 == 0:
                    approve_review(
                        uow_factory(),
                        review_id=rid,
                        decider_slack_user_id=who,
                        config=CONFIG,
                        calendar=CALENDAR,
                    )
                else:
                    return_review(
                        uow_factory(),
                        review_id=rid,
                        decider_slack_user_id=who,
                        reason="bench",
                        config=CONFIG,
                        calendar=CALENDAR,
                    )
                wins[n] += 1
            except Conflict:
                conflicts[n] += 1

    start = time.perf_counter()
    workers = [threading.Thread(target=worker, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    elapsed = time.perf_counter() - start
    with uow_factory() as uow:
        decided = uow.session.scalar(
            select(func.count())
            .select_from(LeadHistory)
            .where(LeadHistory.field == "review", LeadHistory.new_value != "pending")
        )
        still_pending = uow.session.scalar(
            select(func.count())
            .select_from(NoActionReview)
            .where(NoActionReview.id.in_(review_ids), NoActionReview.state == ReviewState.PENDING)
        )
    return {
        "elapsed_s": elapsed,
        "wins": sum(wins),
        "conflicts": sum(conflicts),
        "decision_rows": decided,
        "still_pending": still_pending,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", help="PostgreSQL URL (default: SQLite in a temp dir)")
    parser.add_argument("--reviews", type=int, default=10_000, help="pending reviews seeded")
    parser.add_argument("--race", type=int, default=300, help="reviews decided in the race")
    parser.add_argument("--threads", type=int, default=6, help="deciders racing")
    args = parser.parse_args()
    with migrated_database(args.pg) as url:
        engine = make_engine(url, pool_size=args.threads + 2) if args.pg else make_engine(url)
        uow_factory = make_uow_factory(engine)
        start = time.perf_counter()
        ids = seed(uow_factory, args.reviews)
        print(
            f"database: {engine.dialect.name}; seeded {len(ids)} pending reviews in {time.perf_counter() - start:.1f}s"
        )
        per_manager = args.reviews // MANAGERS
        med, worst = timed(
            20, lambda: pending_reviews_for(uow_factory(), slack_user_id="UM0", config=CONFIG)
        )
        print(
            f"pending_reviews_for(manager, {per_manager} pending, first 15): median {med:.1f} ms, max {worst:.1f} ms"
        )
        med, worst = timed(
            20, lambda: pending_reviews_for(uow_factory(), slack_user_id="UADMIN", config=CONFIG)
        )
        print(
            f"pending_reviews_for(admin, {args.reviews} pending, first 15): median {med:.1f} ms, max {worst:.1f} ms"
        )
        result = race(uow_factory, ids[: args.race], args.threads)
        per = result["elapsed_s"] / args.race * 1000
        print(
            f"race: {args.threads} deciders x {args.race} reviews in {result['elapsed_s']:.1f}s "
            f"({per:.1f} ms per review); wins {result['wins']}, refused {result['conflicts']}, "
            f"decision history rows {result['decision_rows']}, still pending {result['still_pending']}"
        )
        ok = result["wins"] == args.race == result["decision_rows"] and result["still_pending"] == 0
        print("exactly one decision per review:", "yes" if ok else "NO")
        engine.dispose()
        if not ok:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
