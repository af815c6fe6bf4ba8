"""App Home's habit figures, kept a few minutes per member and week.

Home is published on every `app_home_opened` and again after each change to the member's
leads; its list is read each time, but the week's habit figures beside the team's medians
(issue 13) cost a read of the whole team and move slowly. So they are computed at most once
per HOME_FIGURES_TTL per member — a rep's Home shows them at most that old. Per process (the
bot and its outbox threads share it), bounded, thread-safe.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable, Iterator, MutableMapping

from cachetools import TTLCache

from isops.services.scorecard import Scorecards

HOME_FIGURES_TTL = dt.timedelta(minutes=5)
# Members whose figures are kept at once; the least recently stored go first.
HOME_FIGURES_MEMBERS = 2000

Key = tuple[int, dt.date]


class HomeFigures(MutableMapping[Key, Scorecards]):
    """A TTL cache of scorecards by (member id, week's Monday) behind a lock."""

    def __init__(
        self,
        ttl: dt.timedelta = HOME_FIGURES_TTL,
        *,
        size: int = HOME_FIGURES_MEMBERS,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._cache: TTLCache[Key, Scorecards] = TTLCache(
            maxsize=size, ttl=ttl.total_seconds(), timer=timer
        )

    def __getitem__(self, key: Key) -> Scorecards:
        with self._lock:
            return self._cache[key]

    def __setitem__(self, key: Key, value: Scorecards) -> None:
        with self._lock:
            self._cache[key] = value

    def __delitem__(self, key: Key) -> None:
        with self._lock:
            del self._cache[key]

    def __iter__(self) -> Iterator[Key]:
        with self._lock:
            return iter(list(self._cache))

    def __len__(self) -> int:
        with self._lock:
            return len(self._cache)
