"""Inbound lead intake (DOMAIN.md rule 1): store, assign an owner, queue the owner's DM —
all in one transaction, so a Slack outage delays the DM but never loses the lead or it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from isops import limits
from isops.calendar import BusinessCalendar
from isops.case_vocabulary import CompanySize, parse_company_size
from isops.clock import utcnow
from isops.enums import RoleLevel
from isops.errors import InvalidInput
from isops.lead_fields import InboundSources, NewLeadFields, new_lead_fields
from isops.messages import CONTROL_IN_IDENTIFIER, NOT_AN_EMAIL
from isops.models import Lead, Member
from isops.services import live_lists, outbox
from isops.services.assignment import (
    LEAD_ASSIGNED,
    LEAD_UNASSIGNED,
    Assignment,
    assign_owner,
    notify_targets,
)
from isops.services.away import away_member_ids
from isops.services.history import record_change
from isops.services.idempotency import remember_result, stored_result
from isops.text import strip_control
from isops.unit_of_work import UnitOfWork

IDEMPOTENCY_SCOPE = "lead_webhook"

_ROLE_LEVEL_ALIASES = {
    "staff": RoleLevel.STAFF,
    "manager": RoleLevel.MANAGER,
    "executive": RoleLevel.EXECUTIVE,
}


def parse_role_level(value: str) -> RoleLevel:
    """`担当` / `マネージャー` / `役員`, or staff / manager / executive."""
    text = value.strip()
    for level in RoleLevel:
        if text == level.value:
            return level
    level_alias = _ROLE_LEVEL_ALIASES.get(text.casefold())
    if level_alias is None:
        raise ValueError("担当 / マネージャー / 役員 のいずれかで指定してください")
    return level_alias


# Lone UTF-16 surrogates: JSON can carry them ("\ud83d", half an emoji a form cut short), but
# no database can store them.
_SURROGATES = dict.fromkeys(range(0xD800, 0xE000))


def _typed_text(value: str) -> str:
    """What a visitor typed, on one line: control characters (NUL, escape codes) and broken
    surrogates removed, tabs and line breaks as spaces."""
    return strip_control(value, single_line=True).translate(_SURROGATES)


class InboundLead(BaseModel):
    """A lead as a form tool or CRM workflow sends it (`POST /webhooks/leads`).

    Text a visitor typed into a form loses its control characters instead of being refused:
    a 422 would lose a hot lead over an invisible character (many form tools do not retry).
    Identifiers (`external_id`, `owner`) come from programs and are compared exactly, so a
    control character there is refused (422) rather than silently changing the id."""

    model_config = ConfigDict(str_strip_whitespace=True, extra="ignore", frozen=True)

    company: str = Field(min_length=1, max_length=limits.COMPANY)
    contact_name: str | None = Field(default=None, max_length=limits.CONTACT_NAME)
    title: str | None = Field(default=None, max_length=limits.TITLE)
    role_level: RoleLevel | None = None
    industry: str | None = Field(default=None, max_length=limits.INDUSTRY)
    company_size: CompanySize | None = None
    email: str | None = Field(default=None, max_length=limits.EMAIL)
    phone: str | None = Field(default=None, max_length=limits.PHONE)
    source: str | None = Field(default=None, max_length=limits.SOURCE)
    cv_at: dt.datetime | None = None
    external_id: str | None = Field(default=None, max_length=limits.EXTERNAL_ID)
    owner: str | None = Field(default=None, max_length=limits.OWNER_REF)

    @field_validator(
        "company",
        "contact_name",
        "title",
        "role_level",
        "industry",
        "email",
        "phone",
        "source",
        mode="before",
    )
    @classmethod
    def _clean_typed_text(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str):
            return value
        value = _typed_text(value)
        if info.field_name == "company":
            return value  # required: blank is "空にはできません"
        if not value.strip():
            return None
        return parse_role_level(value) if info.field_name == "role_level" else value

    @field_validator("external_id", "owner", mode="before")
    @classmethod
    def _exact_identifier(cls, value: Any) -> Any:
        if not isinstance(value, str):
            return value
        value = value.strip()
        if not value:
            return None
        if _typed_text(value) != value:
            raise ValueError(CONTROL_IN_IDENTIFIER)
        return value

    @field_validator("company_size", mode="before")
    @classmethod
    def _company_size(cls, value: Any) -> Any:
        # "50-299", "50〜299名", or a headcount (120 or "120") as its band; like role_level,
        # a value that is not one band is refused (422) rather than guessed.
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if isinstance(value, str):
            value = _typed_text(value)
            return parse_company_size(value) if value.strip() else None
        return value

    @field_validator("cv_at", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        if isinstance(value, str) and not value.strip():
            return None
        return value

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if value.count("@") != 1 or " " in value or value.endswith("@"):
            raise ValueError(NOT_AN_EMAIL)
        return limits.normalize_email(value)  # the one stored form (matched by equality)


@dataclass(frozen=True)
class IntakeResult:
    lead_id: int
    created: bool
    owner_slack_user_id: str | None
    owner_name: str | None
    inbound: bool
    deadline: dt.date | None
    how: str  # "explicit" | "rule" | "rotation" | "none" | "existing"
    reason: str


def _localize(
    moment: dt.datetime | None, calendar: BusinessCalendar, now: dt.datetime
) -> dt.datetime:
    """Aware UTC, whole seconds; a time without an offset is in the team's time zone.

    Refuses (InvalidInput) a time outside `limits.cv_at_out_of_range`'s window, the same
    as the CSV import: 0001-01-01 or 9999-12-31 would not even convert."""
    if moment is None:
        moment = now
    elif moment.tzinfo is None:
        moment = moment.replace(tzinfo=calendar.tz)
    problem = limits.cv_at_out_of_range(moment, now=now, tz=calendar.tz)
    if problem is not None:
        raise InvalidInput({"cv_at": problem})
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _existing_lead_id(session: Session, *, key: str | None, external_id: str | None) -> int | None:
    if key is not None:
        found = stored_result(session, scope=IDEMPOTENCY_SCOPE, key=key)
        if found is not None:
            return int(found)
    if external_id is not None:
        return session.scalar(select(Lead.id).where(Lead.external_id == external_id))
    return None


def _existing_result(
    session: Session,
    lead_id: int,
    *,
    calendar: BusinessCalendar,
    inbound_cutoff: dt.time,
) -> IntakeResult:
    lead = session.get_one(Lead, lead_id)
    owner = session.get(Member, lead.owner_id) if lead.owner_id is not None else None
    deadline = calendar.inbound_deadline(lead.cv_at, inbound_cutoff) if lead.inbound else None
    return IntakeResult(
        lead_id=lead.id,
        created=False,
        owner_slack_user_id=owner.slack_user_id if owner else None,
        owner_name=owner.name if owner else None,
        inbound=lead.inbound,
        deadline=deadline,
        how="existing",
        reason="同じリードを受信済み",
    )


def notice_payload(
    lead: Lead, assignment: Assignment, *, deadline: dt.date | None, same_day: bool
) -> dict[str, Any]:
    """What the owner's DM shows, as it was when the lead came in (JSON-safe)."""
    return {
        "lead_id": lead.id,
        "owner_slack_user_id": assignment.slack_user_id,
        "company": lead.company,
        "contact_name": lead.contact_name,
        "title": lead.title,
        "industry": lead.industry,
        "email": lead.email,
        "phone": lead.phone,
        "source": lead.source,
        "inbound": lead.inbound,
        "cv_at": lead.cv_at.isoformat(),
        "deadline": deadline.isoformat() if deadline else None,
        "same_day": same_day,
        "reason": assignment.reason,
    }


def receive_lead(
    uow: UnitOfWork,
    *,
    lead: InboundLead,
    calendar: BusinessCalendar,
    inbound_sources: tuple[str, ...],
    inbound_cutoff: dt.time,
    idempotency_key: str | None = None,
) -> IntakeResult:
    """Store an inbound lead with its owner and queue the owner's DM; the same external id
    or idempotency key again returns the first lead instead of creating another. A CV time
    out of range is InvalidInput (`cv_at`), before anything is read or written."""
    now = utcnow()
    cv_at = _localize(lead.cv_at, calendar, now)
    fields = new_lead_fields(
        company=lead.company,
        contact_name=lead.contact_name,
        source=lead.source,
        inbound_sources=InboundSources.of(inbound_sources),
    )
    # Read before the transaction (a unit of work is not re-entrant); being a day stale
    # at midnight is harmless.
    away = away_member_ids(uow, on=calendar.local_date(now))
    with uow:
        session = uow.session
        existing = _existing_lead_id(session, key=idempotency_key, external_id=lead.external_id)
        if existing is not None:
            return _existing_result(
                session, existing, calendar=calendar, inbound_cutoff=inbound_cutoff
            )
        try:
            result = _create(
                uow,
                lead=lead,
                cv_at=cv_at,
                fields=fields,
                away=away,
                calendar=calendar,
                inbound_cutoff=inbound_cutoff,
                idempotency_key=idempotency_key,
            )
            uow.commit()
            return result
        except IntegrityError:
            # A concurrent delivery of the same lead won the unique external id / key.
            uow.rollback()
            existing = _existing_lead_id(session, key=idempotency_key, external_id=lead.external_id)
            if existing is None:
                raise
            return _existing_result(
                session, existing, calendar=calendar, inbound_cutoff=inbound_cutoff
            )


def _create(
    uow: UnitOfWork,
    *,
    lead: InboundLead,
    cv_at: dt.datetime,
    fields: NewLeadFields,
    away: set[int],
    calendar: BusinessCalendar,
    inbound_cutoff: dt.time,
    idempotency_key: str | None,
) -> IntakeResult:
    session = uow.session
    assignment = assign_owner(
        uow,
        source=lead.source,
        industry=lead.industry,
        explicit_owner=lead.owner,
        away_ids=away,
    )
    # Every field of the inbound lead is a column of the same name but `owner` (a reference,
    # resolved by the assignment) and `cv_at` (localized above).
    row = Lead(
        **lead.model_dump(exclude={"owner", "cv_at"}),
        cv_at=cv_at,
        owner_id=assignment.member_id,
        **fields,
    )
    session.add(row)
    session.flush()
    if idempotency_key is not None:
        remember_result(session, scope=IDEMPOTENCY_SCOPE, key=idempotency_key, result=str(row.id))
    record_change(
        session,
        lead_id=row.id,
        member_id=None,
        field="owner",
        old=None,
        new=assignment.slack_user_id,
        note=f"流入時の自動割り当て: {assignment.reason}",
    )
    deadline = calendar.inbound_deadline(cv_at, inbound_cutoff) if row.inbound else None
    same_day = deadline is not None and deadline == calendar.local_date(cv_at)
    payload = notice_payload(row, assignment, deadline=deadline, same_day=same_day)
    if assignment.member_id is not None:
        outbox.enqueue(uow, kind=LEAD_ASSIGNED, payload=payload)
        live_lists.refresh_homes(uow, member_ids=[assignment.member_id], now=utcnow())
    else:
        for manager in notify_targets(uow):
            outbox.enqueue(uow, kind=LEAD_UNASSIGNED, payload={**payload, "recipient": manager})
    session.flush()  # a duplicate key fails here, inside the try of the caller
    return IntakeResult(
        lead_id=row.id,
        created=True,
        owner_slack_user_id=assignment.slack_user_id,
        owner_name=assignment.name,
        inbound=row.inbound,
        deadline=deadline,
        how=assignment.how,
        reason=assignment.reason,
    )
