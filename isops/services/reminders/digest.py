"""What a morning digest holds: plain values for the DM builder (no ORM, no Slack).

A rep's sections, most urgent first (DOMAIN.md rules 1–5, reports a–e), and a manager's part:
pending reviews, yesterday's team figures and away reps' hot leads.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from isops.enums import Outcome
from isops.rules import FiveC2M
from isops.services.cases_matching import CaseMatch, LeadProfile
from isops.services.handoff_reports import UnratedHandoff


@dataclass(frozen=True)
class Recipient:
    """A member whose morning message is due, with their local business date.

    `as_of`: the moment the digest is computed as of — set for a date chosen by hand (that
    date at ISOPS_REMIND_AT in the member's zone); None means the run's own `now`."""

    member_id: int
    slack_user_id: str
    name: str
    business_date: dt.date
    as_of: dt.datetime | None = None


@dataclass(frozen=True)
class LastTouch:
    """A lead's last touch: when (UTC, and in the team's zone) and its result."""

    at: dt.datetime
    local: dt.datetime
    outcome: Outcome | None


@dataclass(frozen=True)
class LeadLine:
    """One lead as a reminder line (values only, no ORM)."""

    lead_id: int
    company: str
    contact_name: str | None
    source: str | None
    status: int
    cv_at: dt.datetime
    days_since_cv: int
    next_action_date: dt.date | None
    progress: FiveC2M
    early_actions: int
    early_target: int
    in_early_window: bool
    inbound_deadline: dt.date | None
    # What a rep needs to make the call (issue 11): how to reach the person, the last touch,
    # and the first line of the memo.
    phone: str | None = None
    email: str | None = None
    last_touch: LastTouch | None = None
    memo_head: str = ""
    # What the case to talk from is matched on (issue 14); None: not read.
    profile: LeadProfile | None = None

    @property
    def early_behind(self) -> bool:
        """Still inside the N-day window after CV with fewer than the target actions (rule 4)."""
        return self.in_early_window and self.early_actions < self.early_target


@dataclass(frozen=True)
class LeadList:
    """The first lines of a list and how many there are in all."""

    items: tuple[LeadLine, ...] = ()
    total: int = 0


@dataclass(frozen=True)
class ReturnedDecision:
    """A status 4/6 decision the manager returned (差し戻し), with the reason to chase."""

    review_id: int
    lead_id: int
    company: str
    contact_name: str | None
    requested_status: int
    reason_code: str
    return_reason: str
    returned_by: str | None
    returned_at: dt.datetime
    phone: str | None = None
    email: str | None = None
    last_touch: LastTouch | None = None
    memo_head: str = ""
    profile: LeadProfile | None = None


@dataclass(frozen=True)
class RepDigest:
    inbound: LeadList = LeadList()
    focus_due: LeadList = LeadList()
    overdue: LeadList = LeadList()
    five_c2m: LeadList = LeadList()
    returned: tuple[ReturnedDecision, ...] = ()
    hygiene: LeadList = LeadList()
    awaiting_review: int = 0  # status 4/6 requests waiting for the manager (承認待ち)

    @property
    def is_empty(self) -> bool:
        lists = (self.inbound, self.focus_due, self.overdue, self.five_c2m, self.hygiene)
        return not self.returned and all(part.total == 0 for part in lists)


@dataclass(frozen=True)
class PendingReviewSummary:
    count: int = 0
    oldest_company: str | None = None
    oldest_rep: str | None = None
    oldest_since: dt.datetime | None = None


@dataclass(frozen=True)
class RepOverdue:
    name: str
    slack_user_id: str
    count: int


@dataclass(frozen=True)
class TeamFigures:
    """The previous business day's habits (with the non-business days after it)."""

    day: dt.date
    inbound_on_time: int = 0
    inbound_due: int = 0
    early_reached: int = 0
    early_due: int = 0
    most_overdue: tuple[RepOverdue, ...] = ()

    @property
    def is_empty(self) -> bool:
        return self.inbound_due == 0 and self.early_due == 0 and not self.most_overdue


@dataclass(frozen=True)
class AwayRep:
    """A rep on leave today, with the hot leads that must not wait for their return."""

    name: str
    slack_user_id: str
    until: dt.date
    inbound: LeadList = LeadList()
    focus_due: LeadList = LeadList()
    overdue: LeadList = LeadList()

    @property
    def has_hot_leads(self) -> bool:
        return any(part.total for part in (self.inbound, self.focus_due, self.overdue))


@dataclass(frozen=True)
class RepToday:
    """One rep's row in the manager's DM: what is overdue or waiting this morning."""

    member_id: int
    name: str
    slack_user_id: str
    inbound_overdue: int = 0  # 🔥 inbound leads past their deadline, not approached
    focus_overdue: int = 0  # ⏰ focus leads past their next action date
    five_c2m_behind: int = 0  # 🔁 open leads not connected with 5C2M incomplete
    pending_reviews: int = 0  # 承認待ち: their status 4/6 requests waiting for the manager
    away_until: dt.date | None = None


@dataclass(frozen=True)
class MissedLead:
    """An inbound lead the previous business day's deadline passed without an approach."""

    lead_id: int
    company: str
    contact_name: str | None
    rep_name: str | None


@dataclass(frozen=True)
class ManagerDigest:
    team_size: int
    pending: PendingReviewSummary
    figures: TeamFigures
    away: tuple[AwayRep, ...] = ()
    # Issue 13: one row per rep, and the names of yesterday's missed inbound leads.
    reps: tuple[RepToday, ...] = ()
    missed_inbound: tuple[MissedLead, ...] = ()
    missed_inbound_total: int = 0

    @property
    def is_empty(self) -> bool:
        return (
            self.pending.count == 0
            and self.figures.is_empty
            and not any(rep.has_hot_leads for rep in self.away)
        )


@dataclass(frozen=True)
class MorningDigest:
    member_id: int
    slack_user_id: str
    name: str
    business_date: dt.date
    rep: RepDigest
    manager: ManagerDigest | None = None
    # FS 未評価 (issue 12): meetings this manager's FS (or, for an admin, an FS without a
    # manager) left unrated after three requests.
    fs_unrated: tuple[UnratedHandoff, ...] = ()
    # The case to talk from for each listed lead that has one (issue 14), by lead id.
    cases: Mapping[int, CaseMatch] = field(default_factory=dict)

    @property
    def is_empty(self) -> bool:
        """Nothing to do and nothing to decide: no DM at all (no noise)."""
        return (
            self.rep.is_empty
            and (self.manager is None or self.manager.is_empty)
            and not self.fs_unrated
        )
