"""The weekly scorecard's figures as values, with no database: which figures it shows and how
(`FIGURES`), a week's value beside the previous week's, the team's pooled figures and medians,
the one habit furthest below the median, and the 8-week trend chart's panels (`TrendChart`,
JSON-safe for the outbox). `isops.services.scorecard` reads the figures and assembles the
cards from these; the message builders and the chart read them.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from isops.services.scorecard_figures import Ratio, RepWeek

RATE, COUNT = "rate", "count"


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its key, whether it is a rate (0–1) or a count, which way is better, and
    whether it is a habit a rep is coached on (the rep's "one habit")."""

    key: str
    kind: str
    higher_is_better: bool
    habit: bool = False
    charted: bool = False


# In the order the messages show them.
FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec("same_day", RATE, True, habit=True, charted=True),
    FigureSpec("five_c2m", RATE, True, habit=True, charted=True),
    FigureSpec("early", RATE, True, habit=True, charted=True),
    FigureSpec("both_channels", RATE, True, habit=True, charted=True),
    FigureSpec("focus_undated", COUNT, False),
    FigureSpec("decisions", COUNT, True),
    FigureSpec("returned", COUNT, False),
    FigureSpec("meetings", COUNT, True, charted=True),
    FigureSpec("valid", COUNT, True, charted=True),
    FigureSpec("valid_rate", RATE, True, charted=True),
    FigureSpec("fs_unrated", COUNT, False),
)
SPECS = {spec.key: spec for spec in FIGURES}
# The habits as rates: what App Home shows of a week so far.
RATE_FIGURES = ("same_day", "five_c2m", "early", "both_channels")
HANDOFF_FIGURES = frozenset({"meetings", "valid", "valid_rate", "fs_unrated"})


@dataclass(frozen=True)
class FigureValue:
    """A figure's value in a week (rate 0–1 or count; None: nothing to rate), the previous
    week's, and for rates the counts behind it."""

    key: str
    value: float | None
    previous: float | None = None
    done: int | None = None
    of: int | None = None

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous


@dataclass(frozen=True)
class Habit:
    """The figure furthest below the team median (in points of the rate)."""

    key: str
    value: float
    median: float

    @property
    def gap(self) -> float:
        return self.median - self.value


@dataclass(frozen=True)
class TrendPanel:
    """One small chart: a figure's weekly values, one line per series (name, values)."""

    key: str
    kind: str
    lines: tuple[tuple[str, tuple[float | None, ...]], ...]


@dataclass(frozen=True)
class TrendChart:
    """The 8-week trend: week labels (oldest first) and one panel per charted figure."""

    title: str
    weeks: tuple[str, ...]
    panels: tuple[TrendPanel, ...]

    def to_payload(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_payload(cls, data: dict[str, Any]) -> TrendChart:
        return cls(
            title=str(data["title"]),
            weeks=tuple(data["weeks"]),
            panels=tuple(
                TrendPanel(
                    key=str(p["key"]),
                    kind=str(p["kind"]),
                    lines=tuple(
                        (str(name), tuple(None if v is None else float(v) for v in values))
                        for name, values in p["lines"]
                    ),
                )
                for p in data["panels"]
            ),
        )


def value_of(figures: RepWeek, key: str) -> tuple[float | None, int | None, int | None]:
    """A figure's value and, for a rate, the counts behind it (done, of)."""
    raw = getattr(figures, key)
    if isinstance(raw, Ratio):
        return raw.rate, raw.done, raw.of
    return (None if raw is None else float(raw)), None, None


def figure_values(this: RepWeek, before: RepWeek | None) -> dict[str, FigureValue]:
    values: dict[str, FigureValue] = {}
    for spec in FIGURES:
        value, done, of = value_of(this, spec.key)
        previous = None
        if before is not None and not before.away:
            previous = value_of(before, spec.key)[0]
        values[spec.key] = FigureValue(spec.key, value, previous, done, of)
    return values


def pooled(weeks: Iterable[RepWeek]) -> RepWeek:
    """Reps' figures added up: rates pooled (numerators and denominators), counts summed."""
    total = RepWeek()
    for figures in weeks:
        if figures.away:
            continue
        for spec in FIGURES:
            mine, theirs = getattr(total, spec.key), getattr(figures, spec.key)
            if theirs is None:
                continue
            setattr(total, spec.key, theirs if mine is None else mine + theirs)
    return total


def median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else None


def team_medians(rows: Iterable[dict[str, FigureValue]]) -> dict[str, float | None]:
    rows = list(rows)
    return {spec.key: median(r[spec.key].value for r in rows) for spec in FIGURES}


def furthest_below(
    values: dict[str, FigureValue], medians: dict[str, float | None]
) -> Habit | None:
    """The habit furthest below the team median (ties: the order of FIGURES); None when the
    rep is at or above the median on every habit they have a value for."""
    best: Habit | None = None
    for spec in FIGURES:
        if not spec.habit:
            continue
        value, team_median = values[spec.key].value, medians.get(spec.key)
        if value is None or team_median is None or value >= team_median:
            continue
        habit = Habit(spec.key, value, team_median)
        if best is None or habit.gap > best.gap + 1e-9:
            best = habit
    return best


def merge_counts(panels: tuple[TrendPanel, ...]) -> tuple[TrendPanel, ...]:
    """アポ数 and 有効商談数 share one panel (valid ⊂ meetings), the rates one each."""
    meetings = next((p for p in panels if p.key == "meetings"), None)
    valid = next((p for p in panels if p.key == "valid"), None)
    rest = tuple(p for p in panels if p.key not in ("meetings", "valid"))
    if meetings is None or valid is None:
        return rest
    lines = tuple(
        (f"{name}:{key}", values)
        for key, panel in (("meetings", meetings), ("valid", valid))
        for name, values in panel.lines
        if name != "median"  # a median of counts per rep next to the rep's own adds noise
    )
    return (*rest, TrendPanel("meetings", COUNT, lines))
