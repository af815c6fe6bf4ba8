"""Morning reminders: who is due, and each member's digest as plain data.

What a rep sees (DOMAIN.md rules 1–5, reports a–e), most urgent first:
🔥 inbound leads at or past their first-approach deadline, not yet approached (rule 1;
   `isops.approach`: status 1 and no touch logged),
📅 focus leads whose next action date has come, overdue ones apart (rule 2),
🔁 leads not yet connected with 5C2M incomplete (rule 4),
↩️ decisions the manager returned, with the reason (rule 3),
🧹 focus leads without a next action date or with one too far out (rule 5).
A manager also sees pending reviews, yesterday's team figures and away reps' hot leads.

Cost: the digest reads the counters kept on `leads` (never `actions`), only open leads of the
recipients (index `ix_leads_owner_status`), a bounded number of rows per section (window
functions), in a fixed number of statements per business date — whatever the number of leads.

One concern per module: `digest` (what a digest holds), `recipients` (who is due), `day`
(a business date's boundaries), `sections` (a rep's sections), `pending` (reviews waiting),
`manager` (a manager's figures), `compute` (putting a day's digests together), `timezones`
(members' zones from Slack). The names callers use are here.
"""

from isops.services.reminders.compute import DM_SECTION_LIMIT, compute_digests, digest_for_member
from isops.services.reminders.digest import (
    AwayRep,
    LastTouch,
    LeadLine,
    LeadList,
    ManagerDigest,
    MissedLead,
    MorningDigest,
    PendingReviewSummary,
    Recipient,
    RepDigest,
    RepOverdue,
    RepToday,
    ReturnedDecision,
    TeamFigures,
)
from isops.services.reminders.recipients import due_recipients
from isops.services.reminders.timezones import members_without_timezone, record_timezones

__all__ = [
    "DM_SECTION_LIMIT",
    "AwayRep",
    "LastTouch",
    "LeadLine",
    "LeadList",
    "ManagerDigest",
    "MissedLead",
    "MorningDigest",
    "PendingReviewSummary",
    "Recipient",
    "RepDigest",
    "RepOverdue",
    "RepToday",
    "ReturnedDecision",
    "TeamFigures",
    "compute_digests",
    "digest_for_member",
    "due_recipients",
    "members_without_timezone",
    "record_timezones",
]
