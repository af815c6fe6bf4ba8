"""Pure coaching rules from DOMAIN.md (no database, no Slack): 5C2M, deadlines, hygiene."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from isops.enums import (
    CLOSED_STATUSES,
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    ActionStatus,
    Channel,
    Outcome,
    Priority,
)


@dataclass(frozen=True)
class Targets:
    """The numbers a team may change (DOMAIN.md defaults in parentheses)."""

    calls: int = 5  # 5C2M: five calls
    mails: int = 2  # … and two mails
    early_window_days: int = 7  # actions within N days of CV
    early_actions: int = 5  # … at least this many
    focus_max_days: int = 60  # rule 5: next action within ~2 months


@dataclass(frozen=True)
class FiveC2M:
    """Rule 4 progress for one lead."""

    calls: int
    mails: int
    target_calls: int
    target_mails: int

    @property
    def complete(self) -> bool:
        return self.calls >= self.target_calls and self.mails >= self.target_mails

    def next_channel(self) -> Channel | None:
        """The channel that is further behind its target (rule 4: break one-channel habits)."""
        if self.complete:
            return None
        call_share = self.calls / self.target_calls if self.target_calls else 1.0
        mail_share = self.mails / self.target_mails if self.target_mails else 1.0
        return Channel.MAIL if mail_share < call_share else Channel.CALL

    def label(self) -> str:
        """`📞2/5 ✉️0/2` as the reps see it everywhere."""
        return f"📞{self.calls}/{self.target_calls} ✉️{self.mails}/{self.target_mails}"


def five_c2m(calls: int, mails: int, targets: Targets) -> FiveC2M:
    return FiveC2M(calls, mails, targets.calls, targets.mails)


def chases_5c2m(status: int) -> bool:
    """5C2M applies until the person is reached (statuses 1 and 2)."""
    return status in NOT_CONNECTED_STATUSES


def counts_as_early(cv_at: dt.datetime, acted_at: dt.datetime, targets: Targets) -> bool:
    """Rule 4: an action within `early_window_days` of the lead's CV."""
    return cv_at <= acted_at <= cv_at + dt.timedelta(days=targets.early_window_days)


def status_after_outcome(current: ActionStatus, outcome: Outcome) -> ActionStatus:
    """Logging a touch moves an open lead forward unless the rep chose otherwise:
    a connected call or a reply means 接続済; any other touch means 未接続 (from 未対応).
    A closed status (4, 5, 6) stays."""
    if outcome in (Outcome.CONNECTED, Outcome.REPLIED):
        return ActionStatus.CONNECTED if current in OPEN_STATUSES else current
    if current == ActionStatus.UNTOUCHED:
        return ActionStatus.NOT_CONNECTED
    return current


def next_action_date_problem(
    *,
    next_action_date: dt.date | None,
    priority: int | None,
    today: dt.date,
    targets: Targets,
    status: int,
) -> str | None:
    """Rule 5 as a Japanese field error, or None when the date is fine."""
    if next_action_date is not None and next_action_date < today:
        return "次回活動予定日に過去の日付は指定できません"
    closed = status in CLOSED_STATUSES
    if priority == Priority.FOCUS and not closed:
        if next_action_date is None:
            return "注力リードには次回活動予定日が必要です"
        limit = today + dt.timedelta(days=targets.focus_max_days)
        if next_action_date > limit:
            return (
                f"注力リードの次回活動予定日は {targets.focus_max_days} 日以内"
                f" ({limit:%Y/%m/%d} まで) にしてください"
            )
    return None


def add_months(day: dt.date, months: int) -> dt.date:
    """`day` plus calendar months, clamped to the month's end (rule 6 re-approach date)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    for dom in range(day.day, 27, -1):
        try:
            return dt.date(year, month, dom)
        except ValueError:
            continue
    return dt.date(year, month, min(day.day, 28))
