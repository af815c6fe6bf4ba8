"""Computing morning digests: one set of queries per business date (and moment), assembled
into each recipient's `MorningDigest` (`digest`), nothing sent or claimed.

Cost: a fixed number of statements per business date whatever the number of leads — the
sections (`sections`), the pending reviews (`pending`) and the managers' figures (`manager`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from isops.calendar import BusinessCalendar, member_zone
from isops.models import Member
from isops.services.cases_matching import CaseMatch, best_cases_for_leads
from isops.services.handoff_reports import unrated_for_recipients
from isops.services.lookup import require_active_member
from isops.services.reminders.day import DayQueries, DigestDay
from isops.services.reminders.digest import (
    LeadLine,
    LeadList,
    MorningDigest,
    Recipient,
    RepDigest,
    ReturnedDecision,
)
from isops.services.reminders.manager import ManagerFigures
from isops.services.reminders.pending import pending_counts
from isops.services.reminders.recipients import away_until
from isops.services.reminders.sections import RepSections
from isops.settings import Settings
from isops.unit_of_work import UnitOfWork

# Lines per section carried to the DM builder (it shows fewer when the message is full).
DM_SECTION_LIMIT = 10


def compute_digests(
    uow: UnitOfWork,
    *,
    recipients: Sequence[Recipient],
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None = DM_SECTION_LIMIT,
) -> list[MorningDigest]:
    """Every recipient's digest (nothing is sent or claimed). `limit` lines per section.

    Each is computed as of its recipient's `as_of`, else as of `now`."""
    if not recipients:
        return []
    with uow:
        return _compute(uow.session, recipients, now, settings, calendar, limit)


def digest_for_member(
    uow: UnitOfWork,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None = DM_SECTION_LIMIT,
    own_lists_only: bool = False,
) -> MorningDigest:
    """One member's digest as of now on their local date (`/isops today`), business day or not.

    `own_lists_only`: only the member's own sections (App Home, /isops today, the list
    modal) — no manager's part, no FS 未評価 — read from their own leads alone."""
    with uow:
        return member_digest(
            uow.session,
            slack_user_id=slack_user_id,
            now=now,
            settings=settings,
            calendar=calendar,
            limit=limit,
            own_lists_only=own_lists_only,
        )


def member_digest(
    session: Session,
    *,
    slack_user_id: str,
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None,
    own_lists_only: bool,
) -> MorningDigest:
    """`digest_for_member` inside the caller's open transaction (App Home reads its latest
    touch in the same one)."""
    member = require_active_member(session, slack_user_id)
    day = now.astimezone(member_zone(member.timezone, calendar.tz)).date()
    recipient = Recipient(member.id, slack_user_id, member.name, day)
    (digest,) = _compute(session, [recipient], now, settings, calendar, limit, own_lists_only)
    return digest


def _compute(
    session: Session,
    recipients: Sequence[Recipient],
    now: dt.datetime,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None,
    own_lists_only: bool = False,
) -> list[MorningDigest]:
    # One set of queries per (business date, moment): members in one zone share a moment, so
    # this is one group per date on a scheduled run and one per zone on a date chosen by hand.
    by_day: dict[tuple[dt.date, dt.datetime], list[Recipient]] = defaultdict(list)
    for recipient in recipients:
        by_day[(recipient.business_date, recipient.as_of or now)].append(recipient)
    digests: dict[int, MorningDigest] = {}
    for (today, moment), group in sorted(by_day.items()):
        day = DigestDay.of(today, moment, settings, calendar)
        for digest in _day_digests(session, day, settings, calendar, limit, group, own_lists_only):
            digests[digest.member_id] = digest
    return [digests[r.member_id] for r in recipients]


def _day_digests(
    session: Session,
    day: DigestDay,
    settings: Settings,
    calendar: BusinessCalendar,
    limit: int | None,
    group: list[Recipient],
    own_lists_only: bool = False,
) -> list[MorningDigest]:
    """The digests of `group`, who share one business date and moment (`own_lists_only`:
    their own sections alone, see `digest_for_member`)."""
    ids = [r.member_id for r in group]
    reports = (
        []
        if own_lists_only
        else session.execute(
            select(Member.id, Member.name, Member.slack_user_id, Member.manager_id).where(
                Member.manager_id.in_(ids), Member.active.is_(True)
            )
        ).all()
    )
    team: dict[int, list[Any]] = defaultdict(list)
    for report in reports:
        team[report.manager_id].append(report)
    away = (
        away_until(session, member_ids=[r.id for r in reports], days={day.today}) if reports else {}
    )
    # Away reps' hot leads go to their manager.
    hot_owners = [*ids, *(r.id for r in reports if (r.id, day.today) in away)]
    pending = pending_counts(
        session,
        owner_ids=set(ids),
        manager_of={r.id: r.manager_id for r in reports},
        owners_only=own_lists_only,
    )
    queries = DayQueries(
        session=session,
        day=day,
        settings=settings,
        calendar=calendar,
        pending_open=pending.open_lead_ids,
    )
    sections = RepSections.over(queries, limit=limit)
    returned = sections.returned(set(ids))
    # A returned lead is listed once, under ↩️ with the manager's reason.
    sections.listed_elsewhere |= {d.lead_id for found in returned.values() for d in found}
    inbound = sections.inbound(hot_owners)
    focus_due = sections.focus_due(hot_owners)
    overdue = sections.overdue(hot_owners)
    five = sections.five_c2m(ids)
    hygiene = sections.hygiene(ids)
    manager_parts = ManagerFigures.over(queries).digests(
        [r for r in group if team.get(r.member_id)],
        team,
        away,
        pending.by_manager,
        inbound,
        focus_due,
        overdue,
    )
    unrated = (
        {}
        if own_lists_only
        else unrated_for_recipients(session, member_ids=ids, as_of=day.now, tz=calendar.tz)
    )
    rep_lists = (inbound, focus_due, overdue, five, hygiene)
    cases = _cases_for(
        session,
        [
            *(line for found in rep_lists for part in found.values() for line in part.items),
            *(decision for found in returned.values() for decision in found),
        ],
    )
    return [
        MorningDigest(
            member_id=r.member_id,
            slack_user_id=r.slack_user_id,
            name=r.name,
            business_date=day.today,
            rep=RepDigest(
                inbound=inbound.get(r.member_id, LeadList()),
                focus_due=focus_due.get(r.member_id, LeadList()),
                overdue=overdue.get(r.member_id, LeadList()),
                five_c2m=five.get(r.member_id, LeadList()),
                returned=tuple(returned.get(r.member_id, ())),
                hygiene=hygiene.get(r.member_id, LeadList()),
                awaiting_review=pending.by_owner.get(r.member_id, 0),
            ),
            manager=manager_parts.get(r.member_id),
            fs_unrated=unrated.get(r.member_id, ()),
            cases=cases,
        )
        for r in group
    ]


def _cases_for(
    session: Session, lines: Sequence[LeadLine | ReturnedDecision]
) -> Mapping[int, CaseMatch]:
    """The case to talk from for each listed lead of the day (issue 14): one query, none
    when no listed lead has an industry. Every digest of the day shares the map."""
    profiles = {line.lead_id: line.profile for line in lines if line.profile is not None}
    return MappingProxyType(best_cases_for_leads(session, profiles))
