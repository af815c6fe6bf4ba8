"""One-tap logging and its undo as services (no Slack), on both databases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine
from sqlalchemy import select

from isops.calendar import BusinessCalendar
from isops.enums import ActionStatus, Channel, Outcome, Priority
from isops.errors import Conflict, NotAllowed, NotFound
from isops.models import Action, Lead, LeadHistory, Notification
from isops.rules import FiveC2M, five_c2m, suggest_next_action_date
from isops.services.live_lists import HOME_SETTLE, KIND_HOME, KIND_MORNING_PROGRESS, home_key
from isops.services.morning_delivery import MorningMessage, enqueue_morning
from isops.services.outbox import claim, mark_sent, release_key
from isops.services.quick_log import (
    QuickChoice,
    QuickLogResult,
    UndoResult,
    next_date_after_touch,
    quick_key,
    quick_log,
    touch_version,
    undo_quick_log,
)
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # Friday 09:00 in Tokyo
TODAY = dt.date(2026, 11, 27)
MONDAY = dt.date(2026, 11, 30)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


@pytest.fixture
def tap(team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar) -> Any:
    """One tap by R1 (不在) on a lead, at its current version unless `version` is given."""

    def call(
        lead_id: int,
        *,
        by: str = "R1",
        choice: QuickChoice = QuickChoice.ABSENT,
        version: str | None = None,
    ) -> QuickLogResult:
        if version is None:
            with team() as uow:
                version = touch_version(uow.session.get_one(Lead, lead_id).last_action_at)
        return quick_log(
            team(),
            slack_user_id=by,
            lead_id=lead_id,
            choice=choice,
            version=version,
            settings=settings,
            calendar=calendar,
        )

    return call


@pytest.fixture
def undo(team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar) -> Any:
    """R1 (or `by`) undoes a one-tap log."""

    def call(action_id: int, *, by: str = "R1") -> UndoResult:
        return undo_quick_log(
            team(), slack_user_id=by, action_id=action_id, settings=settings, calendar=calendar
        )

    return call


def _lead(team: UnitOfWorkFactory, lead_id: int) -> tuple[Any, ...]:
    with team() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return (lead.status, lead.priority, lead.next_action_date, lead.memo)


def test_a_first_touch_moves_1_to_2_and_keeps_the_other_fields(
    team: UnitOfWorkFactory, tap: Any
) -> None:
    lead_id = factories.lead(
        team(), owner="R1", status=1, next_action_date=MONDAY, memo="部長は月曜不在 "
    )
    result = tap(lead_id)
    assert (result.channel, result.outcome, result.duplicate) == (
        Channel.CALL,
        Outcome.ABSENT,
        False,
    )
    assert (result.status_before, result.status_after) == (1, 2)
    assert _lead(team, lead_id) == (ActionStatus.NOT_CONNECTED, None, MONDAY, "部長は月曜不在 ")
    assert result.progress.calls == 1 and result.undo_until == NOW + dt.timedelta(minutes=10)
    with team() as uow:
        fields = uow.session.scalars(
            select(LeadHistory.field).where(LeadHistory.lead_id == lead_id)
        ).all()
        # No confirmation message: the list it came from answers. The rep's Home follows.
        kinds = uow.session.scalars(select(Notification.kind)).all()
    assert fields == ["status"]
    assert kinds == [KIND_HOME]


def test_a_focus_lead_whose_date_has_come_gets_a_date_after_today(
    team: UnitOfWorkFactory, tap: Any
) -> None:
    due = factories.lead(team(), owner="R1", status=2, priority=1, next_action_date=TODAY)
    mailed = factories.lead(team(), owner="R1", status=2, priority=1, next_action_date=TODAY)
    later = factories.lead(
        team(), owner="R1", status=2, priority=1, next_action_date=TODAY + dt.timedelta(days=20)
    )
    assert tap(due).next_action_date == MONDAY  # next business day
    mail = tap(mailed, choice=QuickChoice.MAIL_SENT)
    assert (mail.channel, mail.outcome) == (Channel.MAIL, Outcome.SENT)
    # The log modal's suggestion for the state the touch leaves: not connected, 5C2M under way.
    assert mail.next_action_date == MONDAY
    assert tap(later).next_action_date == TODAY + dt.timedelta(days=20)


def _date_after_a_call(
    current: dt.date | None,
    status: ActionStatus,
    priority: Priority | None,
    progress: FiveC2M,
) -> dt.date | None:
    """next_date_after_touch for a call today (不在), with the default targets and calendar."""
    return next_date_after_touch(
        current=current,
        status=status,
        priority=priority,
        progress=progress,
        today=TODAY,
        channel=Channel.CALL,
        outcome=Outcome.ABSENT,
        calendar=factories.CALENDAR,
        targets=factories.SETTINGS.targets,
    )


@pytest.mark.parametrize(
    ("current", "priority", "expected"),
    [
        (None, None, None),  # a lead without a date keeps none
        (TODAY, None, TODAY),  # today is fine for a non-focus lead
        (TODAY - dt.timedelta(days=3), None, MONDAY),  # never a past date
        (None, Priority.FOCUS, MONDAY),  # a focus lead needs one (rule 5)
        (TODAY + dt.timedelta(days=90), Priority.FOCUS, MONDAY),  # … within 60 days
        (TODAY + dt.timedelta(days=3), Priority.NON_FOCUS, TODAY + dt.timedelta(days=3)),
    ],
)
def test_next_date_after_a_touch(
    settings: Settings,
    current: dt.date | None,
    priority: Priority | None,
    expected: dt.date | None,
) -> None:
    progress = five_c2m(1, 0, settings.targets)
    after = _date_after_a_call(current, ActionStatus.NOT_CONNECTED, priority, progress)
    assert after == expected


def test_the_same_click_twice_and_a_double_tap_are_one_action(
    team: UnitOfWorkFactory, tap: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=1)
    first = tap(lead_id, version="0")
    again = tap(lead_id, version="0", choice=QuickChoice.VOICEMAIL)
    assert again.duplicate and again.action_id == first.action_id
    assert (again.outcome, factories.count(team, Action)) == (Outcome.ABSENT, 1)
    with team() as uow:
        key = uow.session.get_one(Action, first.action_id).idempotency_key
    assert key == quick_key("R1", lead_id, "0")
    # The list redrawn after the log carries the new version: a second touch is its own.
    second = tap(lead_id)
    assert not second.duplicate and factories.count(team, Action) == 2


def test_a_forged_or_foreign_lead_changes_nothing(team: UnitOfWorkFactory, tap: Any) -> None:
    theirs = factories.lead(team(), owner="R2", status=1)
    with pytest.raises(NotAllowed):
        tap(theirs, by="R1")
    with pytest.raises(NotFound):
        tap(999_999, by="R1", version="0")
    with pytest.raises(NotAllowed):
        tap(theirs, by="M2")  # another team's manager
    assert factories.count(team, Action) == 0 and factories.count(team, Notification) == 0
    assert not tap(theirs, by="M1").duplicate  # their manager may


def test_undo_restores_the_lead_its_counters_and_records_itself(
    team: UnitOfWorkFactory, tap: Any, undo: Any
) -> None:
    lead_id = factories.lead(
        team(), owner="R1", status=1, priority=1, next_action_date=TODAY, inbound=True
    )
    before = (_lead(team, lead_id), factories.lead_counters(team, lead_id))
    result = tap(lead_id)
    assert _lead(team, lead_id) != before[0]
    with time_machine.travel(NOW + dt.timedelta(minutes=9), tick=False):
        undone = undo(result.action_id)
    assert (undone.channel, undone.outcome, undone.status) == (Channel.CALL, Outcome.ABSENT, 1)
    assert (_lead(team, lead_id), factories.lead_counters(team, lead_id)) == before
    assert factories.count(team, Action) == 0
    assert factories.history(team, lead_id) == [
        ("status", "1", "2", None),
        ("next_action_date", "2026-11-27", "2026-11-30", None),
        ("status", "2", "1", "1 タップ記録の取り消し"),
        ("next_action_date", "2026-11-30", "2026-11-27", "1 タップ記録の取り消し"),
        ("action", "架電 不在", None, "1 タップ記録の取り消し"),
    ]
    with pytest.raises(NotFound, match="すでに取り消されています"):
        undo(result.action_id)


def test_undo_is_refused_after_ten_minutes_or_a_later_change(
    team: UnitOfWorkFactory, tap: Any, undo: Any
) -> None:
    late = factories.lead(team(), owner="R1", status=1)
    logged = tap(late)
    too_late = time_machine.travel(NOW + dt.timedelta(minutes=10, seconds=1), tick=False)
    with too_late, pytest.raises(Conflict, match=r"10 分以内です \(09:00 に記録\)"):
        undo(logged.action_id)

    touched_again = factories.lead(team(), owner="R1", status=1)
    first = tap(touched_again)
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        tap(touched_again, choice=QuickChoice.MAIL_SENT)
        with pytest.raises(Conflict, match="その後の記録"):
            undo(first.action_id)

    edited = factories.lead(team(), owner="R1", status=1)
    tapped = tap(edited)
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        # A field changed by another path (a manager's return, an import).
        factories.record_field_change(team(), edited, field="priority", old=None, new=1)
        with pytest.raises(Conflict, match="その後変更"):
            undo(tapped.action_id)
    assert factories.count(team, Action) == 4


def test_undo_is_authorized_like_the_log_and_only_for_one_tap_logs(
    team: UnitOfWorkFactory, tap: Any, undo: Any, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=1)
    tapped = tap(lead_id)
    with pytest.raises(NotAllowed):
        undo(tapped.action_id, by="R2")
    with pytest.raises(NotAllowed):
        undo(tapped.action_id, by="M2")
    assert factories.count(team, Action) == 1
    undo(tapped.action_id, by="M1")  # the rep's manager may
    modal = log(lead_id, idempotency_key="slack_view:V1")  # the log modal's path
    with pytest.raises(NotAllowed, match="1 タップの記録だけ"):
        undo(modal.action_id)


def test_a_touch_on_an_item_of_todays_morning_dm_queues_its_update_once(
    team: UnitOfWorkFactory, settings: Settings, calendar: BusinessCalendar, tap: Any
) -> None:
    listed = factories.lead(team(), owner="R1", status=1)
    other = factories.lead(team(), owner="R1", status=1)
    with team() as uow:
        member_id = uow.session.scalar(select(Lead.owner_id).where(Lead.id == listed))
    assert member_id is not None
    message = {"text": "t", "blocks": []}
    enqueue_morning(
        team(),
        messages=[MorningMessage(member_id, "R1", TODAY, message, first_lead_ids=(listed,))],
        now=NOW,
        settings=settings,
        calendar=calendar,
    )
    # Not delivered yet: nothing to update.
    assert not tap(listed).updates_morning_dm
    sent = claim(team(), key=f"morning:{member_id}:{TODAY.isoformat()}", now=NOW)
    assert sent is not None and mark_sent(team(), claim=sent, now=NOW, channel="D1", ts="1.2")
    with time_machine.travel(NOW + dt.timedelta(minutes=1), tick=False):
        assert tap(listed).updates_morning_dm
        assert not tap(other).updates_morning_dm
    with time_machine.travel(NOW + dt.timedelta(minutes=2), tick=False):
        assert tap(listed).updates_morning_dm
    # Three touches, one Home refresh and one DM update waiting (coalesced per rep).
    assert factories.count(team, Notification, Notification.kind == KIND_HOME) == 1
    assert factories.count(team, Notification, Notification.kind == KIND_MORNING_PROGRESS) == 1


def test_a_claimed_refresh_frees_its_key_so_a_later_change_queues_another(
    team: UnitOfWorkFactory, tap: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=1)
    tap(lead_id)
    with team() as uow:
        member_id = uow.session.get_one(Lead, lead_id).owner_id
    assert member_id is not None
    held = claim(team(), key=home_key(member_id), now=NOW + HOME_SETTLE)
    assert held is not None and release_key(team(), claim=held)
    tap(lead_id)
    assert factories.count(team, Notification, Notification.kind == KIND_HOME) == 2


def test_one_tap_and_the_log_modal_suggest_the_same_date(
    calendar: BusinessCalendar, settings: Settings
) -> None:
    """A connected focus lead: a week later, whichever path logged the touch (one rule)."""
    progress = five_c2m(5, 2, settings.targets)
    expected = suggest_next_action_date(
        status=ActionStatus.CONNECTED,
        priority=Priority.FOCUS,
        progress=progress,
        today=TODAY,
        calendar=calendar,
        targets=settings.targets,
    )
    assert expected is not None and expected > TODAY + dt.timedelta(days=5)
    after = _date_after_a_call(TODAY, ActionStatus.CONNECTED, Priority.FOCUS, progress)
    assert after == expected
