"""The pure coaching rules (DOMAIN.md rules 4–6)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from isops import limits, messages
from isops.calendar import BusinessCalendar
from isops.enums import Channel, Outcome, Priority
from isops.rules import (
    QuickDate,
    Targets,
    acted_at_problem,
    add_months,
    five_c2m,
    log_problems,
    needs_5c2m_confirmation,
    next_action_date_problem,
    outcome_channel,
    progress_after_touch,
    quick_next_action_dates,
    starts_review,
    status_after_outcome,
    suggest_next_action_date,
)

T = Targets()
TODAY = dt.date(2026, 11, 27)


def test_5c2m_label_and_next_channel() -> None:
    progress = five_c2m(2, 0, T)
    assert progress.label() == "架電 2/5・メール 0/2"  # words: Slack shows bot.texts' symbols
    assert progress.next_channel() is Channel.MAIL  # 0/2 mails is further behind than 2/5 calls
    assert five_c2m(0, 1, T).next_channel() is Channel.CALL
    assert five_c2m(5, 2, T).complete
    assert five_c2m(5, 2, T).next_channel() is None


@pytest.mark.parametrize(
    ("current", "outcome", "expected"),
    [
        (1, Outcome.ABSENT, 2),
        (1, Outcome.CONNECTED, 3),
        (2, Outcome.REPLIED, 3),
        (3, Outcome.ABSENT, 3),
        (5, Outcome.CONNECTED, 5),
    ],
)
def test_status_after_outcome(current: int, outcome: Outcome, expected: int) -> None:
    assert status_after_outcome(current, outcome) == expected


def test_next_action_date_rules() -> None:
    def problem(day: dt.date | None, priority: int | None) -> str | None:
        return next_action_date_problem(
            next_action_date=day, priority=priority, today=TODAY, targets=T, status=2
        )

    assert (
        problem(TODAY - dt.timedelta(days=1), None) == "次回活動予定日に過去の日付は指定できません"
    )
    assert problem(None, 1) == "注力リードには次回活動予定日が必要です"
    assert problem(TODAY + dt.timedelta(days=61), 1) is not None
    assert problem(TODAY + dt.timedelta(days=60), 1) is None
    assert problem(TODAY + dt.timedelta(days=200), 2) is None
    assert problem(None, None) is None


def test_add_months_clamps_to_month_end() -> None:
    assert add_months(dt.date(2026, 11, 30), 3) == dt.date(2027, 2, 28)
    assert add_months(dt.date(2026, 1, 15), 3) == dt.date(2026, 4, 15)
    assert add_months(dt.date(2026, 10, 31), 14) == dt.date(2027, 12, 31)


def _log(**changes: object) -> dict[str, str]:
    """`log_problems` of a fine call to a connected lead, with `changes`."""
    fields: dict[str, object] = {
        "channel": Channel.CALL,
        "outcome": Outcome.CONNECTED,
        "status": 3,
        "priority": None,
        "next_action_date": None,
        "next_action_date_untouched": False,
        "memo": "",
        "current_memo": "",
        "review": False,
        "reason_code": None,
        "reason_memo": "",
        "reason_codes": ("対象外",),
        "today": TODAY,
        "targets": T,
        **changes,
    }
    return log_problems(**fields)  # type: ignore[arg-type]


def test_a_log_s_fields_are_checked_in_one_rule() -> None:
    assert _log() == {}
    assert _log(outcome=Outcome.SENT) == {"outcome": messages.choose_outcome("架電")}
    assert _log(status=7) == {"status": messages.CHOOSE_STATUS}
    assert _log(priority=3) == {"priority": messages.CHOOSE_PRIORITY}
    too_long = "あ" * (limits.MEMO + 1)
    assert _log(memo=too_long) == {"memo": messages.MEMO_TOO_LONG}
    assert _log(memo=too_long, current_memo=too_long) == {}  # handed back unchanged
    assert _log(status=4, review=True) == {
        "reason_code": messages.REASON_CODE_REQUIRED,
        "reason_memo": messages.REASON_MEMO_REQUIRED,
    }
    assert _log(status=4, review=True, reason_code="対象外", reason_memo=too_long) == {
        "reason_memo": messages.REASON_MEMO_TOO_LONG
    }
    past = TODAY - dt.timedelta(days=1)
    assert _log(next_action_date=past) == {"next_action_date": messages.PAST_NEXT_ACTION_DATE}
    # An old date left as it was matters only while the lead stays open.
    assert _log(status=5, next_action_date=past, next_action_date_untouched=True) == {}
    assert _log(status=3, next_action_date=past, next_action_date_untouched=True) != {}


def test_a_review_starts_on_a_new_4_or_6_or_again_while_one_waits() -> None:
    assert starts_review(status=4, current_status=2, review_pending=False)
    assert not starts_review(status=4, current_status=4, review_pending=False)  # already 4
    assert starts_review(status=6, current_status=6, review_pending=True)  # asked again
    assert not starts_review(status=3, current_status=4, review_pending=True)
    behind, done = five_c2m(2, 0, T), five_c2m(5, 2, T)
    assert needs_5c2m_confirmation(status=4, review=True, progress=behind)
    assert not needs_5c2m_confirmation(status=4, review=True, progress=done)
    assert not needs_5c2m_confirmation(status=6, review=True, progress=behind)


# -- the log modal's suggestions and 実施日時 (issue 11) -----------------------------------------

CALENDAR = BusinessCalendar(
    tz=ZoneInfo("Asia/Tokyo"),
    company_holidays=("12-29", "12-30", "12-31", "01-01", "01-02", "01-03"),
)
FRIDAY = dt.date(2026, 11, 27)


def _suggest(status: int, priority: int | None = None, calls: int = 1, **kw: Any) -> dt.date | None:
    return suggest_next_action_date(
        status=status,
        priority=priority,
        progress=five_c2m(calls, 0 if calls < 5 else 2, T),
        today=kw.pop("today", FRIDAY),
        calendar=CALENDAR,
        targets=kw.pop("targets", T),
    )


def test_the_suggested_next_action_date_follows_the_leads_state() -> None:
    # Not connected, 5C2M under way: the next business day (Friday → Monday).
    assert _suggest(1) == _suggest(2) == dt.date(2026, 11, 30)
    # 5C2M done without reaching the person, or a connected focus lead: a week.
    assert _suggest(2, calls=5) == dt.date(2026, 12, 4)
    assert _suggest(3, Priority.FOCUS) == dt.date(2026, 12, 4)
    # Connected, not focus: a month, moved off the weekend (12/27 is a Sunday).
    assert _suggest(3) == _suggest(3, Priority.NON_FOCUS) == dt.date(2026, 12, 28)
    # Closed: no date to suggest.
    assert {_suggest(s) for s in (4, 5, 6)} == {None}
    # Always after today, never past rule 5's window.
    assert _suggest(3, targets=Targets(focus_max_days=3)) == dt.date(2026, 11, 30)
    # Over the year-end holidays (12/29–1/3) the next business day is in January.
    assert _suggest(2, today=dt.date(2026, 12, 28)) == dt.date(2027, 1, 4)


def test_quick_dates_are_business_days() -> None:
    quick = quick_next_action_dates(FRIDAY, CALENDAR)
    assert quick == {
        QuickDate.NEXT_BUSINESS_DAY: dt.date(2026, 11, 30),
        QuickDate.THREE_BUSINESS_DAYS: dt.date(2026, 12, 2),
        QuickDate.ONE_WEEK: dt.date(2026, 12, 4),
        QuickDate.ONE_MONTH: dt.date(2026, 12, 28),
    }
    tuesday = quick_next_action_dates(dt.date(2026, 12, 1), CALENDAR)
    assert tuesday[QuickDate.NEXT_BUSINESS_DAY] == dt.date(2026, 12, 2)
    assert tuesday[QuickDate.ONE_MONTH] == dt.date(2027, 1, 4)  # 1/1 is a holiday


def test_acted_at_is_not_in_the_future_and_at_most_seven_days_back() -> None:
    now = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    assert acted_at_problem(now, now=now) is None
    assert acted_at_problem(now + dt.timedelta(seconds=30), now=now) is None  # a clock ahead
    assert acted_at_problem(now + dt.timedelta(minutes=2), now=now) == messages.ACTED_AT_IN_FUTURE
    assert acted_at_problem(now - dt.timedelta(days=7), now=now) is None
    too_old = acted_at_problem(now - dt.timedelta(days=7, minutes=1), now=now)
    assert too_old == messages.acted_at_too_old(7)
    assert "7 日前まで" in too_old


def test_a_worked_focus_lead_is_not_left_due_today() -> None:
    assert _log(priority=1, next_action_date=TODAY) == {
        "next_action_date": messages.FOCUS_DATE_AFTER_TODAY
    }
    assert _log(priority=1, next_action_date=TODAY + dt.timedelta(days=1)) == {}
    assert _log(priority=2, next_action_date=TODAY) == {}  # not focus: today is fine
    # Closed by this log (a review, FS): the lead leaves the list anyway.
    assert "next_action_date" not in _log(
        priority=1, next_action_date=TODAY, status=5, review=False
    )


def test_outcomes_know_their_channel_and_a_touch_counts_in_5c2m() -> None:
    assert outcome_channel(Outcome.ABSENT) is Channel.CALL
    assert outcome_channel(Outcome.REPLIED) is Channel.MAIL
    assert progress_after_touch(five_c2m(4, 1, T), Channel.MAIL) == five_c2m(4, 2, T)
