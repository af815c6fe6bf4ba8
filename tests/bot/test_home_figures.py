"""App Home's habit figures are kept per member and week for a few minutes, then computed
again (bot.home_figures)."""

from __future__ import annotations

import datetime as dt
import threading

from bot.home_figures import HomeFigures
from isops.services.scorecard import Scorecards
from isops.services.scorecard_weeks import Week

WEEK = Week(dt.date(2026, 11, 30))


def cards() -> Scorecards:
    return Scorecards(week=WEEK, managers=(), reps=(), away=())


def test_figures_expire_after_the_ttl_and_stay_apart_by_member_and_week() -> None:
    clock = [0.0]
    store = HomeFigures(dt.timedelta(minutes=5), timer=lambda: clock[0])
    mine, other_week = cards(), cards()
    store[(1, WEEK.monday)] = mine
    store[(1, WEEK.previous().monday)] = other_week
    clock[0] = 299.0
    assert store.get((1, WEEK.monday)) is mine and store.get((2, WEEK.monday)) is None
    assert store.get((1, WEEK.previous().monday)) is other_week
    clock[0] = 301.0
    assert store.get((1, WEEK.monday)) is None and len(store) == 0


def test_the_oldest_go_first_when_full_and_threads_share_it_safely() -> None:
    store = HomeFigures(dt.timedelta(minutes=5), size=2)
    for member in (1, 2, 3):
        store[(member, WEEK.monday)] = cards()
    assert sorted(k[0] for k in store) == [2, 3]

    def fill(start: int) -> None:
        for member in range(start, start + 500):
            store[(member, WEEK.monday)] = cards()
            store.get((member - 1, WEEK.monday))

    threads = [threading.Thread(target=fill, args=(n * 1000,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(store) == 2
