"""Hand-off to FS and the verdict (issue 12), without Slack: the step of logging status 5, the
verdict's schedule, acknowledgement, verdicts, reschedule and returns — on both databases."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from sqlalchemy import func, select

from isops.calendar import BusinessCalendar
from isops.enums import ActionStatus, Channel, HandoffVerdict, MeetingMode, Outcome, Role
from isops.errors import Conflict, InvalidInput, NotAllowed
from isops.models import Action, Handoff, Lead, LeadHistory, Notification
from isops.services.action_results import ActionResult
from isops.services.actions import record_action
from isops.services.handoff_schedule import VerdictSchedule
from isops.services.handoff_verdicts import (
    acknowledge_handoff,
    decide_handoff,
    handoff_for_verdict,
    reschedule_handoff,
)
from isops.services.handoffs import (
    HANDOFF_CREATED,
    HANDOFF_REFRESH,
    HANDOFF_REP_NOTICE,
    NO_FS_MEMBER,
    HandoffInput,
    NeedsHandoff,
    handoff_step,
)
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories
from tests.factories import jst

FRI = dt.date(2026, 11, 27)
MON = dt.date(2026, 11, 30)
TUE = dt.date(2026, 12, 1)
WED = dt.date(2026, 12, 2)
THU = dt.date(2026, 12, 3)


NOW = jst(FRI, 10)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def team(uow_factory: UnitOfWorkFactory) -> UnitOfWorkFactory:
    """M1 manages rep R1 and FS F1; F2 is another FS (no manager); A1 is an admin."""
    factories.member(uow_factory(), "M1", role=Role.MANAGER, name="山田")
    factories.member(uow_factory(), "R1", manager="M1", name="佐藤")
    factories.member(uow_factory(), "F1", role=Role.FS, manager="M1", name="田中")
    factories.member(uow_factory(), "F2", role=Role.FS, name="鈴木")
    factories.member(uow_factory(), "A1", role=Role.ADMIN, name="管理者")
    return uow_factory


def _id(uow_factory: UnitOfWorkFactory, slack_user_id: str) -> int:
    """Members are created in this order by `team` (ids from 1 on both databases, which
    start empty); no query, so it may be used inside another unit of work (SQLite would
    wait for its own write lock)."""
    return {"M1": 1, "R1": 2, "F1": 3, "F2": 4, "A1": 5}[slack_user_id]


def handoff_input(uow_factory: UnitOfWorkFactory, **kw: Any) -> HandoffInput:
    values: dict[str, Any] = {
        "fs_member_id": _id(uow_factory, "F1"),
        "meeting_date": TUE,
        "meeting_time": dt.time(14, 0),
        "meeting_mode": MeetingMode.ONLINE,
        "problem": "営業の立ち上がりが遅い",
        "wants": "導入事例と費用感",
        "situation": "",
    }
    values.update(kw)
    return HandoffInput(**values)


@pytest.fixture
def log(
    log: Callable[..., ActionResult], settings: Settings, calendar: BusinessCalendar
) -> Callable[..., ActionResult]:
    """R1 logs a connected call setting status 5, with `handoff` (None: not given yet).

    Overrides tests/isops/conftest.py's `log` in this module, and wraps it."""

    def call(lead_id: int, handoff: HandoffInput | None, **kw: Any) -> ActionResult:
        kw = {
            "outcome": Outcome.CONNECTED,
            "status": int(ActionStatus.MEETING),
            "memo": "来週デモ",
            **kw,
        }
        then = handoff_step(
            handoff,
            slack_user_id=kw.get("slack_user_id", "R1"),
            settings=settings,
            calendar=calendar,
        )
        return log(lead_id, then=then, **kw)

    return call


def _counts(uow_factory: UnitOfWorkFactory) -> tuple[int, ...]:
    with uow_factory() as uow:
        s = uow.session
        return tuple(
            int(s.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Action, Handoff, LeadHistory, Notification)
        )


def _handed(log: Any, team: UnitOfWorkFactory, **kw: Any) -> tuple[int, int]:
    """A lead of R1 handed to F1 (Tue 14:00 online); returns (lead id, hand-off id)."""
    lead_id = factories.lead(team(), owner="R1", status=3, company="株式会社ハンド")
    log(lead_id, handoff_input(team, **kw))
    with team() as uow:
        handoff_id = uow.session.scalars(select(Handoff.id).where(Handoff.lead_id == lead_id)).one()
    return lead_id, handoff_id


# -- the schedule ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("meeting", "due"),
    [
        (jst(TUE, 14), jst(TUE, 16)),  # ends in business hours
        (jst(TUE, 16, 30), jst(WED, 9)),  # ends 18:30: next business morning
        (jst(TUE, 15, 59), jst(TUE, 17, 59)),
        (jst(TUE, 16), jst(WED, 9)),  # 18:00 is after hours
        (jst(FRI, 17), jst(MON, 9)),  # Friday evening: Monday morning
        (jst(dt.date(2026, 11, 28), 10), jst(MON, 9)),  # a Saturday meeting
        (jst(TUE, 6), jst(TUE, 9)),  # ends 08:00: the same morning
        (jst(dt.date(2026, 12, 30), 10), jst(dt.date(2027, 1, 4), 9)),  # year-end holidays
    ],
)
def test_the_verdict_is_due_at_the_meetings_end_or_the_next_business_morning(
    settings: Settings, calendar: BusinessCalendar, meeting: dt.datetime, due: dt.datetime
) -> None:
    schedule = VerdictSchedule.of(settings, calendar, None)
    assert schedule.verdict_due_at(meeting) == due


def test_requests_follow_on_business_mornings_and_a_late_run_sends_only_the_latest(
    settings: Settings, calendar: BusinessCalendar
) -> None:
    schedule = VerdictSchedule.of(settings, calendar, None)
    due = jst(FRI, 16)
    assert [schedule.request_at(due, n) for n in (1, 2, 3, 4)] == [
        due,
        jst(MON, 9),
        jst(TUE, 9),
        jst(WED, 9),
    ]
    assert schedule.due_request(due, jst(FRI, 15, 59)) == 0
    assert schedule.due_request(due, jst(FRI, 16)) == 1
    assert schedule.due_request(due, jst(MON, 8, 59)) == 1
    assert schedule.due_request(due, jst(MON, 9)) == 2
    assert schedule.due_request(due, jst(THU, 9)) == 3  # never a 4th


def test_the_meeting_length_and_business_end_are_settings(calendar: BusinessCalendar) -> None:
    custom = Settings(  # type: ignore[call-arg]
        _env_file=None, ISOPS_MEETING_LENGTH="90m", ISOPS_BUSINESS_END="19:00"
    )
    schedule = VerdictSchedule.of(custom, calendar, None)
    assert schedule.verdict_due_at(jst(TUE, 17)) == jst(TUE, 18, 30)


def test_business_hours_are_the_fs_members_own(
    settings: Settings, calendar: BusinessCalendar
) -> None:
    """An FS in Los Angeles: a Tokyo 14:00 meeting ends at 23:00 their time, so they are
    asked at 09:00 their next business morning."""
    schedule = VerdictSchedule.of(settings, calendar, "America/Los_Angeles")
    la = ZoneInfo("America/Los_Angeles")
    due = schedule.verdict_due_at(jst(TUE, 14))
    assert due == dt.datetime(2026, 12, 1, 9, 0, tzinfo=la).astimezone(dt.UTC)


# -- the hand-off in the transaction of logging status 5 -----------------------------------------


def test_status_5_without_a_hand_off_asks_for_it_and_saves_nothing(
    log: Any, team: UnitOfWorkFactory
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    before = _counts(team)
    with pytest.raises(NeedsHandoff) as caught:
        log(lead_id, None)
    assert sorted(m.slack_user_id for m in caught.value.fs_members) == ["F1", "F2"]
    assert _counts(team) == before
    with team() as uow:
        assert uow.session.get_one(Lead, lead_id).status == ActionStatus.CONNECTED


def test_status_5_with_no_fs_member_registered_says_how_to_register_one(
    uow_factory: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    factories.member(uow_factory(), "R1")
    lead_id = factories.lead(uow_factory(), owner="R1", status=3)
    with pytest.raises(InvalidInput) as caught:
        record_action(
            uow_factory(),
            slack_user_id="R1",
            lead_id=lead_id,
            channel=Channel.CALL,
            outcome=Outcome.CONNECTED,
            status=5,
            priority=None,
            next_action_date=None,
            memo="",
            then=handoff_step(None, slack_user_id="R1", settings=settings, calendar=calendar),
            settings=settings,
            calendar=calendar,
        )
    assert caught.value.field_errors == {"status": NO_FS_MEMBER}
    assert "isops member add U… --name 名前 --role fs" in NO_FS_MEMBER
    assert _counts(uow_factory)[:2] == (0, 0)


def test_status_5_with_a_hand_off_records_both_in_one_transaction(
    log: Any, team: UnitOfWorkFactory, settings: Settings
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    result = log(lead_id, handoff_input(team, situation="Excel で管理", budget_timing="来期"))
    assert result.status_after == ActionStatus.MEETING
    with team() as uow:
        s = uow.session
        lead = s.get_one(Lead, lead_id)
        handoff = s.scalars(select(Handoff).where(Handoff.lead_id == lead_id)).one()
        assert lead.status == ActionStatus.MEETING and lead.owner_id == _id(team, "R1")
        assert lead.fs_member_id == _id(team, "F1")
        assert handoff.rep_id == _id(team, "R1") and handoff.fs_member_id == lead.fs_member_id
        assert handoff.meeting_at == jst(TUE, 14)
        assert handoff.verdict_due_at == handoff.next_request_at == jst(TUE, 16)
        assert (handoff.problem, handoff.wants) == ("営業の立ち上がりが遅い", "導入事例と費用感")
        assert (handoff.situation, handoff.budget_timing) == ("Excel で管理", "来期")
        assert handoff.verdict is None and handoff.version == 1
        notes = s.scalars(
            select(LeadHistory.note).where(
                LeadHistory.lead_id == lead_id, LeadHistory.field == "handoff"
            )
        ).all()
        assert notes == [
            "FS 田中 さんへ引き継ぎ: 12/1(火) 14:00 オンライン / 課題: 営業の立ち上がりが遅い"
        ]
        kinds = s.scalars(select(Notification.kind).order_by(Notification.id)).all()
        assert kinds == [HANDOFF_CREATED, "action_logged", "home"]


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"meeting_date": dt.date(2026, 11, 26)}, "handoff_date", "過去"),
        ({"meeting_date": dt.date(2027, 11, 29)}, "handoff_date", "までに"),
        ({"meeting_date": None}, "handoff_date", "商談日"),
        ({"meeting_time": None}, "handoff_time", "時刻"),
        ({"problem": "  "}, "handoff_problem", "課題"),
        ({"wants": ""}, "handoff_wants", "求めている情報"),
        ({"situation": "あ" * 1001}, "handoff_situation", "1000 文字"),
        ({"fs_member_id": None}, "handoff_fs", "FS"),
    ],
)
def test_bad_hand_off_input_is_refused_and_nothing_is_saved(
    log: Any, team: UnitOfWorkFactory, change: dict[str, Any], field: str, words: str
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    before = _counts(team)
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, handoff_input(team, **change))
    assert set(caught.value.field_errors) == {field}
    assert words in caught.value.field_errors[field]
    assert _counts(team) == before


def test_a_meeting_earlier_today_may_be_logged_after_the_fact(
    log: Any, team: UnitOfWorkFactory
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    log(lead_id, handoff_input(team, meeting_date=FRI, meeting_time=dt.time(8, 0)))
    with team() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert handoff.verdict_due_at == jst(FRI, 10)  # 08:00 + 2 h


def test_an_inactive_or_non_fs_member_cannot_be_chosen(log: Any, team: UnitOfWorkFactory) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, handoff_input(team, fs_member_id=_id(team, "M1")))
    assert set(caught.value.field_errors) == {"handoff_fs"}


def test_logging_on_a_lead_already_at_5_asks_for_no_new_hand_off(
    log: Any, team: UnitOfWorkFactory
) -> None:
    lead_id, _ = _handed(log, team)
    log(lead_id, None, outcome=Outcome.CONNECTED, memo="FS と同行")  # still 5: no hand-off asked
    with team() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Handoff)) == 1


def test_a_second_open_hand_off_of_a_lead_is_refused(
    log: Any, team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar
) -> None:
    lead_id, _ = _handed(log, team)
    log(lead_id, None, status=3, outcome=Outcome.CONNECTED)  # the rep moved it back by hand
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, handoff_input(team))
    assert "評価を待っている引き継ぎ" in caught.value.field_errors["status"]


def test_a_manager_logging_5_on_a_reps_lead_keeps_the_rep_as_its_rep(
    log: Any, team: UnitOfWorkFactory
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    log(lead_id, handoff_input(team), slack_user_id="M1")
    with team() as uow:
        handoff = uow.session.scalars(select(Handoff)).one()
        assert (handoff.rep_id, handoff.created_by_id) == (_id(team, "R1"), _id(team, "M1"))


# -- acknowledgement -------------------------------------------------------------------------------


def test_the_fs_acknowledges_once_and_others_are_refused(log: Any, team: UnitOfWorkFactory) -> None:
    _, handoff_id = _handed(log, team)
    for stranger in ("R1", "F2", "M1"):
        with pytest.raises(NotAllowed) as caught:
            acknowledge_handoff(team(), handoff_id=handoff_id, slack_user_id=stranger)
        assert "田中 さん" in str(caught.value)
    first = acknowledge_handoff(team(), handoff_id=handoff_id, slack_user_id="F1")
    again = acknowledge_handoff(team(), handoff_id=handoff_id, slack_user_id="F1")
    assert first.newly and not again.newly
    assert first.detail.acknowledged_at == NOW == again.detail.acknowledged_at
    with team() as uow:
        rows = uow.session.scalars(
            select(LeadHistory.new_value).where(LeadHistory.field == "handoff")
        ).all()
        assert rows == ["handed_off", "acknowledged"]
        kinds = uow.session.scalars(select(Notification.kind).order_by(Notification.id)).all()
        assert kinds[-2:] == [HANDOFF_REFRESH, HANDOFF_REP_NOTICE]


# -- verdicts --------------------------------------------------------------------------------------


@pytest.fixture
def decide(team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar) -> Any:
    """`decide_handoff` on the team's database, as F1 unless `slack_user_id` says otherwise."""

    def call(**kw: Any) -> Any:
        args: dict[str, Any] = {"slack_user_id": "F1", "settings": settings, "calendar": calendar}
        args.update(kw)
        return decide_handoff(team(), **args)

    return call


def test_a_valid_verdict_is_recorded_once_and_a_second_click_names_who_decided(
    log: Any, team: UnitOfWorkFactory, decide: Any
) -> None:
    lead_id, handoff_id = _handed(log, team)
    detail = decide(handoff_id=handoff_id, verdict=HandoffVerdict.VALID)
    assert detail.verdict is HandoffVerdict.VALID and detail.decided_by is not None
    assert detail.decided_by.name == "田中" and detail.decided_at == NOW
    for verdict in (HandoffVerdict.VALID, HandoffVerdict.INVALID):
        with pytest.raises(Conflict) as caught:
            decide(handoff_id=handoff_id, verdict=verdict, reason="予算なし")
        assert "田中 さんが 11/27(金) 10:00 に「有効商談」と評価しています" in str(caught.value)
    with team() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        assert lead.status == ActionStatus.MEETING and lead.fs_member_id == _id(team, "F1")


def test_the_rep_another_fs_and_a_manager_cannot_decide(
    log: Any, team: UnitOfWorkFactory, calendar: BusinessCalendar, decide: Any
) -> None:
    _, handoff_id = _handed(log, team)
    before = _counts(team)
    for user in ("R1", "F2", "M1", "UNKNOWN"):
        with pytest.raises(NotAllowed):
            decide(slack_user_id=user, handoff_id=handoff_id, verdict=HandoffVerdict.VALID)
        with pytest.raises(NotAllowed):
            handoff_for_verdict(
                team(), handoff_id=handoff_id, slack_user_id=user, calendar=calendar
            )
    assert _counts(team) == before


def test_invalid_needs_a_reason_and_a_comment_for_sonota(
    log: Any, team: UnitOfWorkFactory, decide: Any
) -> None:
    _, handoff_id = _handed(log, team)
    for kw, field in (
        ({"reason": None}, "reason"),
        ({"reason": "気分"}, "reason"),
        ({"reason": "その他", "comment": " "}, "comment"),
    ):
        with pytest.raises(InvalidInput) as caught:
            decide(handoff_id=handoff_id, verdict=HandoffVerdict.INVALID, **kw)
        assert set(caught.value.field_errors) == {field}
    detail = decide(
        handoff_id=handoff_id,
        verdict=HandoffVerdict.INVALID,
        reason="決裁者不在",
        comment="担当者のみ。部長の同席を次回依頼",
    )
    assert (detail.verdict, detail.invalid_reason) == (HandoffVerdict.INVALID, "決裁者不在")
    with team() as uow:
        note = uow.session.scalars(
            select(LeadHistory.note).where(LeadHistory.new_value == "invalid")
        ).one()
        assert (
            note
            == "有効商談ではない / 理由: 決裁者不在 / コメント: 担当者のみ。部長の同席を次回依頼"
        )


def test_return_to_is_gives_the_lead_back_to_the_rep_as_3(
    log: Any, team: UnitOfWorkFactory, decide: Any
) -> None:
    lead_id, handoff_id = _handed(log, team)
    with pytest.raises(InvalidInput) as caught:
        decide(handoff_id=handoff_id, verdict=HandoffVerdict.RETURNED)
    assert set(caught.value.field_errors) == {"comment", "next_action_date"}
    with pytest.raises(InvalidInput) as caught:
        decide(
            handoff_id=handoff_id,
            verdict=HandoffVerdict.RETURNED,
            comment="来期予算の確定後に再提案",
            next_action_date=FRI + dt.timedelta(days=61),
        )
    assert "60 日以内" in caught.value.field_errors["next_action_date"]
    later = FRI + dt.timedelta(days=30)
    decide(
        handoff_id=handoff_id,
        verdict=HandoffVerdict.RETURNED,
        comment="来期予算の確定後に再提案",
        next_action_date=later,
    )
    with team() as uow:
        s = uow.session
        lead = s.get_one(Lead, lead_id)
        assert (lead.status, lead.next_action_date, lead.fs_member_id) == (3, later, None)
        assert lead.owner_id == _id(team, "R1")
        history = s.execute(
            select(LeadHistory.field, LeadHistory.old_value, LeadHistory.new_value)
            .where(LeadHistory.lead_id == lead_id)
            .order_by(LeadHistory.id)
        ).all()
        assert ("handoff", "open", "returned") in history
        assert ("status", "5", "3") in history
        assert ("next_action_date", None, later.isoformat()) in history
    # Back with the rep: a new hand-off may follow.
    log(lead_id, handoff_input(team, meeting_date=THU))
    with team() as uow:
        assert uow.session.scalar(select(func.count()).select_from(Handoff)) == 2


def test_an_admin_may_change_a_verdict_later_recorded_as_a_change(
    log: Any, team: UnitOfWorkFactory, decide: Any
) -> None:
    _, handoff_id = _handed(log, team)
    decide(handoff_id=handoff_id, verdict=HandoffVerdict.VALID)
    with pytest.raises(NotAllowed):  # the FS may not change their verdict
        decide(
            handoff_id=handoff_id, verdict=HandoffVerdict.INVALID, reason="予算なし", change=True
        )
    with pytest.raises(Conflict):  # an admin's plain click is a first verdict: too late
        decide(
            slack_user_id="A1",
            handoff_id=handoff_id,
            verdict=HandoffVerdict.INVALID,
            reason="予算なし",
        )
    with time_machine.travel(NOW + dt.timedelta(days=1), tick=False):
        detail = decide(
            slack_user_id="A1",
            handoff_id=handoff_id,
            verdict=HandoffVerdict.INVALID,
            reason="予算なし",
            change=True,
        )
    assert detail.verdict is HandoffVerdict.INVALID
    assert detail.decided_at == NOW and detail.decided_by and detail.decided_by.name == "田中"
    assert detail.changed_by and detail.changed_by.name == "管理者"
    with team() as uow:
        row = uow.session.execute(
            select(LeadHistory.old_value, LeadHistory.new_value, LeadHistory.note).where(
                LeadHistory.new_value == "invalid"
            )
        ).one()
        assert row[0] == "valid" and row[2].startswith(
            "管理者 管理者 さんが評価を変更 (有効商談 → 有効商談ではない)"
        )
    # An admin's return is final.
    decide(
        slack_user_id="A1",
        handoff_id=handoff_id,
        verdict=HandoffVerdict.RETURNED,
        comment="再提案",
        next_action_date=TUE,
        change=True,
    )
    with pytest.raises(Conflict):
        decide(slack_user_id="A1", handoff_id=handoff_id, verdict=HandoffVerdict.VALID, change=True)


def _race(decide: Any, handoff_id: int) -> list[Any]:
    """F1 says 有効商談 while the admin says 有効商談ではない, released at the same instant."""
    barrier = threading.Barrier(2)
    outcomes: list[Any] = []

    def one(user: str, verdict: HandoffVerdict, **kw: Any) -> None:
        barrier.wait(10)
        try:
            outcomes.append(
                decide(slack_user_id=user, handoff_id=handoff_id, verdict=verdict, **kw)
            )
        except Conflict as exc:
            outcomes.append(exc)

    threads = [
        threading.Thread(target=one, args=("F1", HandoffVerdict.VALID)),
        threading.Thread(
            target=one, args=("A1", HandoffVerdict.INVALID), kwargs={"reason": "予算なし"}
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    return outcomes


def test_two_verdicts_at_once_one_wins(log: Any, team: UnitOfWorkFactory, decide: Any) -> None:
    for _ in range(3):
        lead_id, handoff_id = _handed(log, team)
        outcomes = _race(decide, handoff_id)
        losers = [o for o in outcomes if isinstance(o, Conflict)]
        winners = [o for o in outcomes if not isinstance(o, Conflict)]
        assert len(losers) == 1 and len(winners) == 1
        assert f"{winners[0].decided_by.name} さんが" in str(losers[0])
        with team() as uow:
            rows = uow.session.scalars(
                select(LeadHistory.new_value).where(
                    LeadHistory.lead_id == lead_id, LeadHistory.field == "handoff"
                )
            ).all()
            stored = uow.session.get_one(Handoff, handoff_id).verdict
        assert rows == ["handed_off", winners[0].verdict.value] and stored is winners[0].verdict


# -- reschedule --------------------------------------------------------------------------------


def test_reschedule_moves_the_request_with_the_meeting(
    log: Any, team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar, decide: Any
) -> None:
    _, handoff_id = _handed(log, team)

    def reschedule(slack_user_id: str, day: dt.date, hour: int) -> Any:
        return reschedule_handoff(
            team(),
            handoff_id=handoff_id,
            slack_user_id=slack_user_id,
            meeting_date=day,
            meeting_time=dt.time(hour),
            settings=settings,
            calendar=calendar,
        )

    with team() as uow:
        uow.session.execute(
            Handoff.__table__.update().values(verdict_requests=2)  # type: ignore[attr-defined]
        )
        uow.commit()
    with pytest.raises(InvalidInput) as caught:
        reschedule("F1", dt.date(2026, 11, 20), 10)
    assert set(caught.value.field_errors) == {"meeting_date"}
    with pytest.raises(NotAllowed):
        reschedule("R1", THU, 17)
    detail = reschedule("F1", THU, 17)
    assert detail.meeting_at == jst(THU, 17) and detail.version == 2
    assert detail.verdict_due_at == detail.next_request_at == jst(dt.date(2026, 12, 4), 9)
    assert detail.verdict_requests == 0
    with team() as uow:
        note = uow.session.scalars(
            select(LeadHistory.note)
            .where(LeadHistory.field == "handoff")
            .order_by(LeadHistory.id.desc())
        ).first()
        assert note == "田中 さんが日程変更: 12/1(火) 14:00 → 12/3(木) 17:00"
    decide(handoff_id=handoff_id, verdict=HandoffVerdict.VALID)
    with pytest.raises(Conflict):
        reschedule("F1", THU, 18)


# -- settings ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "minutes"), [("2h", 120), ("90m", 90), ("1h30m", 90), ("1:30", 90), ("45", 45)]
)
def test_the_meeting_length_reads_as_people_write_it(text: str, minutes: int) -> None:
    settings = Settings(_env_file=None, ISOPS_MEETING_LENGTH=text)  # type: ignore[call-arg]
    assert settings.meeting_length == dt.timedelta(minutes=minutes)


@pytest.mark.parametrize("text", ["abc", "0", "25h", "", "-1h"])
def test_a_bad_meeting_length_is_one_line(text: str) -> None:
    from isops.errors import ConfigError
    from isops.settings import load_settings

    with pytest.raises(ConfigError) as caught:
        load_settings(_env_file=None, ISOPS_MEETING_LENGTH=text)
    assert str(caught.value).startswith("ISOPS_MEETING_LENGTH の値が正しくありません")


def test_invalid_reasons_are_configurable() -> None:
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, ISOPS_INVALID_REASONS="ニーズなし, 予算なし ,その他"
    )
    assert settings.invalid_reasons == ("ニーズなし", "予算なし", "その他")
    assert Settings(_env_file=None).invalid_reasons[-1] == "その他"  # type: ignore[call-arg]
