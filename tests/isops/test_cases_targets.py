"""Target lists from a case (article ②) and the weekly case post, without Slack."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from sqlalchemy import select

from isops.case_vocabulary import CompanySize
from isops.enums import Priority, Role, RoleLevel
from isops.errors import Conflict, NotAllowed
from isops.models import Case, Lead, Notification
from isops.services.case_drafts import CaseDraft, ChainDraft
from isops.services.cases import create_case
from isops.services.cases_sharing import (
    first_business_day_of_week,
    queue_weekly_case,
    share_key,
    share_slot,
)
from isops.services.cases_targets import (
    KIND_CASE_TARGETS,
    TargetsView,
    focus_date,
    focus_lead,
    send_targets,
    targets_view,
)
from isops.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests import factories
from tests.factories import CALENDAR, jst

FRI = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)  # Friday 10:00 in Tokyo
CV = dt.datetime(2026, 11, 20, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    factories.member(uow_factory(), "UM1", role=Role.MANAGER, name="山田")
    factories.member(uow_factory(), "UR1", manager="UM1", name="佐藤")
    factories.member(uow_factory(), "UR2", manager="UM1", name="鈴木")
    factories.member(uow_factory(), "UM2", role=Role.MANAGER, name="別チーム")
    return uow_factory


def _case(
    uow: UnitOfWork,
    industry: str = "製造",
    role: RoleLevel | None = RoleLevel.MANAGER,
    size: CompanySize | None = CompanySize.MID,
    title: str = "製造業の受注率改善",
) -> int:
    return create_case(
        uow,
        slack_user_id="UM1",
        draft=CaseDraft(
            title=title,
            industry=industry,
            role_level=role,
            company_size=size,
            chains=(ChainDraft("受注率が低い", "録画", benefit="受注率の向上"),),
        ),
    ).case.id


def _lead(
    uow: UnitOfWork,
    *,
    owner: str = "UR1",
    industry: str | None = "製造",
    role: RoleLevel | None = RoleLevel.MANAGER,
    size: CompanySize | None = CompanySize.MID,
    status: int = 1,
    priority: int | None = None,
    next_action_date: dt.date | None = None,
    cv_days: int = 0,
    touched: bool = False,
) -> int:
    lead_id = factories.lead(
        uow,
        owner=owner,
        status=status,
        priority=priority,
        next_action_date=next_action_date,
        cv_at=CV + dt.timedelta(days=cv_days),
        industry=industry,
        role_level=role,
        company_size=size,
    )
    if touched:
        factories.action(uow, lead_id, by=owner, acted_at=CV + dt.timedelta(days=cv_days, hours=1))
    return lead_id


def _focus(team: UnitOfWorkFactory, lead_id: int, case_id: int, by: str = "UR1") -> TargetsView:
    """`by` makes the lead a focus lead from the case's target list (within 60 days)."""
    return focus_lead(
        team(),
        slack_user_id=by,
        lead_id=lead_id,
        case_id=case_id,
        rep_member_id=None,
        calendar=CALENDAR,
        focus_max_days=60,
    )


def test_the_list_is_exactly_the_reps_fitting_leads_needing_work_newest_first(
    team: UnitOfWorkFactory,
) -> None:
    case_id = _case(team())
    fits_old = _lead(team(), cv_days=0)
    fits_new = _lead(team(), industry=" 製造 ", cv_days=2)  # folded like the case
    fits_focus_untouched = _lead(team(), priority=Priority.FOCUS, cv_days=1)
    fits_non_focus_touched = _lead(team(), status=3, priority=Priority.NON_FOCUS, touched=True)
    _lead(team(), status=2, priority=Priority.FOCUS, touched=True)  # focus and approached
    _lead(team(), industry="金融")
    _lead(team(), role=RoleLevel.STAFF)
    _lead(team(), size=CompanySize.LARGE)
    _lead(team(), role=None)  # unknown level: does not fit a case that sets one
    _lead(team(), industry=None)
    _lead(team(), status=5)  # closed
    _lead(team(), owner="UR2")  # a colleague's
    view = targets_view(team(), slack_user_id="UR1", case_id=case_id)
    assert [lead.id for lead in view.leads] == [
        fits_new,
        fits_focus_untouched,
        fits_non_focus_touched,  # the same CV as fits_old: the higher id first
        fits_old,
    ]
    assert view.total == 4 and view.rep.slack_user_id == "UR1" and not view.may_send
    assert [r.slack_user_id for r in view.reps] == ["UR1"]
    assert [c.id for c in view.cases] == [case_id]


def test_a_case_without_role_or_size_fits_any(team: UnitOfWorkFactory) -> None:
    case_id = _case(team(), role=None, size=None)
    a = _lead(team(), role=None, size=None)
    b = _lead(team(), role=RoleLevel.EXECUTIVE, size=CompanySize.ENTERPRISE, cv_days=1)
    view = targets_view(team(), slack_user_id="UR1", case_id=case_id)
    assert [lead.id for lead in view.leads] == [b, a]


def test_a_manager_sees_team_members_lists_only(team: UnitOfWorkFactory) -> None:
    case_id = _case(team())
    mine = _lead(team(), owner="UR2")
    with team() as uow:
        rep2 = uow.session.execute(select(Lead.owner_id).where(Lead.id == mine)).scalar_one()
    view = targets_view(team(), slack_user_id="UM1", case_id=case_id, rep_member_id=rep2)
    assert [lead.id for lead in view.leads] == [mine] and view.may_send
    assert {r.slack_user_id for r in view.reps} == {"UM1", "UR1", "UR2"}
    with pytest.raises(NotAllowed):
        targets_view(team(), slack_user_id="UM2", case_id=case_id, rep_member_id=rep2)
    with pytest.raises(NotAllowed):
        targets_view(team(), slack_user_id="UR1", case_id=case_id, rep_member_id=rep2)


def test_a_query_picks_the_one_matching_case(team: UnitOfWorkFactory) -> None:
    case_id = _case(team(), title="製造業の受注率改善")
    _case(team(), title="IT の立ち上げ", industry="IT")
    assert targets_view(team(), slack_user_id="UR1", query="ｼﾞｭﾁｭｳ").case is None  # no hit
    found = targets_view(team(), slack_user_id="UR1", query="製造業").case
    assert found is not None and found.id == case_id
    assert targets_view(team(), slack_user_id="UR1", query="の").case is None  # two hits


def test_focus_date_stays_inside_rule_5() -> None:
    today = dt.date(2026, 11, 27)  # Friday
    assert focus_date(None, today=today, calendar=CALENDAR, max_days=60) == dt.date(2026, 11, 30)
    kept = dt.date(2026, 12, 10)
    assert focus_date(kept, today=today, calendar=CALENDAR, max_days=60) == kept
    far = dt.date(2027, 3, 1)
    assert focus_date(far, today=today, calendar=CALENDAR, max_days=60) == dt.date(2026, 11, 30)
    past = dt.date(2026, 11, 1)
    assert focus_date(past, today=today, calendar=CALENDAR, max_days=60) == dt.date(2026, 11, 30)
    # Before the year-end holidays the next business day is beyond a 1-day window.
    assert focus_date(None, today=dt.date(2026, 12, 28), calendar=CALENDAR, max_days=1) == dt.date(
        2026, 12, 28
    )


def test_focus_sets_priority_and_date_with_history(team: UnitOfWorkFactory) -> None:
    case_id = _case(team())
    lead_id = _lead(team(), priority=Priority.NON_FOCUS)
    with time_machine.travel(FRI, tick=False):
        view = _focus(team, lead_id, case_id)
    assert view.notice is not None and view.notice.startswith("✅ 株式会社テスト")
    assert view.notice.endswith("を注力リードにしました (次回活動予定日 11/30(月))")
    with team() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        assert (lead.priority, lead.next_action_date) == (Priority.FOCUS, dt.date(2026, 11, 30))
    assert factories.history(team, lead_id) == [
        ("priority", "2", "1", "ターゲットリスト (事例: 製造業の受注率改善)"),
        ("next_action_date", None, "2026-11-30", "ターゲットリスト (事例: 製造業の受注率改善)"),
    ]
    # Not yet approached: still on the list, now as a focus lead.
    assert [lead.id for lead in view.leads] == [lead_id]
    assert view.leads[0].priority == Priority.FOCUS


def test_focus_is_for_the_owner_or_the_owners_manager(team: UnitOfWorkFactory) -> None:
    case_id = _case(team())
    lead_id = _lead(team(), owner="UR2")

    with pytest.raises(NotAllowed):
        _focus(team, lead_id, case_id, by="UR1")
    with pytest.raises(NotAllowed):
        _focus(team, lead_id, case_id, by="UM2")
    _focus(team, lead_id, case_id, by="UM1")
    closed = _lead(team(), status=5)
    with pytest.raises(Conflict, match="対応中ではありません"):
        _focus(team, closed, case_id)


def test_a_manager_sends_a_list_once_a_day(team: UnitOfWorkFactory) -> None:
    case_id = _case(team())
    view = targets_view(team(), slack_user_id="UM1", case_id=case_id)
    rep = next(r for r in view.reps if r.slack_user_id == "UR2")
    with time_machine.travel(FRI, tick=False):
        first = send_targets(
            team(), slack_user_id="UM1", case_id=case_id, rep_member_id=rep.id, calendar=CALENDAR
        )
        again = send_targets(
            team(), slack_user_id="UM1", case_id=case_id, rep_member_id=rep.id, calendar=CALENDAR
        )
        with pytest.raises(NotAllowed, match="マネージャーと管理者"):
            send_targets(
                team(),
                slack_user_id="UR1",
                case_id=case_id,
                rep_member_id=rep.id,
                calendar=CALENDAR,
            )
    assert (first.rep_name, first.already_sent, again.already_sent) == ("鈴木", False, True)
    with team() as uow:
        rows = uow.session.execute(select(Notification.kind, Notification.payload)).all()
    assert rows == [
        (
            KIND_CASE_TARGETS,
            {"case_id": case_id, "member_id": rep.id, "slack_user_id": "UR2", "sent_by": "山田"},
        )
    ]


# -- the weekly post ---------------------------------------------------------------------------------


def test_the_first_business_day_of_the_week() -> None:
    assert first_business_day_of_week(dt.date(2026, 12, 4), CALENDAR) == dt.date(2026, 11, 30)
    # 2026-11-23 is 勤労感謝の日 (a Monday holiday): that week starts on Tuesday.
    assert first_business_day_of_week(dt.date(2026, 11, 27), CALENDAR) == dt.date(2026, 11, 24)
    assert first_business_day_of_week(dt.date(2027, 1, 6), CALENDAR) == dt.date(2027, 1, 4)
    assert share_key(dt.date(2026, 11, 30)) == "case-share:2026-W49"
    assert share_key(dt.date(2027, 1, 1)) == "case-share:2026-W53"


def test_the_slot_is_the_first_business_morning_only() -> None:
    times = {"calendar": CALENDAR, "remind_at": dt.time(9), "catchup_until": dt.time(15)}
    monday = dt.date(2026, 11, 30)
    slot = share_slot(jst(monday), **times)  # type: ignore[arg-type]
    assert slot is not None and slot.key == "case-share:2026-W49"
    assert slot.expires_at == jst(monday, 15)
    assert share_slot(jst(monday, 8, 59), **times) is None  # type: ignore[arg-type]
    assert share_slot(jst(monday, 15), **times) is None  # type: ignore[arg-type]
    assert share_slot(jst(dt.date(2026, 12, 1)), **times) is None  # type: ignore[arg-type]


def test_one_case_a_week_least_recently_shown_first(team: UnitOfWorkFactory) -> None:
    first = _case(team(), title="A")
    second = _case(team(), title="B")
    options = {
        "channel": "C0CASES",
        "calendar": CALENDAR,
        "remind_at": dt.time(9),
        "catchup_until": dt.time(15),
    }
    week1, week2, week3 = dt.date(2026, 11, 30), dt.date(2026, 12, 7), dt.date(2026, 12, 14)
    queued = queue_weekly_case(team(), now=jst(week1), **options)  # type: ignore[arg-type]
    assert queued is not None and (queued.stored, queued.case_id) == (True, first)
    again = queue_weekly_case(team(), now=jst(week1, 9, 15), **options)  # type: ignore[arg-type]
    assert again is not None and (again.stored, again.case_id) == (False, None)
    assert queue_weekly_case(team(), now=jst(week1 + dt.timedelta(days=1)), **options) is None  # type: ignore[arg-type]
    assert queue_weekly_case(team(), now=jst(week2), **options).case_id == second  # type: ignore[arg-type, union-attr]
    assert queue_weekly_case(team(), now=jst(week3), **options).case_id == first  # type: ignore[arg-type, union-attr]
    with team() as uow:
        keys = uow.session.scalars(select(Notification.delivery_key).order_by(Notification.id))
        assert list(keys) == ["case-share:2026-W49", "case-share:2026-W50", "case-share:2026-W51"]
        shared = dict(uow.session.execute(select(Case.id, Case.last_shared_at)).all())
    assert shared == {first: jst(week3), second: jst(week2)}
