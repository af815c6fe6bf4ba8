"""record_action: one transaction for the action, the four fields, history and reviews."""

from __future__ import annotations

import datetime as dt
import io
import threading
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from isops import limits
from isops.csvio import ImportPolicy, import_leads
from isops.enums import Channel, Outcome, ReviewState
from isops.errors import InvalidInput
from isops.models import Action, Lead, LeadHistory, NoActionReview, Notification
from isops.services.action_results import ACTION_LOGGED, ActionResult
from isops.services.actions import (
    MAX_MEMO,
    MAX_REASON_MEMO,
    NeedsConfirmation,
    ShownFields,
    memo_digest,
)
from isops.services.live_lists import KIND_HOME
from isops.services.reviews import REVIEW_REQUESTED, REVIEW_WITHDRAWN
from isops.settings import Settings
from isops.unit_of_work import UnitOfWorkFactory
from tests import factories

NOW = dt.datetime(2026, 11, 27, 0, 0, tzinfo=dt.UTC)  # Friday 09:00 in Tokyo
TODAY = dt.date(2026, 11, 27)


# Every test here runs at this instant, the clock stopped (time-machine's marker).
pytestmark = pytest.mark.time_machine(NOW, tick=False)


def _shown(
    lead_id: int,
    *,
    status: int = 1,
    priority: int | None = None,
    next_action_date: dt.date | None = None,
    memo: str = "",
) -> ShownFields:
    return ShownFields(lead_id, status, priority, next_action_date, memo_digest(memo))


def _lead(uow_factory: UnitOfWorkFactory, lead_id: int) -> SimpleNamespace:
    """The lead's columns as plain values (the session closes with the unit of work)."""
    with uow_factory() as uow:
        lead = uow.session.get_one(Lead, lead_id)
        return SimpleNamespace(
            **{c.key: getattr(lead, c.key) for c in Lead.__mapper__.column_attrs}
        )


def test_a_call_is_recorded_with_counters_fields_history_and_confirmation(
    team: UnitOfWorkFactory, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", memo="古いメモ")
    result = log(
        lead_id,
        status=1,
        priority=1,
        next_action_date=dt.date(2026, 12, 3),
        memo="  受付で不在。来週火曜に再架電  ",
        shown=_shown(lead_id, memo="古いメモ"),
        reply_to="C123",
        idempotency_key="V1",
    )
    assert result.status_before == 1 and result.status_after == 2  # a touch: 未接続
    assert set(result.changed) == {"status", "priority", "next_action_date", "memo"}
    assert (result.calls, result.mails) == (1, 0)
    assert result.five_c2m.next_channel() == Channel.MAIL

    lead = _lead(team, lead_id)
    assert (lead.status, lead.priority, lead.next_action_date) == (2, 1, dt.date(2026, 12, 3))
    assert lead.memo == "受付で不在。来週火曜に再架電"  # trimmed
    assert (lead.call_count, lead.mail_count, lead.last_outcome) == (1, 0, "不在")
    with team() as uow:
        action = uow.session.scalars(select(Action)).one()
        assert (action.member_id, action.channel, action.outcome) == (2, Channel.CALL, "不在")
        assert action.memo == "受付で不在。来週火曜に再架電"
        history = {
            h.field: (h.old_value, h.new_value)
            for h in uow.session.scalars(select(LeadHistory).where(LeadHistory.lead_id == lead_id))
        }
        assert history == {
            "status": ("1", "2"),
            "priority": (None, "1"),
            "next_action_date": (None, "2026-12-03"),
            "memo": ("古いメモ", "受付で不在。来週火曜に再架電"),
        }
        note = uow.session.scalars(
            select(Notification).where(Notification.kind == ACTION_LOGGED)
        ).one()
        assert note.kind == ACTION_LOGGED
        assert note.payload["reply_to"] == "C123"
        assert note.payload["slack_user_id"] == "R1"
        assert ActionResult.model_validate(note.payload["result"]) == result


def test_fields_left_as_shown_keep_what_changed_meanwhile(
    team: UnitOfWorkFactory, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=2, memo="A")
    shown = _shown(lead_id, status=2, memo="A")
    with team() as uow:  # the manager edits the lead while the rep's modal is open
        lead = uow.session.get_one(Lead, lead_id)
        lead.priority, lead.next_action_date, lead.memo = 2, dt.date(2026, 12, 10), "B"
        uow.commit()
    result = log(lead_id, status=2, memo="A", shown=shown, outcome=Outcome.CONNECTED)
    lead = _lead(team, lead_id)
    assert (lead.priority, lead.next_action_date, lead.memo) == (2, dt.date(2026, 12, 10), "B")
    assert lead.status == 3 and result.changed == ("status",)  # connected: 接続済


def test_the_same_submission_twice_records_one_action(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1")
    first = log(lead_id, idempotency_key="slack_view:V1")
    second = log(lead_id, idempotency_key="slack_view:V1")
    assert not first.duplicate and second.duplicate
    assert second.action_id == first.action_id
    assert factories.count(team, Action) == 1
    assert factories.count(team, Notification, Notification.kind == ACTION_LOGGED) == 1
    assert _lead(team, lead_id).call_count == 1


@pytest.mark.parametrize(
    ("kw", "field", "message"),
    [
        ({"next_action_date": dt.date(2026, 11, 26)}, "next_action_date", "過去の日付"),
        ({"priority": 1}, "next_action_date", "次回活動予定日が必要"),
        (
            {"priority": 1, "next_action_date": dt.date(2027, 1, 27)},
            "next_action_date",
            "60 日以内",
        ),
        ({"outcome": Outcome.SENT}, "outcome", "架電の結果"),
        ({"status": 4}, "reason_code", "理由"),
        ({"status": 6, "reason_code": "予算なし"}, "reason_memo", "メモ"),
        ({"status": 4, "reason_code": "気分", "reason_memo": "x"}, "reason_code", "理由"),
        ({"memo": "あ" * 3001}, "memo", "3000"),
    ],
)
def test_invalid_input_is_reported_per_field_and_nothing_is_saved(
    team: UnitOfWorkFactory, log: Any, kw: dict[str, Any], field: str, message: str
) -> None:
    lead_id = factories.lead(team(), owner="R1", memo="元のメモ")
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, **kw)
    assert message in caught.value.field_errors[field]
    assert factories.count(team, Action) == 0
    assert factories.count(team, LeadHistory) == 0
    assert factories.count(team, Notification) == 0
    lead = _lead(team, lead_id)
    assert (lead.status, lead.call_count, lead.memo) == (1, 0, "元のメモ")


def test_a_long_imported_memo_does_not_block_logging_a_short_one(
    team: UnitOfWorkFactory, log: Any
) -> None:
    imported = "CRM の履歴。" * 625  # 5,000 characters, as a CRM export may carry
    assert len(imported) == 5000 > MAX_MEMO
    lead_id = factories.lead(team(), owner="R1")
    result = import_leads(  # the CRM's memo comes in through a CSV round trip
        team,
        stream=io.BytesIO(f"isops ID,メモ\n{lead_id},{imported}\n".encode()),
        policy=ImportPolicy(tz=ZoneInfo("Asia/Tokyo"), inbound_sources=()),
    )
    assert result.ok and result.updated == 1
    # Too long to show in the modal (memo_digest None): what the rep types is appended.
    too_long_to_show = ShownFields(lead_id, 1, None, None, None)
    log(lead_id, memo="  折り返し待ち  ", shown=too_long_to_show)
    assert _lead(team, lead_id).memo == f"{imported}\n折り返し待ち"
    log(lead_id, memo="", shown=too_long_to_show)  # nothing typed: the memo stays
    assert _lead(team, lead_id).memo == f"{imported}\n折り返し待ち"
    # What the rep submits is still limited, and nothing is saved when it is too long.
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, memo="あ" * (MAX_MEMO + 1), shown=too_long_to_show)
    assert f"{MAX_MEMO}" in caught.value.field_errors["memo"]
    assert factories.count(team, Action) == 2


def test_the_memo_limit_is_the_shared_one() -> None:
    assert MAX_MEMO == MAX_REASON_MEMO == limits.MEMO == 3000


def test_focus_max_days_is_configurable(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1")
    short = Settings(_env_file=None, ISOPS_FOCUS_MAX_DAYS=7)  # type: ignore[call-arg]
    with pytest.raises(InvalidInput, match="7 日以内"):
        log(lead_id, priority=1, next_action_date=dt.date(2026, 12, 5), settings=short)
    log(lead_id, priority=1, next_action_date=dt.date(2026, 12, 4), settings=short)


def test_someone_elses_lead_is_refused_but_a_manager_may_log_for_the_team(
    team: UnitOfWorkFactory, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1")
    for outsider in ("R2", "M2"):
        with pytest.raises(InvalidInput) as caught:
            log(lead_id, slack_user_id=outsider)
        assert "権限" in caught.value.field_errors["lead"]
    with pytest.raises(InvalidInput, match="見つかりません"):
        log(424242)
    assert factories.count(team, Action) == 0
    log(lead_id, slack_user_id="M1")
    with team() as uow:
        assert uow.session.scalars(select(Action.member_id)).one() == 1  # the manager


def test_status_4_with_5c2m_incomplete_asks_before_saving(
    team: UnitOfWorkFactory, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=2)
    factories.action(team(), lead_id, by="R1")
    reason = {"status": 4, "reason_code": "対象外", "reason_memo": "個人事業主で対象外"}
    with pytest.raises(NeedsConfirmation) as caught:
        log(lead_id, **reason, shown=_shown(lead_id, status=2))
    assert str(caught.value) == "架電 2/5・メール 0/2 — 5C2M 未完了です"
    assert factories.count(team, Action) == 1  # only the factory's

    result = log(lead_id, **reason, shown=_shown(lead_id, status=2), confirmed_incomplete_5c2m=True)
    assert result.review_requested and result.status_after == 4
    lead = _lead(team, lead_id)
    assert lead.status == 4  # at once; the manager's verdict comes later
    with team() as uow:
        review = uow.session.scalars(select(NoActionReview)).one()
        assert (review.state, review.previous_status, review.reason_code) == (
            ReviewState.PENDING,
            2,
            "対象外",
        )
        assert review.memo == "個人事業主で対象外"
        kinds = sorted(uow.session.scalars(select(Notification.kind)))
        assert kinds == sorted([ACTION_LOGGED, KIND_HOME, REVIEW_REQUESTED])


def test_status_6_after_connecting_needs_no_5c2m(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    result = log(
        lead_id,
        status=6,
        outcome=Outcome.CONNECTED,
        reason_code="予算なし",
        reason_memo="来期まで予算なし",
        shown=_shown(lead_id, status=3),
    )
    assert result.review_requested and _lead(team, lead_id).status == 6


def test_a_new_action_withdraws_a_pending_review(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1", status=2)
    review_id = factories.review(team(), lead_id, by="R1", status=4)
    # The modal showed the status before the request (2); the rep keeps it and calls again.
    result = log(lead_id, status=2, outcome=Outcome.CONNECTED, shown=_shown(lead_id, status=2))
    assert result.review_withdrawn and not result.review_requested
    assert (result.status_before, result.status_after) == (2, 3)
    assert _lead(team, lead_id).status == 3
    with team() as uow:
        assert uow.session.get_one(NoActionReview, review_id).state == ReviewState.WITHDRAWN
        assert REVIEW_WITHDRAWN in set(uow.session.scalars(select(Notification.kind)))


def test_asking_again_replaces_the_pending_review(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    factories.review(team(), lead_id, by="R1", status=6)
    log(
        lead_id,
        status=6,
        reason_code="時期尚早",
        reason_memo="来年度に再検討",
        shown=_shown(lead_id, status=3),
    )
    with team() as uow:
        states = sorted(uow.session.scalars(select(NoActionReview.state)))
        assert states == [ReviewState.PENDING, ReviewState.WITHDRAWN]
        pending = uow.session.scalars(
            select(NoActionReview).where(NoActionReview.state == ReviewState.PENDING)
        ).one()
        assert (pending.previous_status, pending.reason_code) == (3, "時期尚早")


def test_inbound_first_action_reports_the_same_day_deadline(
    team: UnitOfWorkFactory, log: Any
) -> None:
    on_time = factories.lead(team(), owner="R1", inbound=True, cv_at=NOW - dt.timedelta(hours=1))
    late = factories.lead(team(), owner="R1", inbound=True, cv_at=NOW - dt.timedelta(days=3))
    first = log(on_time)
    assert (first.inbound_deadline, first.inbound_deadline_met) == (TODAY, True)
    assert first.early_actions == 1
    missed = log(late)
    assert missed.inbound_deadline == dt.date(2026, 11, 24) and missed.inbound_deadline_met is False
    again = log(on_time)
    assert again.inbound_deadline is None  # only the first approach counts


def test_no_first_approach_deadline_on_a_lead_the_crm_had_as_approached(
    team: UnitOfWorkFactory, log: Any
) -> None:
    # Imported as 未接続 (approached in the CRM before isops), no touch logged yet.
    imported = factories.lead(
        team(), owner="R1", inbound=True, status=2, cv_at=NOW - dt.timedelta(days=3)
    )
    result = log(imported, status=2, shown=_shown(imported, status=2))
    assert (result.inbound_deadline, result.inbound_deadline_met) == (None, None)


def test_a_past_date_left_untouched_is_fine_once_the_lead_is_closed(
    team: UnitOfWorkFactory, log: Any
) -> None:
    old = dt.date(2026, 11, 20)
    lead_id = factories.lead(team(), owner="R1", status=3, next_action_date=old)
    shown = _shown(lead_id, status=3, next_action_date=old)
    with pytest.raises(InvalidInput):  # still open: a stale date must be moved
        log(lead_id, status=3, next_action_date=old, shown=shown)
    result = log(lead_id, status=5, next_action_date=old, shown=shown, outcome=Outcome.CONNECTED)
    assert result.status_after == 5


def _race(*calls: Any) -> list[Any]:
    """Run `calls` at the same moment in threads; their results (or exceptions) in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(i: int, call: Any) -> None:
        barrier.wait()
        try:
            results[i] = call()
        except Exception as exc:  # reported to the test, which asserts on it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    return results


def test_concurrent_double_submission_records_one_action(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1")
    results = _race(*[lambda: log(lead_id, idempotency_key="slack_view:V9")] * 3)
    assert all(isinstance(r, ActionResult) for r in results), results
    assert sorted(r.duplicate for r in results) == [False, True, True]
    assert len({r.action_id for r in results}) == 1
    assert factories.count(team, Action) == 1
    assert _lead(team, lead_id).call_count == 1


def test_concurrent_logs_on_one_lead_keep_every_count(team: UnitOfWorkFactory, log: Any) -> None:
    lead_id = factories.lead(team(), owner="R1", status=2)
    results = _race(
        lambda: log(lead_id, status=2, idempotency_key="a"),
        lambda: log(lead_id, slack_user_id="M1", status=2, idempotency_key="b"),
        lambda: log(
            lead_id, status=2, channel=Channel.MAIL, outcome=Outcome.SENT, idempotency_key="c"
        ),
    )
    assert all(isinstance(r, ActionResult) and not r.duplicate for r in results), results
    lead = _lead(team, lead_id)
    assert (lead.call_count, lead.mail_count) == (2, 1)
    assert factories.count(team, Action) == 3


# -- 実施日時 and the suggested date (issue 11) -------------------------------------------------


def test_a_touch_logged_late_counts_when_it_happened(team: UnitOfWorkFactory, log: Any) -> None:
    # CV eight days ago; yesterday's touch is logged now. The CV window (7 days) closed two
    # days ago for a touch made now, but the call made six days after CV counts in it.
    cv_at = NOW - dt.timedelta(days=8)
    lead_id = factories.lead(team(), owner="R1", inbound=True, cv_at=cv_at, status=2)
    latest = factories.action(team(), lead_id, by="R1", acted_at=NOW - dt.timedelta(hours=1))
    six_days_after_cv = cv_at + dt.timedelta(days=6)
    result = log(
        lead_id,
        status=2,
        shown=_shown(lead_id, status=2),
        outcome=Outcome.VOICEMAIL,
        acted_at=six_days_after_cv,
    )
    assert result.backdated and result.acted_at == six_days_after_cv
    assert result.early_actions == 1  # in the window: shown in the confirmation
    lead = _lead(team, lead_id)
    assert (lead.call_count, lead.early_action_count) == (2, 1)
    # Older than the touch already logged: not the last touch, but the first.
    assert (lead.first_action_at, lead.last_action_at) == (
        six_days_after_cv,
        NOW - dt.timedelta(hours=1),
    )
    assert lead.last_outcome == "不在"
    with team() as uow:
        assert uow.session.get_one(Action, result.action_id).acted_at == six_days_after_cv
        assert latest != result.action_id
        note = uow.session.scalars(
            select(Notification).where(Notification.kind == ACTION_LOGGED)
        ).one()
        assert ActionResult.model_validate(note.payload["result"]).timezone == "Asia/Tokyo"


def test_a_late_first_touch_on_time_meets_the_inbound_deadline(
    team: UnitOfWorkFactory, log: Any
) -> None:
    # Arrived Thursday morning, called Thursday afternoon, logged Friday.
    thursday_cv = NOW - dt.timedelta(days=1)
    lead_id = factories.lead(team(), owner="R1", inbound=True, cv_at=thursday_cv)
    result = log(lead_id, acted_at=thursday_cv + dt.timedelta(hours=5))
    assert (result.inbound_deadline, result.inbound_deadline_met) == (
        dt.date(2026, 11, 26),
        True,
    )


@pytest.mark.parametrize(
    ("acted_at", "message"),
    [
        (NOW + dt.timedelta(minutes=5), "未来"),
        (NOW - dt.timedelta(days=7, hours=1), "7 日前まで"),
    ],
)
def test_acted_at_in_the_future_or_too_old_is_refused(
    team: UnitOfWorkFactory, log: Any, acted_at: dt.datetime, message: str
) -> None:
    lead_id = factories.lead(team(), owner="R1")
    with pytest.raises(InvalidInput) as caught:
        log(lead_id, acted_at=acted_at)
    assert message in caught.value.field_errors["acted_at"]
    assert factories.count(team, Action) == 0 and factories.count(team, Notification) == 0
    assert _lead(team, lead_id).call_count == 0


def test_the_suggested_date_left_as_shown_is_written(team: UnitOfWorkFactory, log: Any) -> None:
    due = factories.lead(team(), owner="R1", status=2, priority=1, next_action_date=TODAY)
    suggested = dt.date(2026, 12, 4)
    shown = ShownFields(due, 2, 1, TODAY, memo_digest(""), suggested_next_action_date=suggested)
    result = log(due, status=2, priority=1, next_action_date=suggested, shown=shown)
    assert result.next_action_date == suggested and "next_action_date" in result.changed
    assert _lead(team, due).next_action_date == suggested
    # The lead's own date picked back (today) is "as shown": a focus lead may not stay due.
    other = factories.lead(team(), owner="R1", status=2, priority=1, next_action_date=TODAY)
    shown = ShownFields(other, 2, 1, TODAY, memo_digest(""), suggested_next_action_date=suggested)
    with pytest.raises(InvalidInput) as caught:
        log(other, status=2, priority=1, next_action_date=TODAY, shown=shown)
    assert "明日以降" in caught.value.field_errors["next_action_date"]


def test_a_suggestion_does_not_overwrite_a_date_changed_meanwhile(
    team: UnitOfWorkFactory, log: Any
) -> None:
    lead_id = factories.lead(team(), owner="R1", status=3)
    suggested = dt.date(2026, 12, 28)
    shown = ShownFields(
        lead_id, 3, None, None, memo_digest(""), suggested_next_action_date=suggested
    )
    with team() as uow:  # the manager sets a date while the rep's modal is open
        uow.session.get_one(Lead, lead_id).next_action_date = dt.date(2026, 12, 10)
        uow.commit()
    result = log(lead_id, status=3, next_action_date=suggested, shown=shown)
    assert result.next_action_date == dt.date(2026, 12, 10)
    assert "next_action_date" not in result.changed
