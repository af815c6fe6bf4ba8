"""The schema (SQLAlchemy 2.x typed ORM). Changes go through Alembic in `migrations/`."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Enum,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from isops.case_vocabulary import CompanySize, TagKind
from isops.clock import utcnow
from isops.db import Base, IntEnumColumn, StrEnumColumn, UTCDateTime
from isops.enums import (
    ActionStatus,
    Channel,
    DeliveryState,
    HandoffVerdict,
    MeetingMode,
    Outcome,
    Priority,
    ReviewState,
    Role,
    RoleLevel,
)


def _str_enum(enum_cls: type[Any], length: int = 16) -> Enum:
    # Stored as VARCHAR holding the value (not the Python name), the same on both databases.
    return Enum(
        enum_cls,
        native_enum=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class Member(Base):
    """A person on the team, keyed by their Slack user id."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    slack_user_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(320))
    role: Mapped[Role] = mapped_column(_str_enum(Role))
    manager_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"), index=True)
    team: Mapped[str | None] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    timezone: Mapped[str | None] = mapped_column(String(64))
    # Round-robin position: the member assigned longest ago has the smallest number.
    last_assigned_seq: Mapped[int] = mapped_column(BigInteger, default=0, server_default=text("0"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    manager: Mapped[Member | None] = relationship(remote_side=[id], lazy="raise")


class AwayPeriod(Base):
    """休暇: inclusive dates when a member gets no reminders and no new leads."""

    __tablename__ = "away_periods"

    id: Mapped[int] = mapped_column(primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("start_date <= end_date", name="ordered"),
        Index("ix_away_periods_member_dates", "member_id", "start_date", "end_date"),
    )


class Lead(Base):
    """A lead with the four CRM fields (status, priority, next action date, memo)."""

    __tablename__ = "leads"

    id: Mapped[int] = mapped_column(primary_key=True)
    company: Mapped[str] = mapped_column(String(200))
    contact_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(200))
    role_level: Mapped[RoleLevel | None] = mapped_column(_str_enum(RoleLevel))
    industry: Mapped[str | None] = mapped_column(String(100))
    company_size: Mapped[CompanySize | None] = mapped_column(_str_enum(CompanySize))
    email: Mapped[str | None] = mapped_column(String(320), index=True)
    phone: Mapped[str | None] = mapped_column(String(50))
    source: Mapped[str | None] = mapped_column(String(100))
    inbound: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    cv_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    external_id: Mapped[str | None] = mapped_column(String(200), unique=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    # The field-sales member the lead was handed to (status 5, issue 12); the owner stays the rep.
    fs_member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))

    # The four CRM fields.
    status: Mapped[ActionStatus] = mapped_column(
        IntEnumColumn(ActionStatus), default=ActionStatus.UNTOUCHED, server_default=text("1")
    )
    priority: Mapped[Priority | None] = mapped_column(IntEnumColumn(Priority))
    next_action_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Normalised "company contact" (NFKC, casefold, katakana) for partial-match search.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")

    # Counters kept in step with `actions` in the same transaction, so the morning run
    # reads one row per open lead instead of aggregating millions of actions.
    call_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    mail_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    early_action_count: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    first_action_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_action_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_outcome: Mapped[Outcome | None] = mapped_column(StrEnumColumn(Outcome, 32))

    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    owner: Mapped[Member | None] = relationship(lazy="raise", foreign_keys=[owner_id])

    __table_args__ = (
        CheckConstraint("status BETWEEN 1 AND 6", name="status_range"),
        CheckConstraint("priority IS NULL OR priority IN (1, 2)", name="priority_range"),
        Index("ix_leads_owner_status", "owner_id", "status"),
        # The lead picker (/log-call options load): every column it filters and sorts on, so
        # a manager's team-wide search reads the index only (SQLite: ~5x faster at 100k leads).
        Index(
            "ix_leads_picker",
            "owner_id",
            "status",
            "priority",
            "next_action_date",
            "inbound",
            "first_action_at",
            "call_count",
            "mail_count",
            "cv_at",
            "search_text",
        ),
        # The duplicate check of /lead (same company + contact) is an equality on this.
        Index("ix_leads_search_text", "search_text"),
    )


class Action(Base):
    """One touch on a lead: a call, a mail or another channel, with its outcome."""

    __tablename__ = "actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    channel: Mapped[Channel] = mapped_column(_str_enum(Channel, 8))
    outcome: Mapped[Outcome] = mapped_column(StrEnumColumn(Outcome, 32))
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")
    acted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Slack's view id (or another request id): the same submission twice records one action.
    idempotency_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (Index("ix_actions_lead_acted_at", "lead_id", "acted_at"),)


class LeadHistory(Base):
    """Append-only: every change to a lead's four fields, owner and review decisions."""

    __tablename__ = "lead_history"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    field: Mapped[str] = mapped_column(String(32))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


class NoActionReview(Base):
    """A rep's decision "no action needed" (status 4 or 6), waiting for or given a verdict."""

    __tablename__ = "no_action_reviews"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"))
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    requested_status: Mapped[ActionStatus] = mapped_column(IntEnumColumn(ActionStatus))
    previous_status: Mapped[ActionStatus] = mapped_column(IntEnumColumn(ActionStatus))
    reason_code: Mapped[str] = mapped_column(String(50))
    memo: Mapped[str] = mapped_column(Text, default="", server_default="")
    state: Mapped[ReviewState] = mapped_column(_str_enum(ReviewState))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    return_reason: Mapped[str | None] = mapped_column(Text)
    reapproach_date: Mapped[dt.date | None] = mapped_column(Date)
    # Where the manager's interactive message lives, to update it in place.
    message_channel: Mapped[str | None] = mapped_column(String(32))
    message_ts: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (
        CheckConstraint("requested_status IN (4, 6)", name="requested_status"),
        Index("ix_no_action_reviews_state_created", "state", "created_at"),
        # At most one pending review per lead, enforced by the database on both engines.
        Index(
            "uq_no_action_reviews_pending_lead",
            "lead_id",
            unique=True,
            sqlite_where=text("state = 'pending'"),
            postgresql_where=text("state = 'pending'"),
        ),
    )


def new_delivery_key() -> str:
    """A delivery key for a message that has no natural one (every message needs a key)."""
    return f"n:{uuid.uuid4().hex}"


class Notification(Base):
    """Outbox: a message to send to Slack, stored with the change that caused it.

    Sent exactly once (isops.services.outbox): a sender claims one row at a time, which bumps
    `claim_token` and sets `lease_until`; every later write of that sender is conditional on
    the token (a fencing token), so a sender whose lease ran out and was taken over can neither
    send nor record. `delivery_key` is unique and travels with the Slack message as metadata,
    so a send whose outcome is unknown (`maybe_posted`) is looked up before it is repeated.
    """

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(50))
    # e.g. morning:<member id>:<YYYY-MM-DD> for the morning DM, n:<uuid> when nothing natural.
    delivery_key: Mapped[str] = mapped_column(String(200), unique=True, default=new_delivery_key)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[DeliveryState] = mapped_column(_str_enum(DeliveryState))
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Fencing: incremented by every claim; the claimer's writes require it unchanged.
    claim_token: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    # While "sending": the claim is the holder's until then, anyone's after.
    lease_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A chat.postMessage may have reached Slack without its answer reaching us.
    maybe_posted: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Not worth sending after this (a morning DM after ISOPS_REMIND_CATCHUP_UNTIL).
    expires_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Where the delivered message lives (a later chat.update needs both).
    sent_channel: Mapped[str | None] = mapped_column(String(32))
    sent_ts: Mapped[str | None] = mapped_column(String(32))

    __table_args__ = (Index("ix_notifications_state_next", "state", "next_attempt_at"),)


class AssignmentRule(Base):
    """Inbound routing: the first matching rule (by position) names a team or a member."""

    __tablename__ = "assignment_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    source: Mapped[str | None] = mapped_column(String(100))
    industry: Mapped[str | None] = mapped_column(String(100))
    team: Mapped[str | None] = mapped_column(String(100))
    member_id: Mapped[int | None] = mapped_column(ForeignKey("members.id", ondelete="CASCADE"))

    __table_args__ = (
        CheckConstraint("team IS NOT NULL OR member_id IS NOT NULL", name="has_target"),
    )


class IdempotencyKey(Base):
    """A request already handled (Events API event_id, webhook Idempotency-Key, ...)."""

    __tablename__ = "idempotency_keys"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    result: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)


# -- the case library (DOMAIN.md "Service understanding") -----------------------------------------


class CaseTag(Base):
    """A reusable problem (課題), feature (機能) or benefit (便益); one per kind and folded name,
    so 「受注率が低い」 and 「受注率が低い 」 are one tag and the value map adds them up."""

    __tablename__ = "case_tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TagKind] = mapped_column(_str_enum(TagKind))
    name: Mapped[str] = mapped_column(String(100))  # as first written
    key: Mapped[str] = mapped_column(String(400))  # isops.text.fold(name)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    __table_args__ = (UniqueConstraint("kind", "key"),)


class Case(Base):
    """A customer case reps learn from and talk from: who (industry, size, role), their state
    before (現状), and chains 課題 → 機能 → 便益 (`CaseChain`)."""

    __tablename__ = "cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The key of CSV round trips; generated (isops-…) for cases added in Slack.
    external_id: Mapped[str] = mapped_column(String(200), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    customer: Mapped[str | None] = mapped_column(String(200))  # may be anonymised
    industry: Mapped[str] = mapped_column(String(100))
    # fold(industry): matching a lead's industry and the 業種 filter are equalities on this.
    industry_key: Mapped[str] = mapped_column(String(400))
    company_size: Mapped[CompanySize | None] = mapped_column(_str_enum(CompanySize))
    role_level: Mapped[RoleLevel | None] = mapped_column(_str_enum(RoleLevel))
    situation: Mapped[str] = mapped_column(Text, default="", server_default="")  # 現状
    link: Mapped[str | None] = mapped_column(String(2000))
    archived: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))
    # Everything a keyword may hit (title, customer, industry, 現状, tags, 接続, 数値), folded.
    search_text: Mapped[str] = mapped_column(Text, default="", server_default="")
    # Bumped by every edit: an edit made on an older revision is refused, not merged.
    revision: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The weekly post picks the case shown least recently (NULL: never).
    last_shared_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_cases_archived_industry_key", "archived", "industry_key"),)


class CaseChain(Base):
    """One 課題 → 機能 (接続: how the feature answers the problem) → 便益 of a case, in order."""

    __tablename__ = "case_chains"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)
    problem_tag_id: Mapped[int] = mapped_column(ForeignKey("case_tags.id"), index=True)
    feature_tag_id: Mapped[int | None] = mapped_column(ForeignKey("case_tags.id"), index=True)
    benefit_tag_id: Mapped[int | None] = mapped_column(ForeignKey("case_tags.id"), index=True)
    connection: Mapped[str | None] = mapped_column(String(300))  # 接続
    figures: Mapped[str | None] = mapped_column(String(100))  # the benefit in numbers

    __table_args__ = (UniqueConstraint("case_id", "position"),)


class Handoff(Base):
    """One hand-off of a lead to field sales (status 5 商談化, issue 12) and the FS's verdict.

    A lead may be handed off again later (after ↩️ IS に戻す); at most one hand-off per lead
    waits for a verdict at a time. The verdict is set once by a compare-and-set on
    `verdict IS NULL` (isops.services.handoffs); `decided_at` stays the first verdict's time
    (the FS's response) and an admin's later change is `changed_at`/`changed_by_id`.
    """

    __tablename__ = "handoffs"

    id: Mapped[int] = mapped_column(primary_key=True)
    lead_id: Mapped[int] = mapped_column(ForeignKey("leads.id", ondelete="CASCADE"), index=True)
    # The rep: the lead's owner at hand-off (who stays its owner), else who logged it.
    rep_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("members.id"))
    fs_member_id: Mapped[int] = mapped_column(ForeignKey("members.id"), index=True)
    meeting_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    meeting_mode: Mapped[MeetingMode] = mapped_column(_str_enum(MeetingMode))
    # The hand-off note in the article's terms.
    situation: Mapped[str] = mapped_column(Text, default="", server_default="")  # 現状・理想
    problem: Mapped[str] = mapped_column(Text)  # 課題
    wants: Mapped[str] = mapped_column(Text)  # 求めている情報
    decision_process: Mapped[str] = mapped_column(Text, default="", server_default="")  # 役割・決裁
    budget_timing: Mapped[str] = mapped_column(Text, default="", server_default="")  # 予算・時期
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    verdict: Mapped[HandoffVerdict | None] = mapped_column(_str_enum(HandoffVerdict))
    invalid_reason: Mapped[str | None] = mapped_column(String(50))
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("members.id"))
    changed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # When the verdict is due: the meeting's end, or the next business morning.
    verdict_due_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # The last verdict request queued (1..3; 0 before the first), and when the next one (or,
    # after the third, the manager's FS 未評価) is due.
    verdict_requests: Mapped[int] = mapped_column(Integer, default=0, server_default=text("0"))
    next_request_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Bumped by every reschedule: requests of an older version are not sent any more.
    version: Mapped[int] = mapped_column(Integer, default=1, server_default=text("1"))
    # Where the FS's hand-off DM lives (recorded by the sender that posted it).
    fs_message_channel: Mapped[str | None] = mapped_column(String(32))
    fs_message_ts: Mapped[str | None] = mapped_column(String(32))
    # The case the rep talked from (issue 14): FS reads it in the DM, and the case library
    # counts what each case's hand-offs became. A deleted case leaves the hand-off (NULL).
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), index=True
    )

    __table_args__ = (
        CheckConstraint("verdict_requests BETWEEN 0 AND 3", name="verdict_requests_range"),
        # The verdict job: undecided hand-offs whose next request is due.
        Index("ix_handoffs_verdict_next", "verdict", "next_request_at"),
        # The managers' figures: a rep's hand-offs by period.
        Index("ix_handoffs_rep_created", "rep_id", "created_at"),
        # At most one hand-off per lead waits for a verdict (both databases).
        Index(
            "uq_handoffs_open_lead",
            "lead_id",
            unique=True,
            sqlite_where=text("verdict IS NULL"),
            postgresql_where=text("verdict IS NULL"),
        ),
    )
