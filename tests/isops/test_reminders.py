"""Morning digests and who is due (no Slack), on SQLite and PostgreSQL."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, select

from isops.enums import Channel, Role, RoleLevel
from isops.models import Lead, LeadHistory
from isops.services import reminders
from isops.services.away import set_away
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.services.reminders import (
    MorningDigest,
    Recipient,
    compute_digests,
    digest_for_member,
    due_recipients,
)
from isops.services.reschedule import reschedule_overdue
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests import factories as f
from tests.factories import CALENDAR as CAL
from tests.factories import SETTINGS, jst

DAY = dt.timedelta(days=1)


FRI = dt.date(2026, 11, 20)  # the Friday before 勤労感謝の日 (Monday 11/23)
HOLIDAY_MON = dt.date(2026, 11, 23)
TUE = dt.date(2026, 11, 24)
FRI_27 = dt.date(2026, 11, 27)


def digest(uow_factory: UnitOfWorkFactory, slack_user_id: str, now: dt.datetime) -> MorningDigest:
    return digest_for_member(
        uow_factory(), slack_user_id=slack_user_id, now=now, settings=SETTINGS, calendar=CAL
    )


def due(uow_factory: UnitOfWorkFactory, now: dt.datetime, **kw: object) -> list[Recipient]:
    return due_recipients(uow_factory(), now=now, settings=SETTINGS, calendar=CAL, **kw)  # type: ignore[arg-type]


def team(uow_factory: UnitOfWorkFactory) -> None:
    f.member(uow_factory(), "UMGR", role=Role.MANAGER, name="山田")
    f.member(uow_factory(), "U1", manager="UMGR", name="佐藤")
    f.member(uow_factory(), "U2", manager="UMGR", name="鈴木")


def touches(uow_factory: UnitOfWorkFactory, lead_id: int, spec: str, start: dt.datetime) -> None:
    """Actions on a lead: "CCM" = call, call, mail, an hour apart from `start`."""
    for index, kind in enumerate(spec):
        f.action(
            uow_factory(),
            lead_id,
            by="U1",
            channel=Channel.CALL if kind == "C" else Channel.MAIL,
            outcome="不在" if kind == "C" else "送信",
            acted_at=start + dt.timedelta(hours=index),
        )


# -- schedule --------------------------------------------------------------------------------------


def test_due_only_on_business_mornings_until_the_catch_up_cut_off(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    assert {r.slack_user_id for r in due(uow_factory, jst(FRI))} == {"UMGR", "U1", "U2"}
    assert due(uow_factory, jst(FRI, 8, 59)) == []
    assert len(due(uow_factory, jst(FRI, 14, 59))) == 3  # a bot started late still sends
    assert due(uow_factory, jst(FRI, 15, 0)) == []  # … until ISOPS_REMIND_CATCHUP_UNTIL
    assert due(uow_factory, jst(FRI + DAY)) == []  # Saturday
    assert due(uow_factory, jst(HOLIDAY_MON)) == []  # 勤労感謝の日
    assert due(uow_factory, jst(dt.date(2026, 12, 29))) == []  # company year-end holiday
    assert {r.business_date for r in due(uow_factory, jst(TUE))} == {TUE}
    # By hand (`isops remind --date`): that date for everyone, at any hour.
    assert len(due(uow_factory, jst(FRI, 23, 0), on=TUE)) == 3


def test_each_member_in_their_own_time_zone(uow_factory: UnitOfWorkFactory) -> None:
    f.member(uow_factory(), "UTOKYO")
    f.member(uow_factory(), "ULA", timezone="America/Los_Angeles")
    # Tokyo's Friday 09:00 is Thursday 16:00 in Los Angeles: not yet.
    assert [r.slack_user_id for r in due(uow_factory, jst(FRI_27))] == ["UTOKYO"]
    # Los Angeles' Friday 09:00 is Tokyo's Saturday 02:00: due, for Friday.
    la_morning = dt.datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
    (recipient,) = due(uow_factory, la_morning.astimezone(dt.UTC))
    assert (recipient.slack_user_id, recipient.business_date) == ("ULA", FRI_27)


def test_time_zones_from_slack_are_stored_once(uow_factory: UnitOfWorkFactory) -> None:
    f.member(uow_factory(), "U1")
    f.member(uow_factory(), "U2", timezone="Asia/Tokyo")
    assert reminders.members_without_timezone(uow_factory()) == ["U1"]
    zones = {"U1": "Europe/London", "U2": "America/New_York", "U3": "Not/AZone"}
    assert reminders.record_timezones(uow_factory(), zones=zones) == 1
    assert reminders.members_without_timezone(uow_factory()) == []


# -- the rep's sections ----------------------------------------------------------------------------


def test_inbound_deadlines_follow_the_cut_off(uow_factory: UnitOfWorkFactory) -> None:
    team(uow_factory)
    thu = FRI_27 - DAY
    late = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(thu, 17, 59))
    after_cutoff = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(thu, 18, 0))
    this_morning = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(FRI_27, 8, 0))
    approached = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(thu, 18, 30))
    touches(uow_factory, approached, "C", jst(thu, 19, 0))
    outbound = f.lead(uow_factory(), owner="U1", cv_at=jst(thu, 19, 0))

    morning = digest(uow_factory, "U1", jst(FRI_27))
    assert [x.lead_id for x in morning.rep.inbound.items] == [late, after_cutoff, this_morning]
    assert [x.inbound_deadline for x in morning.rep.inbound.items] == [thu, FRI_27, FRI_27]
    # A lead shows in one section only: inbound ones are not repeated under 5C2M.
    five = [x.lead_id for x in morning.rep.five_c2m.items]
    assert outbound in five and approached in five and late not in five

    # In the evening a lead that came after today's cut-off is due Monday, not today.
    evening_lead = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(FRI_27, 18, 30))
    evening = digest(uow_factory, "U1", jst(FRI_27, 19, 0))
    assert evening_lead not in [x.lead_id for x in evening.rep.inbound.items]
    monday = digest(uow_factory, "U1", jst(FRI_27 + 3 * DAY))
    line = next(x for x in monday.rep.inbound.items if x.lead_id == evening_lead)
    assert line.inbound_deadline == FRI_27 + 3 * DAY


def test_friday_before_a_holiday_monday_covers_the_days_off(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    dates = {
        "fri": FRI,
        "sat": FRI + DAY,
        "holiday": HOLIDAY_MON,
        "tue": TUE,
        "before": FRI - 2 * DAY,
    }
    leads = {
        name: f.lead(uow_factory(), owner="U1", status=3, priority=1, next_action_date=day)
        for name, day in dates.items()
    }
    friday = digest(uow_factory, "U1", jst(FRI))
    assert [x.lead_id for x in friday.rep.focus_due.items] == [
        leads["fri"],
        leads["sat"],
        leads["holiday"],
    ]
    assert [x.lead_id for x in friday.rep.overdue.items] == [leads["before"]]
    tuesday = digest(uow_factory, "U1", jst(TUE))
    assert [x.lead_id for x in tuesday.rep.focus_due.items] == [leads["tue"]]
    assert tuesday.rep.overdue.total == 4


def test_5c2m_order_label_and_a_lead_that_completes_it(uow_factory: UnitOfWorkFactory) -> None:
    team(uow_factory)
    now = jst(FRI_27)
    fresh = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 2 * DAY)
    touches(uow_factory, fresh, "C", now - 2 * DAY)
    early_done = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 5 * DAY)
    touches(uow_factory, early_done, "CCCMM", now - 5 * DAY)
    older = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 10 * DAY)
    touches(uow_factory, older, "CC", now - 10 * DAY)
    oldest = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 30 * DAY)
    touches(uow_factory, oldest, "CCCCM", now - 30 * DAY)
    f.lead(uow_factory(), owner="U1", status=3, cv_at=now - 3 * DAY)  # connected: not 5C2M
    f.lead(uow_factory(), owner="U1", status=5, cv_at=now - 3 * DAY)  # meeting: closed
    f.lead(uow_factory(), owner="U2", status=2, cv_at=now - 3 * DAY)  # someone else's

    five = digest(uow_factory, "U1", now).rep.five_c2m
    # Inside the 7-day window and short of 5 actions first; then the freshest.
    assert [x.lead_id for x in five.items] == [fresh, early_done, older, oldest]
    assert five.items[0].early_behind and not five.items[1].early_behind
    last = five.items[-1]
    assert last.progress.label() == "架電 4/5・メール 1/2"
    assert last.progress.next_channel() is Channel.MAIL
    assert last.days_since_cv == 30

    touches(uow_factory, oldest, "CM", now - DAY)  # now 📞5/5 ✉️2/2
    five = digest(uow_factory, "U1", now).rep.five_c2m
    assert oldest not in [x.lead_id for x in five.items]
    assert five.total == 3


def test_returned_decisions_show_the_reason_until_the_rep_acts(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    now = jst(FRI_27)
    lead_id = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 10 * DAY)
    touches(uow_factory, lead_id, "CC", now - 10 * DAY)
    f.returned_review(
        uow_factory(),
        lead_id,
        by="U1",
        manager="UMGR",
        reason="課長宛てに事例を送ってから判断しよう",
        decided_at=now - 20 * dt.timedelta(hours=1),
    )
    pending_lead = f.lead(uow_factory(), owner="U1", status=2, cv_at=now - 10 * DAY)
    f.review(uow_factory(), pending_lead, by="U1")

    rep = digest(uow_factory, "U1", now).rep
    (returned,) = rep.returned
    assert returned.lead_id == lead_id
    assert returned.return_reason == "課長宛てに事例を送ってから判断しよう"
    assert returned.returned_by == "山田"
    assert lead_id not in [x.lead_id for x in rep.five_c2m.items]  # listed once, under ↩️
    # A pending review (承認待ち) leaves the lists and is only counted.
    assert pending_lead not in [x.lead_id for x in rep.five_c2m.items]
    assert rep.awaiting_review == 1

    touches(uow_factory, lead_id, "M", now - dt.timedelta(hours=1))
    rep = digest(uow_factory, "U1", now).rep
    assert rep.returned == ()
    assert lead_id in [x.lead_id for x in rep.five_c2m.items]


def test_focus_overdue_and_hygiene(uow_factory: UnitOfWorkFactory) -> None:
    team(uow_factory)
    today = FRI_27
    overdue = f.lead(uow_factory(), owner="U1", status=3, priority=1, next_action_date=today - DAY)
    no_date = f.lead(uow_factory(), owner="U1", status=3, priority=1)
    too_far = f.lead(
        uow_factory(), owner="U1", status=3, priority=1, next_action_date=today + 61 * DAY
    )
    f.lead(uow_factory(), owner="U1", status=3, priority=1, next_action_date=today + 60 * DAY)
    f.lead(uow_factory(), owner="U1", status=3, priority=2, next_action_date=today - DAY)
    f.lead(uow_factory(), owner="U1", status=3)  # non-focus without a date: fine
    rep = digest(uow_factory, "U1", jst(today)).rep
    assert [x.lead_id for x in rep.overdue.items] == [overdue]
    assert [x.lead_id for x in rep.hygiene.items] == [no_date, too_far]
    assert rep.focus_due.total == 0 and rep.five_c2m.total == 0


def test_nothing_to_do_is_an_empty_digest(uow_factory: UnitOfWorkFactory) -> None:
    team(uow_factory)
    f.lead(uow_factory(), owner="U1", status=5, priority=1)
    f.lead(uow_factory(), owner="U1", status=3, priority=1, next_action_date=FRI_27 + 7 * DAY)
    assert digest(uow_factory, "U1", jst(FRI_27)).is_empty
    assert digest(uow_factory, "U2", jst(FRI_27)).is_empty


# -- the manager's part ----------------------------------------------------------------------------


def test_manager_sees_reviews_figures_and_away_reps_hot_leads(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    today, thu, wed = FRI_27, FRI_27 - DAY, FRI_27 - 2 * DAY
    set_away(uow_factory(), slack_user_id="U2", start_date=today, end_date=today + 3 * DAY)
    # Away rep's hot leads.
    waiting = f.lead(uow_factory(), owner="U2", inbound=True, cv_at=jst(thu, 19, 0))
    focus = f.lead(uow_factory(), owner="U2", status=3, priority=1, next_action_date=today)
    # Reviews waiting: the oldest is named.
    old = f.lead(uow_factory(), owner="U1", status=2, company="株式会社古い")
    f.review(uow_factory(), old, by="U1")
    with uow_factory() as uow:
        from isops.models import NoActionReview

        first = uow.session.scalars(select(NoActionReview)).one()
        first.created_at = jst(wed)
        uow.commit()
    newer = f.lead(uow_factory(), owner="U2", status=2)
    f.review(uow_factory(), newer, by="U2")
    # Yesterday's inbound: due Thursday, one approached the same day, one not.
    on_time = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(wed, 18, 30))
    touches(uow_factory, on_time, "C", jst(thu, 10, 0))
    f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(thu, 11, 0))
    f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(wed, 11, 0))  # due Wednesday
    # Leads whose 7-day window ended on Thursday: one reached 5 actions, one did not.
    reached = f.lead(uow_factory(), owner="U1", status=2, cv_at=jst(thu, 8, 0) - 7 * DAY)
    touches(uow_factory, reached, "CCCMM", jst(thu, 9, 0) - 7 * DAY)
    f.lead(uow_factory(), owner="U1", status=2, cv_at=jst(thu, 10, 0) - 7 * DAY)
    # Overdue items per rep.
    for _ in range(3):
        f.lead(uow_factory(), owner="U1", status=3, priority=1, next_action_date=today - 5 * DAY)

    assert {r.slack_user_id for r in due(uow_factory, jst(today))} == {"UMGR", "U1"}
    manager = digest(uow_factory, "UMGR", jst(today)).manager
    assert manager is not None and manager.team_size == 2
    assert manager.pending.count == 2
    assert (manager.pending.oldest_company, manager.pending.oldest_rep) == ("株式会社古い", "佐藤")
    figures = manager.figures
    assert figures.day == thu
    assert (figures.inbound_on_time, figures.inbound_due) == (1, 2)
    assert (figures.early_reached, figures.early_due) == (1, 2)
    # 佐藤: 3 focus overdue + the inbound leads due Wednesday and Thursday still waiting;
    # 鈴木's inbound lead is due today, so not overdue yet.
    assert [(o.name, o.count) for o in figures.most_overdue] == [("佐藤", 5)]
    (away,) = manager.away
    assert (away.name, away.until) == ("鈴木", today + 3 * DAY)
    assert [x.lead_id for x in away.inbound.items] == [waiting]
    assert [x.lead_id for x in away.focus_due.items] == [focus]
    # A rep manages no one: no manager part.
    assert digest(uow_factory, "U1", jst(today)).manager is None


# -- cost ------------------------------------------------------------------------------------------


def _fill(uow_factory: UnitOfWorkFactory, per_rep: int) -> None:
    now = jst(FRI_27)
    for rep in ("U1", "U2"):
        for i in range(per_rep):
            kind = i % 5
            lead_id = f.lead(
                uow_factory(),
                owner=rep,
                status=[1, 2, 3, 3, 5][kind],
                priority=1 if kind in (2, 3) else None,
                next_action_date=FRI_27 - (i % 3) * DAY if kind == 2 else None,
                inbound=kind == 0,
                cv_at=now - (i % 9) * DAY,
                # Half the leads have an industry with a case to talk from (issue 14).
                industry="製造" if i % 2 else None,
            )
            if kind == 1:
                touches(uow_factory, lead_id, "CM", now - DAY)


def test_statements_do_not_grow_with_the_number_of_leads(
    engine: Engine, uow_factory: UnitOfWorkFactory
) -> None:
    team(uow_factory)
    set_away(uow_factory(), slack_user_id="U2", start_date=FRI_27, end_date=FRI_27)
    f.member(uow_factory(), "U3", manager="UMGR")
    add_case(uow_factory(), "製造")

    def run() -> tuple[int, int]:
        recipients = due(uow_factory, jst(FRI_27))
        with f.sql_statements(engine) as statements:
            digests = compute_digests(
                uow_factory(),
                recipients=recipients,
                now=jst(FRI_27),
                settings=SETTINGS,
                calendar=CAL,
            )
        assert any(d.cases for d in digests)
        return len(statements), sum(d.rep.five_c2m.total + d.rep.inbound.total for d in digests)

    _fill(uow_factory, 5)
    few_statements, few_items = run()
    _fill(uow_factory, 40)
    many_statements, many_items = run()
    assert many_items > few_items > 0
    assert many_statements == few_statements


# -- the case to talk from (issue 14) --------------------------------------------------------------


def add_case(uow: UnitOfWork, industry: str, role: RoleLevel | None = None) -> int:
    draft = CaseDraft(
        title=f"{industry}の事例",
        industry=industry,
        role_level=role,
        chains=(ChainDraft("受注率が低い", "録画", benefit="受注率の向上", figures="+8pt"),),
    )
    return create_case(uow, slack_user_id="UMGR", draft=draft).case.id


def test_listed_leads_carry_their_case_by_industry_then_role(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    add_case(uow_factory(), "製造")
    manager_case = add_case(uow_factory(), "製造", RoleLevel.MANAGER)
    retail_case = add_case(uow_factory(), "小売")
    now = jst(FRI_27)
    fits = f.lead(
        uow_factory(), owner="U1", inbound=True, industry="製造", role_level=RoleLevel.MANAGER
    )
    other = f.lead(uow_factory(), owner="U1", inbound=True, industry="金融")
    bare = f.lead(uow_factory(), owner="U1", inbound=True)
    returned = f.lead(uow_factory(), owner="U1", status=3, industry="小売", cv_at=now - 3 * DAY)
    f.returned_review(
        uow_factory(), returned, by="U1", manager="UMGR", reason="予算は来期", decided_at=now - DAY
    )
    found = digest(uow_factory, "U1", now)
    listed = {line.lead_id for line in found.rep.inbound.items}
    assert {fits, other, bare} <= listed
    assert found.cases[fits].case_id == manager_case
    assert found.cases[fits].explanation == "業種・役職が一致"
    assert other not in found.cases and bare not in found.cases
    assert [d.lead_id for d in found.rep.returned] == [returned]
    assert found.cases[returned].case_id == retail_case


# -- overdue pile-ups ------------------------------------------------------------------------------


def test_overdue_dates_are_spread_over_business_days(uow_factory: UnitOfWorkFactory) -> None:
    team(uow_factory)
    today = TUE  # 11/24, the day after a holiday Monday
    mine = [
        f.lead(
            uow_factory(),
            owner="U1",
            status=3,
            priority=1,
            next_action_date=today - (20 - i) * DAY,
        )
        for i in range(12)
    ]
    others = f.lead(uow_factory(), owner="U2", status=3, priority=1, next_action_date=today - DAY)
    not_focus = f.lead(uow_factory(), owner="U1", status=3, priority=2, next_action_date=FRI)
    closed = f.lead(uow_factory(), owner="U1", status=5, priority=1, next_action_date=FRI)

    import time_machine

    with time_machine.travel(jst(today, 9, 5), tick=False):
        result = reschedule_overdue(uow_factory(), slack_user_id="U1", calendar=CAL)
        assert (result.moved, result.per_day) == (12, 5)
        assert (result.first_date, result.last_date) == (today, today + 2 * DAY)
        with uow_factory() as uow:
            dates = dict(uow.session.execute(select(Lead.id, Lead.next_action_date)).all())
            history = uow.session.scalars(
                select(LeadHistory).where(LeadHistory.field == "next_action_date")
            ).all()
        # The most overdue first, five per business day.
        assert [dates[i] for i in mine] == [today] * 5 + [today + DAY] * 5 + [today + 2 * DAY] * 2
        assert dates[others] == today - DAY
        assert dates[not_focus] == FRI and dates[closed] == FRI
        assert len(history) == 12
        # Clicking again moves nothing.
        assert reschedule_overdue(uow_factory(), slack_user_id="U1", calendar=CAL).moved == 0


# -- "approached" (issue 13): a status past 1 counts, not only touches logged in isops ---------


def test_a_lead_the_crm_had_as_approached_is_not_waiting_for_a_first_approach(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    today, wed = FRI_27, FRI_27 - 2 * DAY
    # Imported from the CRM as 未接続 (2) / 接続済 (3), approached before isops: no touch logged.
    imported = f.lead(uow_factory(), owner="U1", inbound=True, status=2, cv_at=jst(wed, 10))
    connected = f.lead(uow_factory(), owner="U1", inbound=True, status=3, cv_at=jst(wed, 11))
    focus = f.lead(
        uow_factory(),
        owner="U1",
        inbound=True,
        status=2,
        priority=1,
        next_action_date=today,
        cv_at=jst(wed, 12),
    )
    waiting = f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(wed, 13))

    rep = digest(uow_factory, "U1", jst(today)).rep
    assert [x.lead_id for x in rep.inbound.items] == [waiting]
    assert imported in [x.lead_id for x in rep.five_c2m.items]  # 🔁, with 📞0/5 ✉️0/2
    assert connected not in [x.lead_id for x in rep.five_c2m.items]  # connected: no 5C2M
    assert [x.lead_id for x in rep.focus_due.items] == [focus]  # 📅, not 🔥

    manager = digest(uow_factory, "UMGR", jst(today)).manager
    assert manager is not None
    # Only the lead nobody approached is overdue (due Wednesday).
    assert [(o.name, o.count) for o in manager.figures.most_overdue] == [("佐藤", 1)]


def test_the_same_day_figure_takes_the_crm_status_when_no_touch_is_logged(
    uow_factory: UnitOfWorkFactory,
) -> None:
    team(uow_factory)
    thu = FRI_27 - DAY
    f.lead(uow_factory(), owner="U1", inbound=True, status=2, cv_at=jst(thu, 10))
    f.lead(uow_factory(), owner="U1", inbound=True, cv_at=jst(thu, 11))
    late = f.lead(uow_factory(), owner="U1", inbound=True, status=2, cv_at=jst(thu, 12))
    touches(uow_factory, late, "C", jst(FRI_27, 8))  # logged after the deadline: its time counts
    manager = digest(uow_factory, "UMGR", jst(FRI_27)).manager
    assert manager is not None
    assert (manager.figures.inbound_on_time, manager.figures.inbound_due) == (1, 3)


# -- a date chosen by hand (issue 15) --------------------------------------------------------------


def test_a_date_by_hand_is_computed_as_of_that_morning_not_the_clock(
    uow_factory: UnitOfWorkFactory,
) -> None:
    import time_machine

    f.member(uow_factory(), "U1")
    f.member(uow_factory(), "ULA", timezone="America/Los_Angeles")
    fresh = f.lead(uow_factory(), owner="U1", status=2, cv_at=jst(FRI_27 - 2 * DAY, 10))
    touches(uow_factory, fresh, "C", jst(FRI_27 - 2 * DAY, 11))
    la_fresh = f.lead(uow_factory(), owner="ULA", status=2, cv_at=jst(FRI_27 - 7 * DAY, 20))
    far_away = dt.datetime(2027, 6, 14, 3, 0, tzinfo=dt.UTC)
    with time_machine.travel(far_away, tick=False):
        recipients = due(uow_factory, far_away, on=FRI_27)
        by_user = {r.slack_user_id: r for r in recipients}
        assert by_user["U1"].as_of == jst(FRI_27)  # 09:00 in Tokyo
        la_morning = dt.datetime(2026, 11, 27, 9, 0, tzinfo=ZoneInfo("America/Los_Angeles"))
        assert by_user["ULA"].as_of == la_morning.astimezone(dt.UTC)
        digests = {
            d.slack_user_id: d
            for d in compute_digests(
                uow_factory(), recipients=recipients, now=far_away, settings=SETTINGS, calendar=CAL
            )
        }
    (line,) = digests["U1"].rep.five_c2m.items
    assert (line.lead_id, line.days_since_cv, line.in_early_window) == (fresh, 2, True)
    assert line.early_behind  # ⚡ 1/5 within 7 days of CV, as it was that morning
    # The member's own morning: Los Angeles' Friday 09:00 is 7 days 6 hours after this CV,
    # outside the window (Tokyo's 09:00 would be 6 days 13 hours, inside).
    (la_line,) = digests["ULA"].rep.five_c2m.items
    assert la_line.lead_id == la_fresh and not la_line.in_early_window
