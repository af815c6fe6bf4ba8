"""The weekly habit scorecard (issue 13 point 2): per manager one row per rep, per rep their own
figures beside the team median and the one habit furthest below it, and an 8-week trend.

The figures and their definitions are `isops.services.scorecard_figures` (and the hand-off
feature's `handoff_figures`); what the scorecard shows of them and how it compares them,
`isops.services.scorecard_values`. This module reads them and puts the cards together. Cost:
a fixed number of statements for any number of leads (the trend's weeks are read together;
the hand-off figures take three per week).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.enums import Role
from isops.models import AwayPeriod, Member
from isops.services.handoff_reports import handoff_figures
from isops.services.scorecard_figures import (
    FigureQueries,
    FigureTable,
    Ratio,
    group_away_days,
    mark_away,
)
from isops.services.scorecard_values import (
    FIGURES,
    HANDOFF_FIGURES,
    FigureValue,
    Habit,
    TrendChart,
    TrendPanel,
    figure_values,
    furthest_below,
    median,
    merge_counts,
    pooled,
    team_medians,
    value_of,
)
from isops.services.scorecard_weeks import TREND_WEEKS, Week, trend
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory


@dataclass(frozen=True)
class RepRow:
    """One rep's figures for the scorecard's week (`away`: away all week, no figures)."""

    rep_id: int
    slack_user_id: str
    name: str
    away: bool
    values: dict[str, FigureValue]


@dataclass(frozen=True)
class ManagerScorecard:
    member_id: int
    slack_user_id: str
    name: str
    week: Week
    rows: tuple[RepRow, ...]
    team: dict[str, FigureValue]  # the team's rates pooled, counts summed (reps not away)
    chart: TrendChart


@dataclass(frozen=True)
class RepScorecard:
    member_id: int
    slack_user_id: str
    name: str
    week: Week
    own: RepRow
    medians: dict[str, float | None]
    habit: Habit | None
    team_size: int
    chart: TrendChart


@dataclass(frozen=True)
class Scorecards:
    week: Week
    managers: tuple[ManagerScorecard, ...] = ()
    reps: tuple[RepScorecard, ...] = ()
    # Members left out because they are away every business day of the week.
    away: tuple[int, ...] = ()


@dataclass(frozen=True)
class _Person:
    id: int
    slack_user_id: str
    name: str
    role: Role
    manager_id: int | None


class ScorecardBuilder:
    """Reads the figures of one week (and the trend before it) and assembles scorecards."""

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        settings: Settings,
        calendar: BusinessCalendar,
        now: dt.datetime,
    ) -> None:
        self.uow_factory = uow_factory
        self.settings = settings
        self.calendar = calendar
        self.now = now

    def compute(
        self,
        week: Week,
        *,
        member_ids: Iterable[int] | None = None,
        weeks_back: int = TREND_WEEKS,
        only: Collection[str] | None = None,
    ) -> Scorecards:
        """Every manager's and rep's scorecard of `week` (only `member_ids` when given), with
        a trend of `weeks_back` weeks (2: the week and its change only).
        `only`: the figure keys to compute (App Home shows the rates, RATE_FIGURES); the
        others read as zero."""
        weeks = trend(week, max(2, weeks_back))
        wanted = None if member_ids is None else set(member_ids)
        people, table, read = self._read(weeks, week, wanted, only)
        reps = [p for p in people.values() if p.id in read]
        team_of: dict[int | None, list[_Person]] = defaultdict(list)
        for rep in reps:
            team_of[rep.manager_id].append(rep)
        away_members = {p.id for p in people.values() if table.get(p.id, week).away}
        managers: list[ManagerScorecard] = []
        rep_cards: list[RepScorecard] = []
        skipped: list[int] = []
        for manager_id, team in sorted(team_of.items(), key=lambda kv: kv[0] or 0):
            team = sorted(team, key=lambda p: (p.name, p.id))
            rows = [self._row(rep, table, week) for rep in team]
            present = [r.values for r in rows if not r.away]
            medians = team_medians(present)
            manager = people.get(manager_id) if manager_id is not None else None
            if manager is not None and (wanted is None or manager.id in wanted):
                if manager.id in away_members:
                    skipped.append(manager.id)
                else:
                    managers.append(self._manager_card(manager, team, rows, table, weeks, week))
            for rep, row in zip(team, rows, strict=True):
                if wanted is not None and rep.id not in wanted:
                    continue
                if row.away:
                    skipped.append(rep.id)
                    continue
                rep_cards.append(
                    RepScorecard(
                        member_id=rep.id,
                        slack_user_id=rep.slack_user_id,
                        name=rep.name,
                        week=week,
                        own=row,
                        medians=medians,
                        habit=furthest_below(row.values, medians),
                        team_size=len(present),
                        chart=self._rep_chart(rep, team, table, weeks),
                    )
                )
        return Scorecards(
            week=week,
            managers=tuple(sorted(managers, key=lambda c: c.member_id)),
            reps=tuple(sorted(rep_cards, key=lambda c: c.member_id)),
            away=tuple(sorted(set(skipped))),
        )

    def _read(
        self,
        weeks: Sequence[Week],
        week: Week,
        wanted: set[int] | None,
        only: Collection[str] | None = None,
    ) -> tuple[dict[int, _Person], FigureTable, set[int]]:
        """The active members, the figures, and the reps whose figures were read: every rep,
        or (`wanted`) the reps of the wanted members' teams — a member's medians need their
        team only, so one member's Home reads one team, not the company."""
        tz = self.calendar.tz
        with self.uow_factory() as uow:
            session = uow.session
            people = {
                row.id: _Person(row.id, row.slack_user_id, row.name, row.role, row.manager_id)
                for row in session.execute(
                    select(
                        Member.id, Member.slack_user_id, Member.name, Member.role, Member.manager_id
                    )
                    .where(Member.active.is_(True))
                    .order_by(Member.id)
                )
            }
            rep_ids = [p.id for p in people.values() if p.role is Role.REP]
            if wanted is not None:
                teams = {
                    p.manager_id if p.role is Role.REP else p.id
                    for p in people.values()
                    if p.id in wanted
                }
                rep_ids = [r for r in rep_ids if people[r].manager_id in teams]
            table = FigureQueries(
                session, settings=self.settings, calendar=self.calendar, now=self.now
            ).table(
                rep_ids,
                weeks,
                snapshot_weeks=[week.previous(), week],
                only=only,
                scoped=wanted is not None,
            )
            away_rows = session.execute(
                select(AwayPeriod.member_id, AwayPeriod.start_date, AwayPeriod.end_date).where(
                    AwayPeriod.start_date <= weeks[-1].sunday,
                    AwayPeriod.end_date >= weeks[0].monday,
                )
            ).all()
        mark_away(table, group_away_days(away_rows, weeks), self.calendar)
        if rep_ids and (only is None or HANDOFF_FIGURES & set(only)):
            for each in weeks:
                for figures in handoff_figures(
                    self.uow_factory(),
                    start=each.monday,
                    end=each.sunday,
                    tz=tz,
                    now=self.now,
                    rep_ids=rep_ids,
                ):
                    target = table.get(figures.rep_id, each)
                    target.meetings = figures.handoffs
                    target.valid = figures.valid
                    target.valid_rate = Ratio(
                        figures.valid, figures.valid + figures.invalid + figures.returned
                    )
                    target.fs_unrated = figures.unrated
        return people, table, set(rep_ids)

    def _row(self, rep: _Person, table: FigureTable, week: Week) -> RepRow:
        this = table.get(rep.id, week)
        before = table.get(rep.id, week.previous())
        return RepRow(
            rep_id=rep.id,
            slack_user_id=rep.slack_user_id,
            name=rep.name,
            away=this.away,
            values={} if this.away else figure_values(this, before),
        )

    def _manager_card(
        self,
        manager: _Person,
        team: list[_Person],
        rows: list[RepRow],
        table: FigureTable,
        weeks: Sequence[Week],
        week: Week,
    ) -> ManagerScorecard:
        team_weeks = {w: pooled(table.get(r.id, w) for r in team) for w in weeks}
        panels = tuple(
            TrendPanel(
                key=spec.key,
                kind=spec.kind,
                lines=(("team", tuple(value_of(team_weeks[w], spec.key)[0] for w in weeks)),),
            )
            for spec in FIGURES
            if spec.charted
        )
        return ManagerScorecard(
            member_id=manager.id,
            slack_user_id=manager.slack_user_id,
            name=manager.name,
            week=week,
            rows=tuple(rows),
            team=figure_values(team_weeks[week], team_weeks[week.previous()]),
            chart=TrendChart(
                title="team", weeks=tuple(w.label for w in weeks), panels=merge_counts(panels)
            ),
        )

    def _rep_chart(
        self, rep: _Person, team: list[_Person], table: FigureTable, weeks: Sequence[Week]
    ) -> TrendChart:
        panels: list[TrendPanel] = []
        for spec in FIGURES:
            if not spec.charted:
                continue
            own = tuple(
                None if table.get(rep.id, w).away else value_of(table.get(rep.id, w), spec.key)[0]
                for w in weeks
            )
            medians = tuple(
                median(
                    value_of(table.get(p.id, w), spec.key)[0]
                    for p in team
                    if not table.get(p.id, w).away
                )
                for w in weeks
            )
            panels.append(TrendPanel(spec.key, spec.kind, (("own", own), ("median", medians))))
        return TrendChart(
            title="rep", weeks=tuple(w.label for w in weeks), panels=merge_counts(tuple(panels))
        )


def compute_scorecards(
    uow_factory: UnitOfWorkFactory,
    *,
    week: Week,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    member_ids: Iterable[int] | None = None,
    weeks_back: int = TREND_WEEKS,
    only: Collection[str] | None = None,
) -> Scorecards:
    """The scorecards of `week` as of `now` (nothing is sent or stored)."""
    builder = ScorecardBuilder(uow_factory, settings=settings, calendar=calendar, now=now)
    return builder.compute(week, member_ids=member_ids, weeks_back=weeks_back, only=only)


__all__ = [
    "ManagerScorecard",
    "RepRow",
    "RepScorecard",
    "Scorecards",
    "compute_scorecards",
]
