"""How long a lead's fields may be, which dates it may carry, and the one stored form of its
e-mail.

Every write path (/lead, the webhook, the CSV import, logging an action) takes its limits
from here, so a value one path accepts is never refused by another. The text lengths are the
column sizes in `isops.models` (a test keeps them in step).
"""

from __future__ import annotations

import datetime as dt

from isops.date_labels import date_label

COMPANY = 200
CONTACT_NAME = 200
TITLE = 200
INDUSTRY = 100
EMAIL = 320  # RFC 5321: 64 local + @ + 255 domain, rounded as most CRMs do
PHONE = 50
SOURCE = 100
EXTERNAL_ID = 200
OWNER_REF = 320  # a member's Slack user id or e-mail

# What a rep submits as an action memo at once: issue 3's limit, and Slack's own limit for a
# plain_text_input. The stored memo (a Text column) may be longer — an imported CRM memo, or
# one the rep appended to — and is then shown as "too long to edit" with typed text appended.
MEMO = 3000
# A memo as a CRM export may carry it (CSV import only).
IMPORTED_MEMO = 20_000


def normalize_email(email: str) -> str:
    """The form a lead's e-mail is stored and matched in: trimmed and lower-cased, so that
    `Lead.email = :email` (indexed) finds `Taro@Example.com` from any path.

    The local part is case-sensitive in theory; in practice no mail system is, and CRMs
    deduplicate the same way."""
    return email.strip().lower()


# The dates a lead may carry. A CV (流入日時) is when the lead came in: a CRM export holds
# years of them, none before CRMs were common, and one more than a day ahead is a mistake (a
# 9999-12-31 placeholder, day and month swapped) that would stay "hot" for ever. A next action
# date may be overdue, or as far ahead as a contract renewal, but not a 2099 "some day".
EARLIEST_DATE = dt.date(2000, 1, 1)
CV_AT_AHEAD = dt.timedelta(days=1)
NEXT_ACTION_YEARS_AHEAD = 5


def cv_at_out_of_range(moment: dt.datetime, *, now: dt.datetime, tz: dt.tzinfo) -> str | None:
    """Why `moment` (aware) cannot be a lead's CV time, as a Japanese message, or None.

    The window: from EARLIEST_DATE in the team's time zone `tz` to `now` + CV_AT_AHEAD."""
    latest = now + CV_AT_AHEAD
    # The year first: converting 0001-01-01 or 9999-12-31 would overflow.
    if (
        not EARLIEST_DATE.year - 1 <= moment.year <= latest.year
        or moment.astimezone(tz).date() < EARLIEST_DATE
        or moment > latest
    ):
        return f"{date_label(EARLIEST_DATE)} から現在の 1 日後までの日時にしてください"
    return None


def next_action_date_out_of_range(day: dt.date, *, today: dt.date) -> str | None:
    """Why `day` cannot be a next action date (a typo or a placeholder), or None."""
    latest = dt.date(today.year + NEXT_ACTION_YEARS_AHEAD, 12, 31)
    if EARLIEST_DATE <= day <= latest:
        return None
    return (
        f"{date_label(EARLIEST_DATE, today=today)} から {date_label(latest, today=today)}"
        " までの日付にしてください"
    )


# The FS hand-off note (issue 12): each of its five parts as the rep types it in the log
# modal. A third of Slack's plain_text_input limit, so the whole note fits in one FS DM.
HANDOFF_NOTE = 1000
# The FS's comment on a verdict (理由・IS に戻す理由) and its length.
HANDOFF_COMMENT = 1000
# A meeting is set for today or later, and not beyond this (a typo, a placeholder year).
MEETING_DAYS_AHEAD = 366
