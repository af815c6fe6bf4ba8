"""Pure coaching rules from DOMAIN.md (no database, no Slack): 5C2M, deadlines, hygiene, and
what a logged action's fields must satisfy."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Collection
from dataclasses import dataclass

from isops import limits, messages
from isops.calendar import BusinessCalendar
from isops.date_labels import date_label
from isops.enums import (
    CLOSED_STATUSES,
    NEEDS_REVIEW_STATUSES,
    NOT_CONNECTED_STATUSES,
    OPEN_STATUSES,
    OUTCOMES_BY_CHANNEL,
    PRIORITIES,
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
        """`架電 2/5・メール 0/2`: the progress in words, for the domain's own messages.
        Slack surfaces show it with the symbols of `bot.texts.five_c2m_label`."""
        return f"架電 {self.calls}/{self.target_calls}・メール {self.mails}/{self.target_mails}"


def five_c2m(calls: int, mails: int, targets: Targets) -> FiveC2M:
    return FiveC2M(calls, mails, targets.calls, targets.mails)


def progress_after_touch(progress: FiveC2M, channel: Channel) -> FiveC2M:
    """5C2M progress with one more touch on `channel` (the one being logged)."""
    return FiveC2M(
        progress.calls + (channel == Channel.CALL),
        progress.mails + (channel == Channel.MAIL),
        progress.target_calls,
        progress.target_mails,
    )


def chases_5c2m(status: int) -> bool:
    """5C2M applies until the person is reached (statuses 1 and 2)."""
    return status in NOT_CONNECTED_STATUSES


def counts_as_early(cv_at: dt.datetime, acted_at: dt.datetime, targets: Targets) -> bool:
    """Rule 4: an action within `early_window_days` of the lead's CV."""
    return cv_at <= acted_at <= cv_at + dt.timedelta(days=targets.early_window_days)


def outcome_channel(outcome: Outcome) -> Channel:
    """The channel an outcome belongs to (不在 → 架電, 返信あり → メール)."""
    return next(ch for ch, outcomes in OUTCOMES_BY_CHANNEL.items() if outcome in outcomes)


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
        return messages.PAST_NEXT_ACTION_DATE
    closed = status in CLOSED_STATUSES
    if priority == Priority.FOCUS and not closed:
        if next_action_date is None:
            return messages.FOCUS_NEEDS_NEXT_ACTION_DATE
        limit = today + dt.timedelta(days=targets.focus_max_days)
        if next_action_date > limit:
            return messages.focus_date_too_far(
                targets.focus_max_days, date_label(limit, today=today)
            )
    return None


def starts_review(*, status: int, current_status: int, review_pending: bool) -> bool:
    """Rule 3: logging 4/6 asks the manager when it is newly chosen, or chosen again while a
    review waits (the new action withdraws that one, and this one takes its place)."""
    return status in NEEDS_REVIEW_STATUSES and (review_pending or status != current_status)


def log_problems(
    *,
    channel: Channel,
    outcome: Outcome,
    status: int,
    priority: int | None,
    next_action_date: dt.date | None,
    next_action_date_untouched: bool,
    memo: str,
    current_memo: str,
    review: bool,
    reason_code: str | None,
    reason_memo: str,
    reason_codes: Collection[str],
    today: dt.date,
    targets: Targets,
) -> dict[str, str]:
    """What is wrong with a logged action and the four fields it leaves on the lead, as field
    → Japanese message (empty when nothing is). `memo` is what the rep submitted; `review`
    whether the log starts a manager review (`starts_review`)."""
    errors: dict[str, str] = {}
    if outcome not in OUTCOMES_BY_CHANNEL[channel]:
        errors["outcome"] = messages.choose_outcome(channel.label)
    if status not in set(ActionStatus):
        errors["status"] = messages.CHOOSE_STATUS
    if priority is not None and priority not in PRIORITIES:
        errors["priority"] = messages.CHOOSE_PRIORITY
    # The limit is on what the rep submitted, which they can shorten — not on the memo it is
    # appended to (an imported CRM memo may be far longer). Handing back the current memo
    # unchanged is not a submission of new text.
    if len(memo) > limits.MEMO and memo != current_memo:
        errors["memo"] = messages.MEMO_TOO_LONG
    if review:
        if reason_code not in reason_codes:
            errors["reason_code"] = messages.REASON_CODE_REQUIRED
        if not reason_memo:
            errors["reason_memo"] = messages.REASON_MEMO_REQUIRED
        elif len(reason_memo) > limits.MEMO:
            errors["reason_memo"] = messages.REASON_MEMO_TOO_LONG
    # An old date the rep did not touch only matters while the lead stays open.
    stale_ok = next_action_date_untouched and status not in OPEN_STATUSES
    problem = next_action_date_problem(
        next_action_date=None if stale_ok else next_action_date,
        priority=priority,
        today=today,
        targets=targets,
        status=status,
    )
    if (
        problem is None
        and next_action_date == today
        and priority == Priority.FOCUS
        and status in OPEN_STATUSES
    ):
        # The touch logged now is today's; a focus lead left due today would stay on the
        # list as 次回 本日 after it was worked (rule 2).
        problem = messages.FOCUS_DATE_AFTER_TODAY
    if problem:
        errors["next_action_date"] = problem
    return errors


def needs_5c2m_confirmation(*, status: int, review: bool, progress: FiveC2M) -> bool:
    """Rule 4: dropping a lead before connecting (4) with 5C2M incomplete is confirmed by the
    rep first (one-shot follow-up is the habit to break)."""
    return review and status == ActionStatus.NO_ACTION_BEFORE_CONNECT and not progress.complete


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


# -- when a touch happened (実施日時) ---------------------------------------------------------------

ACTED_AT_MAX_DAYS_BACK = 7  # a touch logged late: at most this many days back
# A time picked on a phone whose clock runs a little ahead is still "now".
ACTED_AT_CLOCK_SKEW = dt.timedelta(minutes=1)


def acted_at_problem(acted_at: dt.datetime, *, now: dt.datetime) -> str | None:
    """A touch logged late (実施日時): not in the future, at most ACTED_AT_MAX_DAYS_BACK days
    back (7, the same as rule 4's window: a touch inside the CV window is counted there)."""
    if acted_at > now + ACTED_AT_CLOCK_SKEW:
        return messages.ACTED_AT_IN_FUTURE
    if acted_at < now - dt.timedelta(days=ACTED_AT_MAX_DAYS_BACK):
        return messages.acted_at_too_old(ACTED_AT_MAX_DAYS_BACK)
    return None


# -- the next action date the log modal suggests ------------------------------------------------


def suggest_next_action_date(
    *,
    status: int,
    priority: int | None,
    progress: FiveC2M,
    today: dt.date,
    calendar: BusinessCalendar,
    targets: Targets,
) -> dt.date | None:
    """The next action date to pre-fill after a touch, always after today, by the state the
    touch leaves the lead in (`status`: the status after it):

    - not connected (1, 2), 5C2M incomplete → the next business day (rule 4: five calls and
      two mails, five actions within 7 days of CV, need a touch about every business day);
    - not connected, 5C2M complete, or connected (3) and focus → a week later (rule 2: a focus
      lead is worked while it is hot);
    - connected, not focus → a month later (nurturing);
    - closed (4, 5, 6) → None: the lead leaves the list (a manager review, FS, rule 6).

    A date on a weekend or holiday moves to the next business day; none is later than rule 5's
    `focus_max_days`."""
    if status in CLOSED_STATUSES:
        return None
    if status in NOT_CONNECTED_STATUSES and not progress.complete:
        day = calendar.next_business_day(today)
    elif status in NOT_CONNECTED_STATUSES or priority == Priority.FOCUS:
        day = calendar.business_day_on_or_after(today + dt.timedelta(days=7))
    else:
        day = calendar.business_day_on_or_after(add_months(today, 1))
    latest = today + dt.timedelta(days=targets.focus_max_days)
    while day > latest and day > today + dt.timedelta(days=1):
        day = calendar.previous_business_day(day)
    return max(day, today + dt.timedelta(days=1))


class QuickDate(enum.Enum):
    """The log modal's one-tap choices beside the next-action-date picker."""

    NEXT_BUSINESS_DAY = "next"  # 明日 (the next business day: Friday → Monday)
    THREE_BUSINESS_DAYS = "3bd"  # 3営業日後
    ONE_WEEK = "1w"  # 1週間後
    ONE_MONTH = "1m"  # 1ヶ月後


def quick_next_action_dates(today: dt.date, calendar: BusinessCalendar) -> dict[QuickDate, dt.date]:
    """Each quick choice's date, on a business day (a week or a month later that falls on a
    day off moves to the next business day)."""
    third = today
    for _ in range(3):
        third = calendar.next_business_day(third)
    return {
        QuickDate.NEXT_BUSINESS_DAY: calendar.next_business_day(today),
        QuickDate.THREE_BUSINESS_DAYS: third,
        QuickDate.ONE_WEEK: calendar.business_day_on_or_after(today + dt.timedelta(days=7)),
        QuickDate.ONE_MONTH: calendar.business_day_on_or_after(add_months(today, 1)),
    }
