"""The five reports (a–e) on a generated team, each compared with an independent computation
in Python from the raw rows (leads, actions, reviews) — not the service's query — and the
scope: a manager their team, a rep themself, an admin everyone, a forged member nothing."""

from __future__ import annotations

import csv
import datetime as dt
import io
import random
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.enums import Channel, ReviewState, Role
from isops.errors import InvalidInput, NotAllowed
from isops.models import Action, Lead, Member, NoActionReview
from isops.rules import Targets
from isops.services.counters import apply_action_to_lead
from isops.services.reports import CSV_HEADERS, build_report, write_report_csv
from isops.settings import Settings
from isops.text import lead_search_text
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

TOKYO = ZoneInfo("Asia/Tokyo")
DAY = dt.date(2026, 12, 2)  # a Wednesday
AS_OF = dt.datetime(2026, 12, 2, 9, 0, tzinfo=TOKYO).astimezone(dt.UTC)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(AS_OF + dt.timedelta(hours=1), tick=False)


TEAMS = {"UM1": ("UR1", "UR2", "UR3"), "UM2": ("UR4", "UR5")}


@pytest.fixture
def generated(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Two managers' teams and an admin; 160 leads with random fields, actions and reviews
    from a fixed seed."""
    rng = random.Random(13)
    for manager, reps in TEAMS.items():
        factories.member(uow_factory(), manager, role=Role.MANAGER, name=f"マネージャー{manager}")
        for rep in reps:
            factories.member(uow_factory(), rep, manager=manager, name=f"担当{rep}")
    factories.member(uow_factory(), "UA1", role=Role.ADMIN, name="管理者")
    targets = Targets()
    with uow_factory() as uow:
        session = uow.session
        ids = dict(session.execute(select(Member.slack_user_id, Member.id)).all())
        reps = [r for team in TEAMS.values() for r in team]
        for n in range(160):
            cv_at = AS_OF - dt.timedelta(hours=rng.uniform(1, 24 * 25))
            status = rng.choice([1, 1, 2, 2, 3, 4, 5, 6])
            priority = rng.choice([None, 1, 1, 2])
            next_date = (
                None if rng.random() < 0.25 else DAY + dt.timedelta(days=rng.randint(-20, 80))
            )
            owner = rng.choice(reps)
            company = f"株式会社ランダム{n}"
            lead = Lead(
                company=company,
                contact_name="担当者",
                status=status,
                priority=priority,
                next_action_date=next_date,
                cv_at=cv_at,
                source="資料請求",
                inbound=rng.random() < 0.5,
                owner_id=ids[owner],
                search_text=lead_search_text(company, "担当者"),
            )
            session.add(lead)
            session.flush()
            touched = status != 1 or rng.random() < 0.2
            for _ in range(rng.randint(1, 8) if touched else 0):
                acted = cv_at + dt.timedelta(hours=rng.uniform(0.1, 24 * 12))
                if acted > AS_OF:
                    continue
                action = Action(
                    lead_id=lead.id,
                    member_id=ids[owner],
                    channel=rng.choice([Channel.CALL, Channel.MAIL]),
                    outcome="不在",
                    acted_at=acted,
                )
                session.add(action)
                apply_action_to_lead(lead, action, targets)
            if status in (4, 6) and rng.random() < 0.7:
                session.add(_review(lead.id, ids[owner], status, ReviewState.PENDING, None, None))
            elif status in (2, 3) and rng.random() < 0.15:
                decided = AS_OF - dt.timedelta(days=rng.uniform(0.5, 20))
                manager = next(m for m, team in TEAMS.items() if owner in team)
                session.add(
                    _review(lead.id, ids[owner], 4, ReviewState.RETURNED, decided, ids[manager])
                )
        uow.commit()
    return uow_factory


def _review(
    lead_id: int,
    rep: int,
    status: int,
    state: ReviewState,
    decided_at: dt.datetime | None,
    decided_by: int | None,
) -> NoActionReview:
    return NoActionReview(
        lead_id=lead_id,
        requested_by_id=rep,
        requested_status=status,
        previous_status=2,
        reason_code="対象外",
        memo="メモ",
        state=state,
        decided_at=decided_at,
        decided_by_id=decided_by,
        return_reason="追う価値あり" if state is ReviewState.RETURNED else None,
        created_at=(decided_at or AS_OF) - dt.timedelta(hours=3),
    )


def expected(
    uow_factory: UnitOfWorkFactory, key: str, owners: set[str], calendar: BusinessCalendar
) -> set[int]:
    """The report's leads computed in Python from the rows, by DOMAIN.md's definitions."""
    with uow_factory() as uow:
        s = uow.session
        uid = dict(s.execute(select(Member.id, Member.slack_user_id)).all())
        leads = [lead for lead in s.scalars(select(Lead)) if uid.get(lead.owner_id) in owners]
        actions: dict[int, list[Action]] = {}
        for action in s.scalars(select(Action)):
            actions.setdefault(action.lead_id, []).append(action)
        reviews = list(s.scalars(select(NoActionReview)))
        if key == "c":
            return _expected_c(leads, reviews)
        return {
            lead.id for lead in leads if _in_report(key, lead, actions.get(lead.id, []), calendar)
        }


def _in_report(key: str, lead: Lead, touches: list[Action], calendar: BusinessCalendar) -> bool:
    focus = lead.status in (1, 2, 3) and lead.priority == 1 and lead.next_action_date is not None
    if key == "a":
        deadline = calendar.inbound_deadline(lead.cv_at, dt.time(18))
        return lead.inbound and lead.status == 1 and not touches and deadline < DAY
    if key == "b":
        return focus and lead.next_action_date is not None and lead.next_action_date <= DAY
    if key == "e":
        return (
            focus
            and lead.next_action_date is not None
            and DAY < lead.next_action_date <= DAY + dt.timedelta(days=60)
        )
    early = [a for a in touches if lead.cv_at <= a.acted_at <= lead.cv_at + dt.timedelta(days=7)]
    recent = AS_OF - dt.timedelta(days=14) < lead.cv_at <= AS_OF
    return lead.status in (1, 2) and recent and len(early) < 5


def _expected_c(leads: list[Lead], reviews: list[NoActionReview]) -> set[int]:
    mine = {lead.id for lead in leads}
    found: set[int] = set()
    for review in reviews:
        if review.lead_id not in mine:
            continue
        if review.state is ReviewState.PENDING or (
            review.state is ReviewState.RETURNED
            and review.decided_at is not None
            and AS_OF - dt.timedelta(days=14) < review.decided_at <= AS_OF
        ):
            found.add(review.lead_id)
    return found


@pytest.mark.parametrize("key", ["a", "b", "c", "d", "e"])
def test_each_report_lists_exactly_the_right_leads(
    generated: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar, key: str
) -> None:
    team = {"UM1", *TEAMS["UM1"]}
    report = build_report(
        generated(), key=key, day=DAY, settings=settings, calendar=calendar, slack_user_id="UM1"
    )
    listed = {line.lead_id for line in report.lines}
    assert len(listed) == report.total  # no lead twice
    want = expected(generated, key, team, calendar)
    assert want, f"the generated team should have leads for report {key}"
    assert listed == want
    # An admin sees both teams; a rep only their own.
    everyone = build_report(
        generated(), key=key, day=DAY, settings=settings, calendar=calendar, slack_user_id="UA1"
    )
    all_owners = {"UM1", "UM2", *TEAMS["UM1"], *TEAMS["UM2"]}
    assert {line.lead_id for line in everyone.lines} == expected(
        generated, key, all_owners, calendar
    )
    own = build_report(
        generated(), key=key, day=DAY, settings=settings, calendar=calendar, slack_user_id="UR1"
    )
    assert {line.lead_id for line in own.lines} == expected(generated, key, {"UR1"}, calendar)
    # The command line: a manager's team.
    cli = build_report(
        generated(),
        key=key,
        day=DAY,
        settings=settings,
        calendar=calendar,
        manager_slack_user_id="UM2",
    )
    assert {line.lead_id for line in cli.lines} == expected(
        generated, key, {"UM2", *TEAMS["UM2"]}, calendar
    )


def test_a_manager_may_narrow_to_a_rep_of_theirs_only(
    generated: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    narrowed = build_report(
        generated(),
        key="b",
        day=DAY,
        settings=settings,
        calendar=calendar,
        slack_user_id="UM1",
        target_slack_user_id="UR2",
    )
    assert {line.owner_slack_user_id for line in narrowed.lines} <= {"UR2"}
    for forged in ("UR4", "UR1", "UNKNOWN1"):
        caller = "UR2" if forged == "UR1" else "UM1"
        with pytest.raises(NotAllowed):
            build_report(
                generated(),
                key="b",
                day=DAY,
                settings=settings,
                calendar=calendar,
                slack_user_id=caller,
                target_slack_user_id=forged,
            )
    with pytest.raises(InvalidInput):
        build_report(
            generated(), key="z", day=DAY, settings=settings, calendar=calendar, slack_user_id="UM1"
        )


def test_report_c_says_what_was_returned_and_why(
    generated: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    report = build_report(
        generated(), key="c", day=DAY, settings=settings, calendar=calendar, slack_user_id="UA1"
    )
    returned = [line for line in report.lines if line.review_state == "returned"]
    assert returned and all(line.return_reason == "追う価値あり" for line in returned)
    assert all(line.decided_by for line in returned)
    out = io.StringIO()
    assert write_report_csv(report, out, tz=TOKYO) == report.total
    rows = list(csv.reader(io.StringIO(out.getvalue())))
    assert tuple(rows[0]) == CSV_HEADERS
    assert {r[CSV_HEADERS.index("判断の状態")] for r in rows[1:]} == {"承認待ち", "差し戻し"}
