"""The pure coaching rules (DOMAIN.md rules 4–6)."""

from __future__ import annotations

import datetime as dt

import pytest

from isops import limits, messages
from isops.enums import Channel, Outcome
from isops.rules import (
    Targets,
    add_months,
    five_c2m,
    log_problems,
    needs_5c2m_confirmation,
    next_action_date_problem,
    starts_review,
    status_after_outcome,
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
