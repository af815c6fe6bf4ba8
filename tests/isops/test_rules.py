"""The pure coaching rules (DOMAIN.md rules 4–6)."""

from __future__ import annotations

import datetime as dt

import pytest

from isops.enums import Channel, Outcome
from isops.rules import (
    Targets,
    add_months,
    five_c2m,
    next_action_date_problem,
    status_after_outcome,
)

T = Targets()
TODAY = dt.date(2026, 11, 27)


def test_5c2m_label_and_next_channel() -> None:
    progress = five_c2m(2, 0, T)
    assert progress.label() == "📞2/5 ✉️0/2"
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
