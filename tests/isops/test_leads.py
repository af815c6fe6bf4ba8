"""Lead search for the picker, the log modal's lookup, and registering a lead by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from isops import limits
from isops.calendar import BusinessCalendar
from isops.enums import Outcome, Role
from isops.errors import InvalidInput, NotAllowed, NotFound
from isops.models import IdempotencyKey, Lead, LeadHistory
from isops.rules import QuickDate, Targets
from isops.services.lead_registration import register_lead
from isops.services.leads import LogStart, Urgency, search_leads, start_log
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # Friday 09:00 in Tokyo
TODAY = dt.date(2026, 11, 27)
TARGETS = Targets()
TOKYO = ZoneInfo("Asia/Tokyo")


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """Manager M1 with reps R1 and R2; R9 reports to another manager M2."""
    factories.member(uow_factory(), "M1", role=Role.MANAGER, team="東日本")
    factories.member(uow_factory(), "R1", manager="M1", name="佐藤", team="東日本")
    factories.member(uow_factory(), "R2", manager="M1", name="鈴木", team="東日本")
    factories.member(uow_factory(), "M2", role=Role.MANAGER, team="西日本")
    factories.member(uow_factory(), "R9", manager="M2", name="田中", team="西日本")
    return uow_factory


def _search(uow_factory: UnitOfWorkFactory, user: str, query: str, cal: BusinessCalendar) -> list:  # type: ignore[type-arg]
    return search_leads(
        uow_factory(), slack_user_id=user, query=query, calendar=cal, targets=TARGETS
    )


def test_search_is_partial_and_width_case_kana_insensitive(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    abc = factories.lead(
        team(), owner="R1", company="株式会社ＡＢＣ商事", contact_name="やまだ 太郎"
    )
    kabu = factories.lead(team(), owner="R1", company="ｶﾌﾞｼｷｶﾞｲｼｬ北", contact_name="北川")
    factories.lead(team(), owner="R1", company="別会社", contact_name="佐々木")

    assert [o.id for o in _search(team, "R1", "abc", calendar)] == [abc]
    assert [o.id for o in _search(team, "R1", "ＡＢＣ", calendar)] == [abc]
    assert [o.id for o in _search(team, "R1", "ヤマダ", calendar)] == [abc]  # kana folded
    assert [o.id for o in _search(team, "R1", "かぶしき", calendar)] == [kabu]  # half width
    assert [o.id for o in _search(team, "R1", "商事 太郎", calendar)] == [abc]  # every term
    assert _search(team, "R1", "商事 北川", calendar) == []


def test_like_wildcards_in_the_query_are_literal(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    factories.lead(team(), owner="R1", company="普通の会社")
    percent = factories.lead(team(), owner="R1", company="100%ソリューション")
    assert _search(team, "R1", "%", calendar)[0].id == percent
    assert len(_search(team, "R1", "%", calendar)) == 1
    assert _search(team, "R1", "_", calendar) == []


def test_a_rep_sees_their_own_open_leads_a_manager_their_team(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    own = factories.lead(team(), owner="R1", company="自分のリード")
    colleague = factories.lead(team(), owner="R2", company="同僚のリード")
    other_team = factories.lead(team(), owner="R9", company="他チームのリード")
    factories.lead(team(), owner="R1", company="商談化したリード", status=5)
    approved = factories.lead(team(), owner="R1", company="承認済みの対応不要", status=2)
    with team() as uow:
        uow.session.get_one(Lead, approved).status = 4  # 4 without a pending review
        uow.commit()

    assert {o.id for o in _search(team, "R1", "", calendar)} == {own}
    by_manager = _search(team, "M1", "", calendar)
    assert {o.id for o in by_manager} == {own, colleague}
    assert {o.owner_name for o in by_manager} == {"佐藤", "鈴木"}
    assert {o.id for o in _search(team, "M2", "リード", calendar)} == {other_team}


def test_empty_query_lists_the_most_urgent_first(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    plain = factories.lead(team(), owner="R1", company="D 接続済", status=3)
    behind = factories.lead(team(), owner="R1", company="C 5C2M未完了", status=2)
    pending = factories.lead(team(), owner="R1", company="E 承認待ち", status=2)
    factories.review(team(), pending, by="R1", status=4)
    inbound = factories.lead(team(), owner="R1", company="B インバウンド", inbound=True)
    due = factories.lead(
        team(), owner="R1", company="A 注力期日", status=3, priority=1, next_action_date=TODAY
    )
    found = _search(team, "R1", "", calendar)
    assert [o.id for o in found] == [due, inbound, behind, plain, pending]
    assert [o.urgency for o in found] == [
        Urgency.DUE,
        Urgency.INBOUND_WAITING,
        Urgency.BEHIND_5C2M,
        Urgency.NONE,
        Urgency.PENDING_REVIEW,
    ]
    assert found[-1].pending_review


def test_an_inbound_lead_the_crm_had_as_approached_is_not_waiting(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    imported = factories.lead(team(), owner="R1", company="A 取込済", inbound=True, status=2)
    waiting = factories.lead(team(), owner="R1", company="B 未対応", inbound=True)
    found = _search(team, "R1", "", calendar)
    assert [(o.id, o.urgency) for o in found] == [
        (waiting, Urgency.INBOUND_WAITING),
        (imported, Urgency.BEHIND_5C2M),
    ]
    start = start_log(
        team(), slack_user_id="R1", calendar=calendar, targets=TARGETS, lead_id=imported
    )
    assert start.lead is not None and not start.lead.awaiting_first_approach


def test_unregistered_user_is_told_so(team: UnitOfWorkFactory, calendar: BusinessCalendar) -> None:
    with pytest.raises(NotFound, match="メンバー登録されていません"):
        _search(team, "U404", "", calendar)


def test_start_log_preselects_the_only_match(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    lead_id = factories.lead(
        team(),
        owner="R1",
        company="ユニーク物産",
        priority=1,
        next_action_date=dt.date(2026, 12, 1),
        memo="決裁は部長",
    )
    factories.lead(team(), owner="R1", company="重複商会 A")
    factories.lead(team(), owner="R1", company="重複商会 B")

    one = start_log(
        team(), slack_user_id="R1", query="ゆにーく", calendar=calendar, targets=TARGETS
    )
    assert one.lead is not None and one.lead.id == lead_id
    assert (one.lead.status, one.lead.priority, one.lead.memo) == (1, 1, "決裁は部長")
    assert one.lead.next_action_date == dt.date(2026, 12, 1)

    many = start_log(team(), slack_user_id="R1", query="重複", calendar=calendar, targets=TARGETS)
    assert (many.lead, many.matches) == (None, 2)
    none = start_log(team(), slack_user_id="R1", query="無い", calendar=calendar, targets=TARGETS)
    assert (none.lead, none.matches) == (None, 0)


def test_start_log_by_id_checks_who_asks(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=2)
    factories.review(team(), lead_id, by="R1", status=4)
    start = start_log(
        team(), slack_user_id="M1", lead_id=lead_id, calendar=calendar, targets=TARGETS
    )
    assert start.lead is not None
    # Waiting for review: the modal starts from the status before the request.
    assert (start.lead.status, start.lead.pending_status) == (2, 4)
    assert start.lead.owner_name == "佐藤"
    with pytest.raises(NotAllowed):
        start_log(team(), slack_user_id="R2", lead_id=lead_id, calendar=calendar, targets=TARGETS)
    with pytest.raises(NotAllowed):
        start_log(team(), slack_user_id="M2", lead_id=lead_id, calendar=calendar, targets=TARGETS)
    with pytest.raises(NotFound):
        start_log(team(), slack_user_id="R1", lead_id=99999, calendar=calendar, targets=TARGETS)


# -- /lead ---------------------------------------------------------------------------------------


def _count(uow_factory: UnitOfWorkFactory) -> int:
    with uow_factory() as uow:
        return int(uow.session.scalar(select(func.count()).select_from(Lead)) or 0)


def test_register_lead_creates_it_with_search_text_and_history(team: UnitOfWorkFactory) -> None:
    registration = register_lead(
        team(),
        slack_user_id="R1",
        company="  株式会社ミライ  ",
        contact_name="高橋 花子",
        email="Hanako@Mirai.example",
        source="資料請求",
        inbound_sources=("資料請求", "問い合わせ"),
    )
    assert registration.created and registration.lead.may_log
    with team() as uow:
        lead = uow.session.get_one(Lead, registration.lead.id)
        assert lead.company == "株式会社ミライ"
        assert lead.search_text == "株式会社ミライ|高橋花子"
        assert lead.inbound is True
        assert lead.cv_at == NOW  # defaults to now
        assert lead.status == 1
        history = uow.session.scalars(select(LeadHistory).where(LeadHistory.lead_id == lead.id))
        assert [(h.field, h.new_value) for h in history] == [("owner", "R1")]


def test_duplicate_email_or_name_shows_the_existing_lead(team: UnitOfWorkFactory) -> None:
    first = register_lead(team(), slack_user_id="R1", company="ミライ", email="a@mirai.example")
    same_email = register_lead(team(), slack_user_id="R2", company="別名", email="A@MIRAI.example")
    assert (same_email.created, same_email.duplicate_of) == (False, "email")
    assert same_email.lead.id == first.lead.id
    assert same_email.lead.may_log is False  # R2 may not log R1's lead

    named = register_lead(team(), slack_user_id="R1", company="株式会社ＸＹＺ", contact_name="山田")
    same_name = register_lead(
        team(), slack_user_id="R1", company="株式会社xyz", contact_name="山 田"
    )
    assert (same_name.created, same_name.duplicate_of) == (False, "name")
    assert same_name.lead.id == named.lead.id
    assert _count(team) == 2


def test_the_same_submission_twice_registers_one_lead(team: UnitOfWorkFactory) -> None:
    first = register_lead(team(), slack_user_id="R1", company="一回だけ", idempotency_key="V1")
    again = register_lead(team(), slack_user_id="R1", company="一回だけ", idempotency_key="V1")
    assert again.created and again.lead.id == first.lead.id
    assert _count(team) == 1
    with team() as uow:
        assert uow.session.scalar(select(func.count()).select_from(IdempotencyKey)) == 1


def test_register_lead_rejects_bad_fields_and_saves_nothing(team: UnitOfWorkFactory) -> None:
    with pytest.raises(InvalidInput) as caught:
        register_lead(
            team(),
            slack_user_id="R1",
            company="  ",
            email="not-an-email",
            phone="abc",
            cv_at=NOW + dt.timedelta(days=1, minutes=1),  # past limits.CV_AT_AHEAD
        )
    assert set(caught.value.field_errors) == {"company", "email", "phone", "cv_at"}
    assert _count(team) == 0


def test_owner_may_be_a_team_member_only_for_a_manager(team: UnitOfWorkFactory) -> None:
    by_manager = register_lead(team(), slack_user_id="M1", company="A社", owner_slack_user_id="R2")
    assert by_manager.lead.owner_name == "鈴木"
    with pytest.raises(InvalidInput) as caught:
        register_lead(team(), slack_user_id="R1", company="B社", owner_slack_user_id="R2")
    assert "owner" in caught.value.field_errors
    with pytest.raises(InvalidInput):
        register_lead(team(), slack_user_id="M1", company="C社", owner_slack_user_id="R9")
    with pytest.raises(InvalidInput):
        register_lead(team(), slack_user_id="M1", company="D社", owner_slack_user_id="U404")
    assert _count(team) == 1


def test_register_lead_stores_the_email_lower_cased(team: UnitOfWorkFactory) -> None:
    registration = register_lead(
        team(), slack_user_id="R1", company="ミライ", email="  Hanako@Mirai.EXAMPLE "
    )
    assert registration.lead.email == "hanako@mirai.example"
    with team() as uow:
        stored = uow.session.scalar(select(Lead.email).where(Lead.id == registration.lead.id))
    assert stored == "hanako@mirai.example"


@pytest.mark.parametrize(
    ("cv_at", "accepted"),
    [
        (dt.datetime(1999, 12, 31, 23, 0, tzinfo=TOKYO), False),  # before limits.EARLIEST_DATE
        (dt.datetime(2000, 1, 1, 0, 0, tzinfo=TOKYO), True),
        (NOW + dt.timedelta(hours=6), True),  # a CRM's clock ahead, as the import allows
        (NOW + dt.timedelta(days=2), False),
    ],
)
def test_lead_takes_the_cv_window_of_the_webhook_and_the_import(
    team: UnitOfWorkFactory, cv_at: dt.datetime, accepted: bool
) -> None:
    """What /lead stores, an export → import round trip accepts (`limits.cv_at_out_of_range`)."""
    if accepted:
        registration = register_lead(
            team(), slack_user_id="R1", company="範囲内", cv_at=cv_at, tz=TOKYO
        )
        assert registration.created and registration.lead.cv_at == cv_at
        return
    with pytest.raises(InvalidInput) as caught:
        register_lead(team(), slack_user_id="R1", company="範囲外", cv_at=cv_at, tz=TOKYO)
    problem = limits.cv_at_out_of_range(cv_at, now=NOW, tz=TOKYO)
    assert problem is not None and caught.value.field_errors == {"cv_at": problem}
    assert _count(team) == 0


def test_start_log_suggests_a_date_after_today_for_a_due_lead(
    team: UnitOfWorkFactory, calendar: BusinessCalendar
) -> None:
    # A focus lead due today: after the touch it should not be listed as 次回 本日 again.
    due = factories.lead(team(), owner="R1", status=3, priority=1, next_action_date=TODAY)
    planned = factories.lead(
        team(), owner="R1", status=3, priority=1, next_action_date=dt.date(2026, 12, 10)
    )
    untouched = factories.lead(team(), owner="R1", status=1, cv_at=NOW - dt.timedelta(days=3))

    def start(lead_id: int, **kw: object) -> LogStart:
        return start_log(
            team(), slack_user_id="R1", lead_id=lead_id, calendar=calendar, targets=TARGETS, **kw
        )  # type: ignore[arg-type]

    focus = start(due)
    assert focus.lead is not None
    assert focus.lead.next_action_date == TODAY  # the lead's own, for "left as shown"
    assert focus.lead.suggested_next_action_date == dt.date(2026, 12, 4)  # a week
    assert focus.today == TODAY
    assert focus.quick_dates is not None
    assert focus.quick_dates[QuickDate.NEXT_BUSINESS_DAY] == dt.date(2026, 11, 30)
    own = start(planned).lead
    assert own is not None and own.suggested_next_action_date is None  # its date stands
    first = start(untouched).lead
    assert first is not None and first.suggested_next_action_date == dt.date(2026, 11, 30)
    assert first.days_since_cv == 3
    # A preset outcome (a one-tap menu's 接続): the date for the state it leads to.
    connected = start(untouched, outcome=Outcome.CONNECTED)
    assert connected.outcome is Outcome.CONNECTED
    assert connected.lead is not None
    assert connected.lead.suggested_next_action_date == dt.date(2026, 12, 28)  # connected: a month
