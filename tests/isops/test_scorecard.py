"""The weekly scorecard's figures against values computed by hand on a fixture team (week
2026-W48: Mon 11/23 is a holiday, the scorecard goes out Mon 11/30 09:00), the team median, the
one habit, away reps, and a bounded number of statements — on both databases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import Engine, select

from isops.calendar import BusinessCalendar
from isops.enums import OPEN_STATUSES, Channel, HandoffVerdict, Priority, Role
from isops.models import AwayPeriod, Lead, LeadHistory, Member
from isops.services.scorecard import Scorecards, compute_scorecards
from isops.services.scorecard_home import HomeOverview, ScorecardStore, home_overview
from isops.services.scorecard_values import RATE_FIGURES
from isops.services.scorecard_weeks import Week, trend, week_to_send
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
W48 = Week(dt.date(2026, 11, 23))
SEND = dt.datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO).astimezone(dt.UTC)


def jst(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=TOKYO).astimezone(dt.UTC)


def lead_at(
    uow: UnitOfWorkFactory, owner: str, cv_at: dt.datetime, *, status: int = 2, **kw: object
) -> int:
    with time_machine.travel(cv_at, tick=False):  # created when it came in
        return factories.lead(uow(), owner=owner, cv_at=cv_at, status=status, **kw)  # type: ignore[arg-type]


def touches(
    uow: UnitOfWorkFactory, lead_id: int, by: str, *moments: tuple[dt.datetime, Channel]
) -> None:
    for moment, channel in moments:
        outcome = "不在" if channel is Channel.CALL else "送信"
        factories.action(uow(), lead_id, by=by, channel=channel, outcome=outcome, acted_at=moment)


def calls(start: dt.datetime, count: int) -> list[tuple[dt.datetime, Channel]]:
    return [(start + dt.timedelta(hours=i), Channel.CALL) for i in range(count)]


def mails(start: dt.datetime, count: int) -> list[tuple[dt.datetime, Channel]]:
    return [(start + dt.timedelta(hours=i, minutes=30), Channel.MAIL) for i in range(count)]


def handoff(
    uow: UnitOfWorkFactory, rep: str, created: dt.datetime, verdict: HandoffVerdict | None
) -> None:
    lead_id = lead_at(uow, rep, created - dt.timedelta(days=3), status=5)
    meeting = created + dt.timedelta(days=1)
    factories.handoff(
        uow(),
        lead_id,
        rep=rep,
        fs="UF1",
        meeting_at=meeting,
        created_at=created,
        verdict=verdict,
        decided_at=None if verdict is None else meeting + dt.timedelta(hours=3),
        decided_by=None if verdict is None else "UF1",
        invalid_reason="ニーズなし" if verdict is HandoffVerdict.INVALID else None,
    )


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    build_fixture_team(uow_factory)
    return uow_factory


def build_fixture_team(uow: UnitOfWorkFactory) -> None:
    """山田 manages 佐藤 (UR1), 伊藤 (UR2) and 鈴木 (UR3, away all of W48); 田中 is FS.
    The comments give each figure as computed by hand."""
    factories.member(uow(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(uow(), "UR1", manager="UM1", name="佐藤")
    factories.member(uow(), "UR2", manager="UM1", name="伊藤")
    factories.member(uow(), "UR3", manager="UM1", name="鈴木")
    factories.member(uow(), "UF1", role=Role.FS, manager="UM1", name="田中")
    with uow() as unit:
        ur3 = factories._member_id(unit.session, "UR3")
        assert ur3 is not None
        unit.session.add(
            AwayPeriod(
                member_id=ur3, start_date=dt.date(2026, 11, 24), end_date=dt.date(2026, 11, 27)
            )
        )
        unit.commit()

    # Same-day (inbound, CV in W48). 佐藤: A on time, B (after 18:00 → Thu) late, C never
    # touched (due Fri, passed), D (Sat → due Mon 11/30, not passed at 09:00) left out: 1/3.
    a = lead_at(uow, "UR1", jst(11, 24, 10), inbound=True, source="資料請求")
    touches(uow, a, "UR1", (jst(11, 24, 15), Channel.CALL))
    b = lead_at(uow, "UR1", jst(11, 25, 19), inbound=True, source="資料請求")
    touches(uow, b, "UR1", (jst(11, 27, 10), Channel.CALL))
    lead_at(uow, "UR1", jst(11, 27, 17), status=1, inbound=True, source="資料請求")
    lead_at(uow, "UR1", jst(11, 28, 10), status=1, inbound=True, source="資料請求")
    # 伊藤: E came in on the holiday (due Tue 11/24) and was touched then: 1/1.
    e = lead_at(uow, "UR2", jst(11, 23, 10), inbound=True, source="問い合わせ")
    touches(uow, e, "UR2", (jst(11, 24, 17), Channel.CALL))
    # Previous week, 佐藤: F on time (1/1), connected so it is in no persistence cohort.
    f = lead_at(uow, "UR1", jst(11, 17, 10), status=3, inbound=True, source="資料請求")
    touches(uow, f, "UR1", (jst(11, 17, 11), Channel.CALL))

    # 5-in-7 (7 days ended in W48: CV in W47), never connected. 佐藤: G 5 actions (done),
    # H 2 (not), I connected (left out): 1/2. 伊藤: S 5 actions: 1/1.
    g = lead_at(uow, "UR1", jst(11, 17, 12))
    touches(uow, g, "UR1", *calls(jst(11, 18), 5))
    h = lead_at(uow, "UR1", jst(11, 18, 12))
    touches(uow, h, "UR1", *calls(jst(11, 19), 2))
    i = lead_at(uow, "UR1", jst(11, 19, 12), status=3)
    touches(uow, i, "UR1", *calls(jst(11, 20), 5))
    s = lead_at(uow, "UR2", jst(11, 18, 12))
    touches(uow, s, "UR2", *calls(jst(11, 19), 3), *mails(jst(11, 19), 2))

    # 5C2M and both channels (14 days ended in W48: CV in W46). 佐藤: J 5C2M in time (done,
    # both), K 3 calls and a mail on day 20 (not, calls only), L connected with a call and a
    # mail (left out of 5C2M, both): 5C2M 1/2, both 2/3. 伊藤: T 5C2M: 1/1, 1/1.
    j = lead_at(uow, "UR1", jst(11, 10))
    touches(uow, j, "UR1", *calls(jst(11, 11), 5), *mails(jst(11, 12), 2))
    k = lead_at(uow, "UR1", jst(11, 11))
    touches(uow, k, "UR1", *calls(jst(11, 12), 3), (jst(12, 1), Channel.MAIL))
    m = lead_at(uow, "UR1", jst(11, 12), status=3)
    touches(uow, m, "UR1", (jst(11, 13), Channel.CALL), (jst(11, 13, 15), Channel.MAIL))
    t = lead_at(uow, "UR2", jst(11, 10), status=1)
    touches(uow, t, "UR2", *calls(jst(11, 11), 5), *mails(jst(11, 11), 2))

    # Decisions (W48): 佐藤 asks for 4 on one lead, and one request of W48 was returned: 2, 1.
    with time_machine.travel(jst(11, 25, 11), tick=False):
        review_lead = factories.lead(uow(), owner="UR1", status=2)
        factories.review(uow(), review_lead, by="UR1")
    returned_lead = lead_at(uow, "UR1", jst(11, 1))
    factories.returned_review(
        uow(), returned_lead, by="UR1", manager="UM1", reason="追う価値あり", decided_at=jst(11, 26)
    )

    # Focus leads without a next action date. End of W47: O and Q (Q got its date on
    # 11/30 08:00, after W48 ended). End of W48: O, Q and R (created 11/25): 2 → 3.
    lead_at(uow, "UR1", jst(11, 2), priority=1)  # O
    q = lead_at(uow, "UR1", jst(11, 2), priority=1, next_action_date=dt.date(2026, 12, 5))
    with uow() as unit:
        unit.session.add(
            LeadHistory(
                lead_id=q,
                member_id=None,
                field="next_action_date",
                old_value=None,
                new_value="2026-12-05",
                changed_at=jst(11, 30, 8),
            )
        )
        unit.commit()
    lead_at(uow, "UR1", jst(11, 25), priority=1)  # R

    # Hand-offs created in W48 by 佐藤: valid, invalid, due without a verdict.
    handoff(uow, "UR1", jst(11, 24), HandoffVerdict.VALID)
    handoff(uow, "UR1", jst(11, 24, 11), HandoffVerdict.INVALID)
    handoff(uow, "UR1", jst(11, 25), None)


@pytest.fixture
def cards(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> Iterator[Scorecards]:
    with time_machine.travel(SEND, tick=False):
        yield compute_scorecards(team, week=W48, now=SEND, settings=settings, calendar=calendar)


def test_w48_goes_out_on_monday_the_30th(calendar: BusinessCalendar) -> None:
    assert week_to_send(SEND, calendar) == W48
    assert week_to_send(SEND + dt.timedelta(days=1), calendar) is None
    # 11/23 is a holiday: the week's first business morning is Tuesday the 24th.
    assert week_to_send(jst(11, 24, 9), calendar) == W48.previous()
    assert week_to_send(jst(11, 23, 9), calendar) is None
    assert [w.label for w in trend(W48, 3)] == ["2026-W46", "2026-W47", "2026-W48"]
    assert Week.parse("2026-W48") == W48


def test_manager_rows_match_hand_computed_figures(cards: Scorecards) -> None:
    (manager,) = cards.managers
    rows = {row.slack_user_id: row for row in manager.rows}
    assert [r.name for r in manager.rows] == ["伊藤", "佐藤", "鈴木"]
    sato = rows["UR1"].values
    assert (sato["same_day"].done, sato["same_day"].of) == (1, 3)
    assert sato["same_day"].previous == 1.0
    assert sato["same_day"].change == pytest.approx(1 / 3 - 1)
    assert (sato["early"].done, sato["early"].of) == (1, 2)
    assert (sato["five_c2m"].done, sato["five_c2m"].of) == (1, 2)
    assert (sato["both_channels"].done, sato["both_channels"].of) == (2, 3)
    assert sato["focus_undated"].value == 3
    assert sato["focus_undated"].previous == 2
    assert sato["decisions"].value == 2
    assert sato["returned"].value == 1
    assert sato["meetings"].value == 3
    assert sato["valid"].value == 1
    assert (sato["valid_rate"].done, sato["valid_rate"].of) == (1, 2)
    assert sato["fs_unrated"].value == 1
    ito = rows["UR2"].values
    assert (ito["same_day"].done, ito["same_day"].of) == (1, 1)
    assert (ito["early"].done, ito["early"].of) == (1, 1)
    assert (ito["five_c2m"].done, ito["five_c2m"].of) == (1, 1)
    assert ito["meetings"].value == 0
    assert rows["UR3"].away and rows["UR3"].values == {}
    # The team's rates pool the reps' leads.
    assert (manager.team["same_day"].done, manager.team["same_day"].of) == (2, 4)
    assert [p.key for p in manager.chart.panels] == [
        "same_day",
        "five_c2m",
        "early",
        "both_channels",
        "valid_rate",
        "meetings",
    ]
    assert len(manager.chart.weeks) == 8 and manager.chart.weeks[-1] == "2026-W48"


def test_rep_sees_team_median_and_the_habit_furthest_below(cards: Scorecards) -> None:
    reps = {card.slack_user_id: card for card in cards.reps}
    assert set(reps) == {"UR1", "UR2"}  # 鈴木 was away all week
    sato = reps["UR1"]
    assert sato.medians["same_day"] == pytest.approx((1 / 3 + 1) / 2)
    assert sato.medians["early"] == pytest.approx(0.75)
    assert sato.medians["both_channels"] == pytest.approx((2 / 3 + 1) / 2)
    assert sato.habit is not None and sato.habit.key == "same_day"
    assert sato.habit.gap == pytest.approx(1 / 3)
    assert reps["UR2"].habit is None  # at or above the median everywhere
    assert cards.away == (4,)  # UR3's member id


def test_statements_do_not_grow_with_the_leads(
    team: UnitOfWorkFactory, engine: Engine, settings: Settings, calendar: BusinessCalendar
) -> None:
    def count() -> int:
        with factories.sql_statements(engine) as seen, time_machine.travel(SEND, tick=False):
            compute_scorecards(team, week=W48, now=SEND, settings=settings, calendar=calendar)
        return len(seen)

    before = count()
    for n in range(30):
        lead_id = lead_at(team, "UR2", jst(11, 10 + n % 15, 10), inbound=n % 2 == 0)
        touches(team, lead_id, "UR2", *calls(jst(11, 26), 2))
    assert count() == before


# -- App Home: one member's rates, from their team only (issue 13 point 4) ----------------------


def test_one_members_rates_from_their_team_match_the_full_run(
    team: UnitOfWorkFactory, cards: Scorecards, settings: Settings, calendar: BusinessCalendar
) -> None:
    # Another team, whose leads must not move 佐藤's medians.
    factories.member(team(), "UM2", role=Role.MANAGER, name="別マネージャー")
    factories.member(team(), "UR9", manager="UM2", name="別チーム")
    for n in range(3):
        lead_at(team, "UR9", jst(11, 24 + n, 10), inbound=True, source="資料請求")
    with team() as uow:
        sato_id = factories._member_id(uow.session, "UR1")
    with time_machine.travel(SEND, tick=False):
        mine = compute_scorecards(
            team,
            week=W48,
            now=SEND,
            settings=settings,
            calendar=calendar,
            member_ids={sato_id},
            weeks_back=2,
            only=RATE_FIGURES,
        )
    (card,) = mine.reps
    full = next(c for c in cards.reps if c.slack_user_id == "UR1")
    assert mine.managers == ()
    for key in RATE_FIGURES:
        assert card.own.values[key] == full.own.values[key], key
        assert card.medians[key] == full.medians[key], key
    # Figures Home does not show are not read (the full run has 3 of each).
    assert full.own.values["meetings"].value == 3 and full.own.values["focus_undated"].value == 3
    assert card.own.values["meetings"].value == 0 and card.own.values["focus_undated"].value is None


def test_the_week_not_over_counts_undated_focus_leads_as_they_are_now(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    with time_machine.travel(SEND, tick=False):
        current = compute_scorecards(
            team, week=W48.next(), now=SEND, settings=settings, calendar=calendar
        )
    with team() as uow:
        slack_ids = dict(uow.session.execute(select(Member.id, Member.slack_user_id)).all())
        expected: dict[str, int] = {}
        for lead in uow.session.scalars(select(Lead)):
            undated_focus = lead.priority == Priority.FOCUS and lead.next_action_date is None
            if undated_focus and lead.status in OPEN_STATUSES and lead.owner_id is not None:
                slack_id = slack_ids[lead.owner_id]
                expected[slack_id] = expected.get(slack_id, 0) + 1
    manager = current.managers[0]
    got = {row.slack_user_id: row.values["focus_undated"].value for row in manager.rows}
    assert got == {uid: expected.get(uid, 0) for uid in got}
    assert got["UR1"] > 0  # the fixture team has undated focus leads now


def test_home_figures_come_from_the_store_while_it_has_them(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    store: dict[tuple[int, dt.date], Scorecards] = {}

    def overview(store: ScorecardStore | None) -> HomeOverview | None:
        return home_overview(
            team, slack_user_id="UR1", now=SEND, settings=settings, calendar=calendar, store=store
        )

    with time_machine.travel(SEND, tick=False):
        first = overview(store)
        assert first is not None and first.own_card is not None and len(store) == 1
        # A new touch would move the figures; the stored ones are shown until they expire.
        lead_id = lead_at(team, "UR1", jst(11, 30, 8), inbound=True, source="資料請求")
        touches(team, lead_id, "UR1", (jst(11, 30, 8, 30), Channel.CALL))
        again, fresh = overview(store), overview(None)
    assert again is not None and again.own_card is first.own_card
    assert fresh is not None and fresh.own_card is not first.own_card
