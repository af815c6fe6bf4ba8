"""Registering a lead by hand (/lead): checked, deduplicated by e-mail or name, owned."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from isops import limits
from isops.clock import utcnow
from isops.enums import (
    ActionStatus,
    RoleLevel,
)
from isops.errors import InvalidInput
from isops.lead_fields import InboundSources, new_lead_fields
from isops.messages import (
    COMPANY_REQUIRED,
    NOT_A_PHONE,
    NOT_AN_EMAIL,
    OWNER_NOT_ON_TEAM,
    OWNER_NOT_REGISTERED,
    too_long,
)
from isops.models import Lead
from isops.projection import from_attributes
from isops.services import live_lists
from isops.services.history import record_change
from isops.services.idempotency import remember_result, stored_result
from isops.services.lead_access import Actor, load_actor, owner_names
from isops.services.lookup import member_by_slack_id
from isops.unit_of_work import UnitOfWork

LEAD_CREATE_SCOPE = "lead_create"  # idempotency scope: Slack's view id of a /lead submission

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_PHONE = re.compile(r"^\+?[0-9()\- ]{6,30}$")


@dataclass(frozen=True)
class LeadSummary:
    """A lead as the /lead result shows it."""

    id: int
    company: str
    contact_name: str | None
    email: str | None
    owner_name: str | None
    status: int
    source: str | None
    cv_at: dt.datetime
    may_log: bool  # the caller may log on it (show the 記録 button)


@dataclass(frozen=True)
class LeadRegistration:
    """The lead created, or the existing one that made this a duplicate."""

    lead: LeadSummary
    created: bool
    duplicate_of: str | None = None  # "email" or "name" when an existing lead was found


def _clean(value: str | None, limit: int, name: str, label: str, errors: dict[str, str]) -> str:
    cleaned = (value or "").strip()
    if len(cleaned) > limit:
        errors[name] = too_long(label, limit)
    return cleaned


def _summary(session: Session, actor: Actor, lead: Lead) -> LeadSummary:
    names = owner_names(session, actor, {lead.owner_id} if lead.owner_id else set())
    return from_attributes(
        LeadSummary,
        lead,
        owner_name=names.get(lead.owner_id) if lead.owner_id else None,
        may_log=actor.may_act_for(lead.owner_id),
    )


def _serialize_registrations(session: Session) -> None:
    # Check-then-insert must not interleave: SQLite's BEGIN IMMEDIATE already serializes
    # writers; on PostgreSQL a transaction-scoped advisory lock does (registrations by hand
    # are rare, so one lock for all of them costs nothing).
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_advisory_xact_lock(0x15095_1EAD)))


def register_lead(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    company: str,
    contact_name: str | None = None,
    title: str | None = None,
    role_level: RoleLevel | None = None,
    industry: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    source: str | None = None,
    cv_at: dt.datetime | None = None,
    owner_slack_user_id: str | None = None,
    inbound_sources: tuple[str, ...] = (),
    idempotency_key: str | None = None,
    tz: dt.tzinfo | None = None,
) -> LeadRegistration:
    """Register a lead by hand; the same e-mail, or the same company and contact (folded),
    returns the existing lead instead of creating a second one.

    The CV time must lie in `limits.cv_at_out_of_range`'s window, read in the team's zone `tz`
    (ISOPS_TIMEZONE; None: the CV's own zone) — the window of the webhook and the CSV import,
    so a lead registered here is never refused when its export is imported back."""
    errors: dict[str, str] = {}
    company = _clean(company, limits.COMPANY, "company", "会社名", errors)
    if not company:
        errors["company"] = COMPANY_REQUIRED
    contact = _clean(contact_name, limits.CONTACT_NAME, "contact_name", "担当者名", errors) or None
    title = _clean(title, limits.TITLE, "title", "役職", errors) or None
    industry = _clean(industry, limits.INDUSTRY, "industry", "業種", errors) or None
    source = _clean(source, limits.SOURCE, "source", "流入元", errors) or None
    email = _clean(email, limits.EMAIL, "email", "メールアドレス", errors) or None
    if email and not _EMAIL.match(email):
        errors["email"] = NOT_AN_EMAIL
    email = limits.normalize_email(email) if email else None
    phone = _clean(phone, limits.PHONE, "phone", "電話番号", errors) or None
    if phone and not _PHONE.match(phone.replace("－", "-")):
        errors["phone"] = NOT_A_PHONE
    now = utcnow()
    cv_at = cv_at or now
    cv_problem = limits.cv_at_out_of_range(cv_at, now=now, tz=tz or cv_at.tzinfo or dt.UTC)
    if cv_problem is not None:
        errors["cv_at"] = cv_problem
    if errors:
        raise InvalidInput(errors)

    with uow:
        session = uow.session
        actor = load_actor(session, slack_user_id=slack_user_id)
        owner_id = actor.id
        if owner_slack_user_id and owner_slack_user_id != actor.slack_user_id:
            owner = member_by_slack_id(session, owner_slack_user_id)
            if owner is None or not owner.active:
                raise InvalidInput({"owner": OWNER_NOT_REGISTERED})
            if not actor.may_act_for(owner.id):
                raise InvalidInput({"owner": OWNER_NOT_ON_TEAM})
            owner_id = owner.id
        _serialize_registrations(session)
        if idempotency_key:
            earlier = stored_result(session, scope=LEAD_CREATE_SCOPE, key=idempotency_key)
            if earlier is not None:  # the same submission again (double click, retry)
                lead = session.get_one(Lead, int(earlier))
                return LeadRegistration(_summary(session, actor, lead), created=True)
        fields = new_lead_fields(
            company=company,
            contact_name=contact,
            source=source,
            inbound_sources=InboundSources.of(inbound_sources),
        )
        search_text = fields["search_text"]
        # Both are plain equalities on indexed columns (ix_leads_email, ix_leads_search_text):
        # e-mails are stored normalised on every write path, so no lower() is needed here.
        by_email = Lead.email == email if email else None
        same_name = Lead.search_text == search_text if contact else None
        conditions = [c for c in (by_email, same_name) if c is not None]
        if conditions:
            existing = session.scalars(
                select(Lead).where(or_(*conditions)).order_by(Lead.id).limit(1)
            ).first()
            if existing is not None:
                kind = "email" if email and existing.email == email else "name"
                return LeadRegistration(
                    _summary(session, actor, existing), created=False, duplicate_of=kind
                )
        lead = Lead(
            company=company,
            contact_name=contact,
            title=title,
            role_level=role_level,
            industry=industry,
            email=email,
            phone=phone,
            source=source,
            cv_at=cv_at,
            owner_id=owner_id,
            status=ActionStatus.UNTOUCHED,
            **fields,
        )
        session.add(lead)
        session.flush()
        owner_slack = owner_slack_user_id or actor.slack_user_id
        record_change(
            session,
            lead_id=lead.id,
            member_id=actor.id,
            field="owner",
            old=None,
            new=owner_slack,
            note="手動登録 (/lead)",
            at=now,
        )
        if idempotency_key:
            remember_result(
                session, scope=LEAD_CREATE_SCOPE, key=idempotency_key, result=str(lead.id)
            )
        live_lists.refresh_homes(uow, member_ids=[owner_id], now=now)
        summary = _summary(session, actor, lead)
        uow.commit()
        return LeadRegistration(summary, created=True)
